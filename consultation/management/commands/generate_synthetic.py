"""A large synthetic consultation, for the report's benchmark (bench/report.py).

At --scale 1: one paper of 100 sections, 5 invited working groups, 50,000
comments and 500,000 reactions (400,000 on sections: every participant reacts
once to every section; 100,000 agree/disagree on comments). Everything is
written with bulk inserts in batches, so it takes seconds, not hours; the
rows are the same as the services would write (group and version snapshots,
threaded comment fields), without the per-row checks and broadcasts.

Each section gets its own mood per group (how likely that group is to agree,
disagree or stay neutral), so the report has every classification to show.
"""

import math
import random
import secrets
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django_comments.models import Comment as BaseComment
from django_comments_xtd.models import XtdComment
from wagtail.models import Page, Site

from consultation.models import (
    Comment,
    CommentAuthorSide,
    ConsultationIndexPage,
    ConsultationPage,
    PolicyPaperPage,
    Reaction,
    ReactionCount,
    SectionPage,
)
from consultation.models.pages import Stage
from workinggroups.models import Membership, Organisation, WorkingGroup

FULL = {"sections": 100, "comments": 50_000, "reactions": 500_000, "groups": 5}
# Of the reactions, this share is on sections; the rest on comments.
SECTION_SHARE = 0.8
# Of the participants, this share are members of a group; the rest react as the public.
MEMBER_SHARE = 0.8
BATCH = 5_000

WORDS = [
    *("data", "sharing", "public", "bodies", "safeguards", "consent", "purpose", "evidence", "benefit"),
    *("risk", "privacy", "trust", "governance", "sanction", "fraud", "error", "debt", "research"),
    *("statistics", "transparency", "citizens", "duty", "access"),
]


class Command(BaseCommand):
    help = (
        "Create a large synthetic consultation (at --scale 1: 100 sections, 50,000 comments, "
        "500,000 reactions, 5 working groups) for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Multiply every count (e.g. 0.001 for tests)."
        )
        parser.add_argument("--sections", type=int, help="Number of sections (default 100 × scale).")
        parser.add_argument("--comments", type=int, help="Number of comments (default 50,000 × scale).")
        parser.add_argument("--reactions", type=int, help="Number of reactions (default 500,000 × scale).")
        parser.add_argument("--groups", type=int, default=FULL["groups"], help="Working groups (default 5).")
        parser.add_argument(
            "--seed", type=int, default=2024, help="Random seed: the same seed, the same data."
        )
        parser.add_argument("--stage", default=Stage.REVIEW, choices=Stage.values)

    def handle(self, *args, **options):
        if not settings.DEBUG and not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError("Synthetic data is for development and benchmark databases, not production.")
        scale = options["scale"]
        if scale <= 0:
            raise CommandError("--scale must be above 0.")
        counts = {
            key: options[key] if options.get(key) is not None else max(1, round(FULL[key] * scale))
            for key in ("sections", "comments", "reactions")
        }
        counts["groups"] = options["groups"]
        if counts["groups"] < 1:
            raise CommandError("--groups must be at least 1.")
        started = time.monotonic()
        paper = generate(rng=random.Random(options["seed"]), stage=options["stage"], **counts)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created paper {paper.pk} “{paper.title}”: {counts['sections']} sections, "
                f"{counts['groups']} groups, {Comment.objects.filter(paper=paper).count():,} comments, "
                f"{Reaction.objects.filter(paper=paper).count():,} reactions "
                f"in {time.monotonic() - started:.1f} s. Report: {paper.url}report/"
            )
        )


def _index_page():
    index = ConsultationIndexPage.objects.first()
    if index is not None:
        return index
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    parent = site.root_page if site else Page.get_first_root_node()
    return parent.add_child(instance=ConsultationIndexPage(title="Consultations", slug="consultations"))


