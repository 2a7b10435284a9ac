"""Demo data for working groups, stages and sign-off.

Adds observers and a past member to the foundation's groups, a request to
join and an invitation waiting for an answer, and four short consultations so
that one sits at every stage. The consultations are moved through their
stages by the same service editors use, and convenors record sign-offs with
the same service as the sign-off form, so the stage history, the sign-off
positions and the public process record are real.

Runs after the foundation steps; idempotent (each consultation is built only
if its slug is missing).
"""

import datetime

from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from wagtail.models import GroupPagePermission

from consultation.demo.builder import EDITOR_PAGE_PERMISSIONS, EDITORS_GROUP, _publish_new_page, _user
from consultation.demo.content import _clauses, _p, _question
from consultation.models import ConsultationPage, ConsultationStageDates, PolicyPaperPage, SectionPage
from consultation.stages.services import consultation_move_stage
from workinggroups.models import Invitation, JoinRequest, Membership, Position
from workinggroups.services.memberships import INVITATION_VALID_FOR
from workinggroups.services.signoffs import SectionPositionInput, signoff_record

# username, display name, group slug, organisation name (None: independent)
OBSERVERS = [
    ("costs-observer", "Imogen Hale", "costs-and-benefits", "Local Services Data Forum"),
    ("safeguards-observer", "Tomasz Nowak", "safeguards-and-oversight", None),
]
PAST_MEMBER = ("conditions-former", "Bernard Osei", "conditions-for-sharing", "Access Together")
PENDING_INVITATION = ("new.expert@example.org", "safeguards-and-oversight", "member")
JOIN_REQUEST_MESSAGE = (
    "I run a benefits advice service and see the effects of data matching on claimants every week. "
    "I would like to contribute that experience to the group's review."
)

