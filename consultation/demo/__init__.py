"""Demo data for `manage.py load_demo`: a consultation in working-group review.

`content` holds the words, `builder` the foundation steps. A feature adds its
own module here (for example `consultation/demo/comments.py`) with one step
function `build_<feature>(demo)`, and lists it in `load_demo.STEPS`.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from consultation.demo.builder import Demo


def build(steps, *, today: datetime.date | None = None) -> Demo:
    """Run the steps in order, all or nothing, and return what they built."""
    demo = Demo(today=today or timezone.localdate())
    with transaction.atomic():
        for step in steps:
            step(demo)
    return demo
