"""docs/api.md is true: every curl example in it runs, with real curl against the real
server, and returns what the docs show; the OpenAPI document validates as OpenAPI 3.

An example is a ```sh block that uses curl, followed by the block showing its output.
The shell runs it as written, with $SITE, $CONSULTATION, $PAPER, $SECTION and
$RESTRICTED set to the world below. A ```json output matches when every key the docs
show has the value shown ("…" stands for any value, such as ids and times, and a list
shows its first items); any other output must equal what the command prints.
"""

import json
import re
import subprocess
from pathlib import Path

from openapi_spec_validator import validate
from wagtail.models import Site

from consultation.comments.services import comment_create
from consultation.proposals.services import proposal_create
from tests.support.contributions import react
from tests.support.factories import (
    ConsultationIndexPageFactory,
    ConsultationPageFactory,
    HomePageFactory,
    PolicyPaperPageFactory,
    SectionPageFactory,
    WorkingGroupFactory,
)
from tests.support.people import member_of
from tests.support.trees import ensure_root, fresh, restrict

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)
ANY = "…"


def examples():
    """(command, output kind, expected output) for each curl example in the docs."""
    blocks = BLOCK.findall(DOCS.read_text())
    found = []
    for (kind, text), (out_kind, out) in zip(blocks, blocks[1:], strict=False):
        if kind == "sh" and "curl " in text:
            found.append((text.strip(), out_kind, out.strip()))
    return found


def matches(shown, actual, path="$"):
    """Differences between what the docs show and the actual value (empty: it matches)."""
    if shown == ANY:
        return []
    if isinstance(shown, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        problems = []
        for key, value in shown.items():
            if key not in actual:
                problems.append(f"{path}.{key}: missing")
            else:
                problems += matches(value, actual[key], f"{path}.{key}")
        return problems
    if isinstance(shown, list):
        if not isinstance(actual, list) or len(actual) < len(shown):
            return [f"{path}: expected at least {len(shown)} items, got {actual!r}"]
        return [p for i, item in enumerate(shown) for p in matches(item, actual[i], f"{path}[{i}]")]
    return [] if shown == actual else [f"{path}: docs show {shown!r}, got {actual!r}"]


def build_world():
    """The consultation the examples in docs/api.md are written against."""
    root = ensure_root()
    home = HomePageFactory(parent=root)
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    index = ConsultationIndexPageFactory(parent=home)
    anglers = WorkingGroupFactory(name="Anglers", slug="anglers")
    consultation = ConsultationPageFactory(
        parent=index, title="Clean rivers", slug="clean-rivers", current_stage="review", run_by="Water team"
    )
    consultation.invited_groups.set([anglers])
    consultation.save_revision().publish()
    paper = PolicyPaperPageFactory(parent=consultation, title="Bathing water", slug="bathing-water")
    first = SectionPageFactory(parent=paper, title="Monitoring", slug="monitoring")
    first.body = [("paragraph", "<p>Samples are taken weekly from May to September.</p>")]
    first.save_revision().publish()
    first = fresh(first)
    second = SectionPageFactory(parent=paper, title="Sampling sites", slug="sampling-sites")
    convenor = member_of(anglers, role="convenor", organisation="River Trust", display_name="Ada Okafor")
    member = member_of(anglers, organisation="Fly Fishers", display_name="Tom Reyes")
    comment = comment_create(author=convenor, target=first, text="Weekly is not enough after heavy rain.")
    comment_create(author=member, target=first, text="Agreed: add samples after storms.", parent=comment)
    react([convenor, member], first, "agree")
    second = restrict(second, reason="The list names private land.")
    proposal_create(
        author=member,
        section=first,
        kind="replacement",
        text="Sample weekly, and within a day of heavy rain.",
        rationale="Storms wash sewage into the river.",
    )
    return {"consultation": consultation, "paper": paper, "section": first, "restricted": second}


def run(command, *, site, world):
    env = {
        "PATH": "/usr/bin:/bin",
        "SITE": site,
        "CONSULTATION": str(world["consultation"].pk),
        "PAPER": str(world["paper"].pk),
        "SECTION": str(world["section"].pk),
        "RESTRICTED": str(world["restricted"].pk),
    }
    done = subprocess.run(  # noqa: S603 - the docs' own examples, run as a reader would
        ["/bin/bash", "-euo", "pipefail", "-c", command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, (command, done.stderr)
    return done.stdout.strip()


def test_the_docs_have_examples_of_every_endpoint():
    commands = "\n".join(command for command, _, _ in examples())
    for path in (
        "/consultations",
        "/consultations/$CONSULTATION",
        "/papers",
        "/comments",
        "/tallies",
        "/proposals",
        "/api/v1/proposals/",
        "/responses",
        "/sign-offs",
        "/record",
        "/report",
        "/sections/$RESTRICTED",
        "/openapi.json",
        "If-None-Match",
        "cursor",
    ):
        assert path in commands, path


def test_every_curl_example_returns_what_the_docs_show(asgi_server):
    world = build_world()
    problems = []
    for command, kind, expected in examples():
        output = run(command, site=asgi_server.url, world=world)
        if kind == "json":
            problems += [f"{command}\n  {p}" for p in matches(json.loads(expected), json.loads(output))]
        elif output != expected:
            problems.append(f"{command}\n  docs show {expected!r}, got {output!r}")
    assert problems == [], "\n".join(problems)


def test_the_openapi_document_is_valid_openapi_3(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    validate(document)
    assert "/api/v1/papers/{paper_id}/comments" in document["paths"]