# Each consultation: where it is, and the positions its groups recorded on the way.
CONSULTATIONS = [
    {
        "slug": "automated-decisions-using-shared-data",
        "title": "Automated decisions using shared data",
        "stage": "drafting",
        "dates": [("drafting", -10, 30), ("review", 31, 70), ("signoff", 71, 85), ("scrutiny", 86, 140)],
        "summary": (
            "<p>Some public bodies now use shared data to make or support decisions about people "
            "automatically: who is invited to a health check, whose claim is reviewed. This consultation "
            "will ask when that is acceptable and what people must be told. The policy team is still "
            "drafting the paper; the working groups are invited to review it from next month.</p>"
        ),
        "paper": {
            "title": "Automated decisions: outline proposals",
            "slug": "outline-proposals",
            "version": "v0.1",
            "summary": "<p>An early outline, published so that people can see what is being drafted.</p>",
            "sections": [
                (
                    "What counts as an automated decision",
                    [
                        *_p(
                            "A decision is automated when a system, not a person, settles the outcome, or "
                            "when a person signs off the system's answer without a real chance to change it."
                        ),
                        _question("Does this definition catch the decisions you are worried about?"),
                    ],
                ),
                (
                    "What people must be told",
                    _p(
                        "People should be told, in plain words and before a decision is made, that shared "
                        "data will be used, what it will be used for, and how to ask a person to look again."
                    ),
                ),
            ],
        },
        "story": [],
    },
    {
        "slug": "data-matching-for-public-sector-debt",
        "title": "Data matching for public-sector debt: a code of practice",
        "stage": "signoff",
        "dates": [("drafting", -90, -50), ("review", -49, -8), ("signoff", -7, 10), ("scrutiny", 11, 60)],
        "summary": (
            "<p>When several public bodies are owed money by the same person, matching their records can "
            "help agree one affordable repayment plan instead of several competing ones. It can also "
            "pile pressure on people who are already struggling. This draft code sets out how matching "
            "for debt should be done. The working groups are now recording whether they endorse it.</p>"
        ),
        "paper": {
            "title": "Draft code of practice on data matching for debt",
            "slug": "draft-code-of-practice",
            "version": "v2",
            "summary": "<p>The second draft, revised after working-group review.</p>",
            "sections": [
                (
                    "Affordability comes first",
                    [
                        *_p(
                            "A body that finds, through matching, that a person owes money elsewhere in the "
                            "public sector must assess what the person can afford to repay in total before "
                            "it asks for any repayment."
                        ),
                        _clauses(
                            "The assessment uses the standard financial statement.",
                            "Repayments to all public bodies together must not exceed what is affordable.",
                        ),
                    ],
                ),
                (
                    "Breathing space",
                    _p(
                        "Where a person is in a statutory breathing space or mental health crisis "
                        "breathing space, matched data must not be used to start or step up enforcement."
                    ),
                ),
            ],
        },
        "story": [
            ("move", "review", ""),
            ("move", "signoff", ""),
            (
                "sign",
                "costs-and-benefits",
                Position.RESERVATIONS,
                "We endorse the code, on condition that the savings it claims are measured and published "
                "a year after it comes into force.",
                [(0, Position.ENDORSE, ""), (1, Position.RESERVATIONS, "Say who checks that it is applied.")],
            ),
            (
                "sign",
                "safeguards-and-oversight",
                Position.DO_NOT_ENDORSE,
                "The code relies on each body's own checks. Without an independent route to complain "
                "about a match, we cannot endorse it.",
                [],
            ),
        ],
    },
    {
        "slug": "telling-people-about-data-sharing",
        "title": "Telling people about data sharing",
        "stage": "scrutiny",
        "dates": [
            ("drafting", -150, -110),
            ("review", -109, -60),
            ("signoff", -59, -40),
            ("scrutiny", -39, 30),
        ],
        "summary": (
            "<p>People have a right to know when public bodies share information about them. This "
            "standard sets out what a notice about data sharing must say and how it must be written. "
            "All three working groups have recorded their positions; the draft is now open to everyone "
            "for comment.</p>"
        ),
        "paper": {
            "title": "Standard for data sharing notices",
            "slug": "standard-for-notices",
            "version": "v3",
            "summary": "<p>The draft standard, signed off by the working groups.</p>",
            "sections": [
                (
                    "Plain language",
                    _p(
                        "Notices are written for a reading age of nine, tested with people who will read "
                        "them, and available in the formats people ask for."
                    ),
                ),
                (
                    "What every notice says",
                    [
                        _clauses(
                            "Which bodies share the data, and which data.",
                            "What the sharing is for, and the law that allows it.",
                            "How long the shared data is kept.",
                            "How to object, and how to complain.",
                        ),
                        _question("Is anything missing from this list?"),
                    ],
                ),
            ],
        },
        "story": [
            ("move", "review", ""),
            ("move", "signoff", ""),
            ("sign", "costs-and-benefits", Position.ENDORSE, "", []),
            ("sign", "conditions-for-sharing", Position.ENDORSE, "", []),
            (
                "sign",
                "safeguards-and-oversight",
                Position.RESERVATIONS,
                "We endorse the standard. The test with readers must include people who use assistive "
                "technology and people with low literacy.",
                [(0, Position.RESERVATIONS, "Name the accessible formats, including Easy Read.")],
            ),
            ("move", "scrutiny", ""),
        ],
    },
    {
        "slug": "research-access-to-linked-data",
        "title": "Research access to linked administrative data",
        "stage": "final",
        "dates": [
            ("drafting", -330, -280),
            ("review", -279, -220),
            ("signoff", -219, -200),
            ("scrutiny", -199, -120),
            ("final", -119, None),
        ],
        "summary": (
            "<p>Researchers can learn a great deal from administrative data linked across public bodies, "
            "if it is done safely. This consultation agreed the conditions under which accredited "
            "researchers may use linked, de-identified data. It has closed; the final framework is "
            "published below.</p>"
        ),
        "paper": {
            "title": "Framework for research access to linked data",
            "slug": "final-framework",
            "version": "v4",
            "summary": "<p>The final framework, after public scrutiny.</p>",
            "sections": [
                (
                    "Safe people, safe projects, safe settings",
                    _p(
                        "Only accredited researchers, working on approved projects in a trusted research "
                        "environment, may use linked data, and only de-identified data leaves it."
                    ),
                ),
                (
                    "Publishing what is done",
                    _p(
                        "Every approved project is listed in a public register, with its purpose, the data "
                        "it uses and, when it ends, its findings."
                    ),
                ),
            ],
        },
        "story": [
            ("move", "review", ""),
            ("move", "signoff", ""),
            ("sign", "costs-and-benefits", Position.ENDORSE, "", []),
            (
                "sign",
                "safeguards-and-oversight",
                Position.RESERVATIONS,
                "We endorse the framework if the public register is kept up to date and easy to search.",
                [],
            ),
            (
                "move",
                "scrutiny",
                "The research funding round closes in March and accredited researchers need the framework "
                "before then. The Conditions for sharing group has said it will publish its position during "
                "public scrutiny.",
            ),
            ("move", "final", ""),
        ],
    },
]


def _day(demo, offset):
    return None if offset is None else demo.today + datetime.timedelta(days=offset)


