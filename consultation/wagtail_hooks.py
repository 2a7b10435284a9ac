"""Wagtail admin set-up for consultations. Each feature keeps its hooks in its
own module; importing it here registers them."""

from . import (
    views_admin_proposals,  # noqa: F401  (deciding on competing proposals)
    views_admin_stages,  # noqa: F401  (stages and sign-off)
    views_admin_versions,  # noqa: F401  (versions and “you said, we did”)
    views_moderation,  # noqa: F401  (the comment moderation queue)
)
from .report import admin_views  # noqa: F401, E402  (freezing the consensus report)