def generate(*, rng, sections, comments, reactions, groups, stage=Stage.REVIEW):
    """Write one synthetic consultation and return its paper."""
    now = timezone.now()
    # Unique names, whatever the seed: runs can share a database.
    run = f"{now:%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
    with transaction.atomic():
        index = _index_page()
        consultation = index.add_child(
            instance=ConsultationPage(
                title=f"Synthetic consultation {run}",
                slug=f"synthetic-{run}",
                summary="<p>Generated for benchmarks.</p>",
                run_by="Benchmark",
                current_stage=stage,
            )
        )
        paper = consultation.add_child(
            instance=PolicyPaperPage(
                title=f"Synthetic paper {run}", slug="paper", summary="<p>Generated for benchmarks.</p>"
            )
        )
        section_pages = [
            paper.add_child(
                instance=SectionPage(
                    title=f"Section {n}: {rng.choice(WORDS)} and {rng.choice(WORDS)}",
                    slug=f"section-{n}",
                    body=[("paragraph", f"<p>{' '.join(rng.choices(WORDS, k=60))}.</p>")],
                )
            )
            for n in range(1, sections + 1)
        ]
        working_groups = WorkingGroup.objects.bulk_create(
            [
                WorkingGroup(
                    name=f"Synthetic group {n} ({run})", slug=f"synthetic-{run}-{n}", remit="Benchmarks."
                )
                for n in range(1, groups + 1)
            ]
        )
        consultation.invited_groups.set(working_groups)
        consultation.save()  # a ParentalManyToManyField is written when its page is saved
        organisations = Organisation.objects.bulk_create(
            [Organisation(name=f"Synthetic organisation {n} ({run})") for n in range(1, 21)]
        )

        section_reactions = round(reactions * SECTION_SHARE)
        comment_reactions = reactions - section_reactions
        # Every participant reacts once to every section.
        people = max(2, math.ceil(section_reactions / sections))
        unusable = make_password(None)
        users = get_user_model().objects.bulk_create(
            [
                get_user_model()(
                    username=f"synthetic-{run}-{n}",
                    email=f"synthetic-{run}-{n}@example.invalid",
                    # bulk_create skips User.save(), which keeps the mailbox key.
                    email_key=f"synthetic-{run}-{n}@example.invalid",
                    display_name=f"Participant {n}",
                    password=unusable,
                    email_verified=True,
                )
                for n in range(people)
            ],
            batch_size=BATCH,
        )
        members = users[: max(1, round(people * MEMBER_SHARE))]
        group_of = {}
        memberships = []
        for n, user in enumerate(members):
            group = working_groups[n % groups]
            group_of[user.pk] = group
            memberships.append(
                Membership(
                    group=group, user=user, organisation=organisations[n % len(organisations)], joined_at=now
                )
            )
        Membership.objects.bulk_create(memberships, batch_size=BATCH)

        # Each section's mood per group (and for the public): P(agree), P(disagree), the rest neutral.
        # Groups mostly follow the section's general mood; on some sections one group breaks away.
        moods = {}
        for section in section_pages:
            base = rng.uniform(0.15, 0.95)
            dissenter = rng.choice(working_groups).pk if rng.random() < 0.2 else -1
            for key in [g.pk for g in working_groups] + [None]:
                agree = min(0.98, max(0.02, base + rng.gauss(0, 0.08)))
                if key == dissenter:
                    agree = 1 - agree
                moods[(section.pk, key)] = (agree, (1 - agree) * rng.uniform(0.5, 0.9))

        def choose(section, user):
            group = group_of.get(user.pk)
            agree, disagree = moods[(section.pk, group.pk if group else None)]
            roll = rng.random()
            return "agree" if roll < agree else "disagree" if roll < agree + disagree else "neutral"

        choices = {}

        def section_rows():
            made = 0
            for section in section_pages:
                for user in users:
                    if made >= section_reactions:
                        return
                    group = group_of.get(user.pk)
                    choice = choose(section, user)
                    choices[(user.pk, section.pk)] = choice
                    made += 1
                    yield Reaction(
                        user_id=user.pk,
                        paper_id=paper.pk,
                        section_id=section.pk,
                        target_kind="section",
                        target_id=section.pk,
                        choice=choice,
                        working_group_id=group.pk if group else None,
                        is_member=group is not None,
                        paper_version=paper.version_label,
                    )

        _bulk(Reaction, section_rows())
        made_comments = _comments(
            rng=rng, paper=paper, sections=section_pages, users=users, group_of=group_of, count=comments
        )

        def comment_rows():
            seen = set()
            attempts = 0
            while len(seen) < min(comment_reactions, len(made_comments) * (len(users) - 1)):
                attempts += 1
                if attempts > comment_reactions * 20:
                    return
                comment_id, section_id, author_id = rng.choice(made_comments)
                user = rng.choice(users)
                if user.pk == author_id or (user.pk, comment_id) in seen:
                    continue
                seen.add((user.pk, comment_id))
                group = group_of.get(user.pk)
                # People tend to agree with comments from their own side.
                same_side = choices.get((user.pk, section_id)) == choices.get((author_id, section_id))
                yield Reaction(
                    user_id=user.pk,
                    paper_id=paper.pk,
                    section_id=section_id,
                    target_kind="comment",
                    target_id=comment_id,
                    choice="agree" if rng.random() < (0.8 if same_side else 0.3) else "disagree",
                    working_group_id=group.pk if group else None,
                    is_member=group is not None,
                    paper_version=paper.version_label,
                )

        _bulk(Reaction, comment_rows())
    _analyze()
    return paper


