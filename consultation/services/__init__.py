"""Writes: one function per action, keyword-only, atomic."""
