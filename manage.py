#!/usr/bin/env python
"""Django's command-line utility for Open Policy."""

import os
import sys
from pathlib import Path

# `site/` is a source folder, not a package: the standard library's `site`
# module would shadow it. Put it on the import path so `config` imports.
sys.path.insert(0, str(Path(__file__).resolve().parent / "site"))

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
