"""Writes. Keyword-only, atomic; emails and signals go out after commit."""
