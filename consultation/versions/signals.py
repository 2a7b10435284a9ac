"""Signals the versions feature sends, for features above it to act on."""

from django.dispatch import Signal

# Sent by `version_publish` inside its transaction, after the version and its
# record entry are written: receivers' writes commit or roll back with it.
# Arguments: paper, version, actor.
version_published = Signal()