def _analyze():
    """Refresh the planner's statistics, as autovacuum would after a while: without
    them PostgreSQL plans 500,000 new rows as if there were five. The tables the
    triggers fill (the counts, the comments' author sides) too."""
    kept = (ReactionCount, CommentAuthorSide)
    tables = [model._meta.db_table for model in (Reaction, Comment, XtdComment, BaseComment, *kept)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def _bulk(model, rows):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch)


def _insert_local(model, objects):
    """Insert only `model`'s own table for already-saved parents (multi-table inheritance,
    which bulk_create refuses); this is what Model.save does for each table of the chain."""
    fields = [f for f in model._meta.local_concrete_fields if not f.generated]
    for start in range(0, len(objects), 500):
        model._base_manager._insert(objects[start : start + 500], fields=fields, using="default")


def more_comments(*, paper, count, seed=0):
    """Add `count` top-level comments on a generated paper's sections, in bulk, by its
    participants (for benchmarks and tests of pages at thousands of comments)."""
    rng = random.Random(seed)
    sections = list(SectionPage.objects.child_of(paper))
    memberships = Membership.objects.filter(group__in=paper.consultation.invited_groups.all()).select_related(
        "group", "user"
    )
    group_of = {m.user_id: m.group for m in memberships}
    users = [m.user for m in memberships]
    with transaction.atomic():
        _comments(rng=rng, paper=paper, sections=sections, users=users, group_of=group_of, count=count)


def _comments(*, rng, paper, sections, users, group_of, count):
    """Top-level comments, written table by table: django_comments, comments-xtd, ours.
    Returns (comment id, section id, author id) for each."""
    section_type = ContentType.objects.get_for_model(SectionPage)
    now = timezone.now()
    made = []
    for start in range(0, count, BATCH):
        authors = [rng.choice(users) for _ in range(min(BATCH, count - start))]
        targets = [rng.choice(sections) for _ in authors]
        base = BaseComment.objects.bulk_create(
            [
                BaseComment(
                    content_type=section_type,
                    object_pk=str(section.pk),
                    site_id=settings.SITE_ID,
                    user_id=author.pk,
                    user_name=author.display_name[:50],
                    user_email=author.email,
                    comment=" ".join(rng.choices(WORDS, k=rng.randint(8, 40))).capitalize() + ".",
                    submit_date=now,
                    is_public=True,
                    is_removed=False,
                )
                for author, section in zip(authors, targets, strict=True)
            ]
        )
        xtd = []
        ours = []
        for row, author, section in zip(base, authors, targets, strict=True):
            xtd.append(
                XtdComment(
                    comment_ptr_id=row.pk,
                    thread_id=row.pk,
                    parent_id=row.pk,
                    level=0,
                    order=1,
                    nested_count=0,
                )
            )
            group = group_of.get(author.pk)
            ours.append(
                Comment(
                    xtdcomment_ptr_id=row.pk,
                    paper_id=paper.pk,
                    section_id=section.pk,
                    author_name=author.display_name,
                    organisation_name="",
                    working_group_id=group.pk if group else None,
                    working_group_name=group.name if group else "",
                    version_label=paper.version_label,
                    stage=paper.consultation.current_stage,
                )
            )
            made.append((row.pk, section.pk, author.pk))
        _insert_local(XtdComment, xtd)
        _insert_local(Comment, ours)
    return made
