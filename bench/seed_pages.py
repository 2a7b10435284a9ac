"""Run by bench/pages.py in a subprocess with development settings on the scratch database:
loads the demo, adds a minimal page and a 100-section paper with 10,000 comments, counts
each page's SQL queries (anonymous, second request), and prints the URLs as JSON."""

import json
import random
import sys

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from consultation.management.commands.generate_synthetic import generate, more_comments  # noqa: E402
from consultation.models import PolicyPaperPage, SectionPage  # noqa: E402
from core.models import ContentPage, HomePage  # noqa: E402

comments = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
call_command("load_demo", verbosity=0)
home = HomePage.objects.first()
minimal = home.add_child(instance=ContentPage(title="Minimal", slug="bench-minimal", body="<p>Minimal.</p>"))
demo_paper = PolicyPaperPage.objects.live().order_by("pk").first()
big = generate(rng=random.Random(1), sections=100, comments=min(comments, 1_000), reactions=2_000, groups=5)
if comments > 1_000:
    more_comments(paper=big, count=comments - 1_000, seed=2)
big = PolicyPaperPage.objects.get(pk=big.pk)
urls = {
    "minimal Wagtail page": minimal.url,
    "bare Django view": "/bench/bare/",
    "home": home.url,
    "paper, demo (10 sections), cached": demo_paper.url,
    f"paper, 100 sections / {comments:,} comments, cached": big.url,
    # Any query string bypasses the anonymous page cache: the page rendered for each request.
    "paper, demo, rendered (cold)": demo_paper.url + "?render",
    f"paper, {comments:,} comments, rendered (cold)": big.url + "?render",
    "section (demo)": SectionPage.objects.child_of(demo_paper).order_by("path").first().url,
    f"section (of {comments:,} comments)": SectionPage.objects.child_of(big).order_by("path").first().url,
    "report (demo)": demo_paper.url + "report/",
}
settings.ROOT_URLCONF = "bench.urls"  # the bare view, as the server has it
client = Client(HTTP_HOST="127.0.0.1")
out = {}
for name, url in urls.items():
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    out[name] = {"url": url, "queries": len(queries), "status": status}
# Writers: members of the big paper's groups, each with a session, reacting to its sections.
from tests.support.factories import MembershipFactory, UserFactory  # noqa: E402

groups = list(big.consultation.invited_groups.all())
writers = []
for n in range(int(sys.argv[2]) if len(sys.argv) > 2 else 16):
    user = UserFactory(username=f"bench-writer-{n}")
    MembershipFactory(group=groups[n % len(groups)], user=user)
    session = Client(HTTP_HOST="127.0.0.1")
    session.force_login(user)
    writers.append({"user_id": user.pk, "session": session.cookies[settings.SESSION_COOKIE_NAME].value})
sections = list(SectionPage.objects.child_of(big).values_list("pk", flat=True))
print(json.dumps({"pages": out, "writers": writers, "sections": sections}))
