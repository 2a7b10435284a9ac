"""Demo data for competing proposals: two alternative wordings for “Transparency to citizens”.

Two members of different working groups propose different answers to the same
weakness in the section — one adds a paragraph, the other rewrites a clause —
and members of the three groups react to both, so the section shows them
ranked by support across groups, with their word-level diffs, and the report
lists both. Everything goes through the same services as the site. Idempotent:
a proposal that exists is not made again, and reactions are set, not added.
"""

from consultation.models import Proposal, ProposalKind
from consultation.proposals.selectors import section_wording
from consultation.proposals.services import proposal_create
from consultation.reactions.services import reaction_set

SECTION_SLUG = "transparency-to-citizens"

ADDED_PARAGRAPH = (
    "Once a year, and without being asked, every public body tells the people whose data it has shared "
    "which other bodies received it and for what purpose, through the channel they already use for the "
    "service."
)
ADDED_RATIONALE = (
    "An account on request puts the burden on the people least likely to know there is anything to ask "
    "about. In our members' experience, people find out about sharing only when a decision goes against "
    "them. A yearly statement turns a right most people never use into information everyone receives."
)

# A rewording of one clause: the replacement is the section's current wording with this phrase changed.
OLD_PHRASE = "and receive it within one month."
NEW_PHRASE = (
    "and receive it within ten working days, in the format they ask for, including easy read and British "
    "Sign Language."
)
REPLACEMENT_RATIONALE = (
    "A month is too long when a person is challenging a decision with a deadline of its own. And an account "
    "that a person cannot read is no account at all: the format should be theirs to choose, as it already "
    "is for the notices above."
)

# (username, choice) for each proposal. The added paragraph is agreed across all three groups; the
# reworded clause is agreed strongly by one group and split in another.
ADDED_REACTIONS = [
    ("costs-convenor", "agree"),
    ("costs-member1", "agree"),
    ("costs-member2", "neutral"),
    ("safeguards-convenor", "agree"),
    ("safeguards-member1", "agree"),
    ("safeguards-member2", "agree"),
    ("conditions-convenor", "agree"),
]
REPLACEMENT_REACTIONS = [
    ("conditions-convenor", "agree"),
    ("conditions-member1", "agree"),
    ("conditions-member2", "agree"),
    ("costs-convenor", "disagree"),
    ("costs-member1", "agree"),
    ("costs-member2", "disagree"),
    ("safeguards-convenor", "agree"),
]


def _propose(demo, *, username, section, kind, text, rationale):
    author = demo.users[username]
    existing = Proposal.objects.filter(author=author, section=section, kind=kind).first()
    if existing is not None:
        return existing
    proposal = proposal_create(author=author, section=section, kind=kind, text=text, rationale=rationale)
    demo.note(f"proposal {proposal.pk} by {username} on {section.slug}")
    return proposal


def build_proposals(demo):
    section = demo.sections[SECTION_SLUG]
    added = _propose(
        demo,
        username="conditions-member1",
        section=section,
        kind=ProposalKind.ADDITION,
        text=ADDED_PARAGRAPH,
        rationale=ADDED_RATIONALE,
    )
    current = section_wording(section)
    replaced = Proposal.objects.filter(section=section, kind=ProposalKind.REPLACEMENT).first()
    if replaced is None and OLD_PHRASE in current:
        replaced = _propose(
            demo,
            username="safeguards-member1",
            section=section,
            kind=ProposalKind.REPLACEMENT,
            # One paragraph (or list item) per line in the wording; blank lines between them in the proposal.
            text="\n\n".join(current.replace(OLD_PHRASE, NEW_PHRASE).split("\n")),
            rationale=REPLACEMENT_RATIONALE,
        )
    if replaced is not None:
        for username, choice in REPLACEMENT_REACTIONS:
            reaction_set(user=demo.users[username], target=replaced, choice=choice)
    for username, choice in ADDED_REACTIONS:
        reaction_set(user=demo.users[username], target=added, choice=choice)
