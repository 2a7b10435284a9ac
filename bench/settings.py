"""The production settings plus one bare Django view (bench/urls.py), for `python -m bench pages`."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# Pages only: no collectstatic for a scratch run (the hashed names need its manifest).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