def build_group_roles(demo):
    """Observers, a past member, a request to join and an open invitation."""
    for username, name, slug, organisation_name in OBSERVERS:
        group = demo.groups[slug]
        user = _user(demo, username, name, organisation_name or "Independent expert")
        if not Membership.objects.filter(group=group, user=user).exists():
            Membership.objects.create(
                group=group,
                user=user,
                role=Membership.Role.OBSERVER,
                organisation=demo.organisations.get(organisation_name),
                joined_at=demo.stage_start("review"),
            )
            demo.note(f"observer {username} in {slug}")

    username, name, slug, organisation_name = PAST_MEMBER
    group = demo.groups[slug]
    user = _user(demo, username, name, organisation_name)
    if not Membership.objects.filter(group=group, user=user).exists():
        Membership.objects.create(
            group=group,
            user=user,
            role=Membership.Role.MEMBER,
            organisation=demo.organisations[organisation_name],
            joined_at=demo.stage_start("review"),
            left_at=timezone.now() - datetime.timedelta(days=5),
            ended_reason=Membership.EndReason.LEFT,
            ended_by=user,
        )
        demo.note(f"past member {username} in {slug}")

    public = demo.users["public"]
    group = demo.groups["costs-and-benefits"]
    if not JoinRequest.objects.filter(group=group, user=public).exists():
        JoinRequest.objects.create(
            group=group,
            user=public,
            organisation_name="Northmoor Welfare Rights",
            message=JOIN_REQUEST_MESSAGE,
        )
        demo.note(f"request from public to join {group.slug}")

    email, slug, role = PENDING_INVITATION
    group = demo.groups[slug]
    if not Invitation.objects.filter(group=group, email=email).exists():
        now = timezone.now()
        Invitation.objects.create(
            group=group,
            email=email,
            role=role,
            invited_by=Membership.objects.current().convenors().filter(group=group).first().user,
            expires_at=now + INVITATION_VALID_FOR,
        )
        demo.note(f"invitation to {email}")


def build_stage_consultations(demo):
    """One short consultation at each stage other than the main one's."""
    for spec in CONSULTATIONS:
        if ConsultationPage.objects.child_of(demo.index).filter(slug=spec["slug"]).exists():
            continue
        _build_consultation(demo, spec)


def _build_consultation(demo, spec):
    editor = demo.editor
    consultation = ConsultationPage(
        title=spec["title"],
        slug=spec["slug"],
        summary=spec["summary"],
        run_by="Cross-Government Data Sharing Policy Unit",
        current_stage="drafting",
    )
    consultation.stage_dates = [
        ConsultationStageDates(stage=stage, starts_on=_day(demo, start), ends_on=_day(demo, end))
        for stage, start, end in spec["dates"]
    ]
    consultation.invited_groups = list(demo.groups.values())
    consultation = _publish_new_page(demo, demo.index, consultation, user=editor)

    paper_spec = spec["paper"]
    paper = _publish_new_page(
        demo,
        consultation,
        PolicyPaperPage(
            title=paper_spec["title"],
            slug=paper_spec["slug"],
            summary=paper_spec["summary"],
            version_label=paper_spec["version"],
            status=PolicyPaperPage.Status.FINAL if spec["stage"] == "final" else PolicyPaperPage.Status.DRAFT,
        ),
        user=editor,
    )
    sections = [
        _publish_new_page(demo, paper, SectionPage(title=title, body=body), user=editor)
        for title, body in paper_spec["sections"]
    ]

    for step in spec["story"]:
        if step[0] == "move":
            _, to_stage, reason = step
            consultation_move_stage(
                consultation=consultation,
                to_stage=to_stage,
                actor=editor,
                reason=reason,
                override=bool(reason),
            )
        else:
            _, slug, position, statement, section_specs = step
            group = demo.groups[slug]
            convenor = Membership.objects.current().convenors().get(group=group).user
            signoff_record(
                group=group,
                paper=paper,
                version_label=paper.version_label,
                position=position,
                statement=statement,
                section_positions=[
                    SectionPositionInput(section=sections[index], position=pos, statement=text)
                    for index, pos, text in section_specs
                ],
                actor=convenor,
            )
            demo.note(f"sign-off by {slug} on {paper.slug}")
    assert consultation.current_stage == spec["stage"], spec["slug"]


# What the demo's editors may do with working groups in the Wagtail admin.
EDITOR_MODEL_PERMISSIONS = {
    "workinggroup": ("add", "change", "view"),
    "membership": ("add", "change", "view"),
    "organisation": ("add", "change", "view"),
    "invitation": ("view",),
    "joinrequest": ("view",),
    "signoff": ("view",),
}


def build_editor_group_permissions(demo):
    """Editors manage groups in the admin and move every demo consultation."""
    editors = Group.objects.get(name=EDITORS_GROUP)
    for model, actions in EDITOR_MODEL_PERMISSIONS.items():
        for action in actions:
            permission = Permission.objects.get(
                content_type__app_label="workinggroups", codename=f"{action}_{model}"
            )
            if not editors.permissions.filter(pk=permission.pk).exists():
                editors.permissions.add(permission)
                demo.note(f"{action}_{model} for {EDITORS_GROUP}")
    for spec in CONSULTATIONS:
        consultation = ConsultationPage.objects.child_of(demo.index).get(slug=spec["slug"])
        for codename in EDITOR_PAGE_PERMISSIONS:
            permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            _grant, created = GroupPagePermission.objects.get_or_create(
                group=editors, page=consultation, permission=permission
            )
            if created:
                demo.note(f"{codename} on {consultation.slug} for {EDITORS_GROUP}")


def build_groups(demo):
    build_group_roles(demo)
    build_stage_consultations(demo)
    build_editor_group_permissions(demo)
