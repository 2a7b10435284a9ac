"""Run by bench/pages.py in a subprocess with development settings on the scratch database:
loads the demo, adds a minimal page and a 100-section paper with 10,000 comments, counts
each page's SQL queries (anonymous, second request: 0 where the page cache answers), and
prints the URLs as JSON."""

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
demo_section = SectionPage.objects.child_of(demo_paper).order_by("path").first()
big_section = SectionPage.objects.child_of(big).order_by("path").first()
# Two groups of rows, each with its own baseline (bench/pages.py): "warm", anonymous readers
# served from the page cache, against the minimal page served from it too; "cold", the page
# rendered for each request, against the minimal page rendered. A query string bypasses the
# page cache (core/page_cache.py), so "?render" is a page whose cached copy has just been
# invalidated; the paper's section fragments stay cached, as after a write to one section.
# "gzip": the client sends Accept-Encoding: gzip, as browsers do.
rows = [
    ("minimal Wagtail page, cached (warm baseline)", minimal.url, "warm", True),
    ("bare Django view", "/bench/bare/", "warm", True),
    ("home, cached", home.url, "warm", True),
    ("paper, demo (10 sections), cached", demo_paper.url, "warm", True),
    (f"paper, 100 sections / {comments:,} comments, cached", big.url, "warm", True),
    (f"paper, {comments:,} comments, cached, no gzip", big.url, "warm", False),
    ("section (demo), cached", demo_section.url, "warm", True),
    (f"section (of {comments:,} comments), cached", big_section.url, "warm", True),
    ("minimal Wagtail page, rendered (cold baseline)", minimal.url + "?render", "cold", True),
    ("home, rendered", home.url + "?render", "cold", True),
    ("paper, demo, rendered (fragments cached)", demo_paper.url + "?render", "cold", True),
    (f"paper, {comments:,} comments, rendered (fragments cached)", big.url + "?render", "cold", True),
    # Before each request the client bumps one random section's tags, as a reaction does:
    # the page's entry is stale, that section's fragment and table rows are re-rendered.
    (f"paper, {comments:,} comments, after a write to one section", big.url, "cold", True),
    (f"section (of {comments:,} comments), rendered", big_section.url + "?render", "cold", True),
    ("report (demo)", demo_paper.url + "report/", "cold", True),
]
settings.ROOT_URLCONF = "bench.urls"  # the bare view, as the server has it
client = Client(HTTP_HOST="127.0.0.1")
out = {}
for name, url, group, gzip in rows:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    out[name] = {"url": url, "queries": len(queries), "status": status, "group": group, "gzip": gzip}
    if "after a write" in name:
        out[name]["bump"] = {
            "paper": big.pk,
            "sections": list(big.get_children().values_list("pk", flat=True)),
        }
# Rendered with every cache empty (bench/pages.py empties it before each request).
empty = {"minimal": minimal.url + "?render", "paper": big.url + "?render"}
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
# Shown comments of one section, for the writes run whose reactions all move that section's stamp.
from consultation.models import Comment  # noqa: E402

comments_of_one_section = list(
    Comment.objects.filter(section=big_section, hidden_at__isnull=True, is_public=True, is_removed=False)
    .order_by("pk")
    .values_list("pk", flat=True)[:50]
)
print(
    json.dumps(
        {
            "pages": out,
            "empty": empty,
            "writers": writers,
            "sections": sections,
            "comments_of_one_section": comments_of_one_section,
        }
    )
)
