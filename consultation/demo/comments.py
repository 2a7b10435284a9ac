"""Demo data for comments: a few real conversations on the demo paper.

Working-group members discuss sections and the paper as a whole, in threads up
to three levels deep, spread over the first weeks of working-group review.
One comment that named a member of the public has been hidden by the
moderator, so the tombstone and the moderation log have something to show.

Everything goes through the same services as the site (`comment_create`,
`comment_hide`), so the rules, the snapshots of group and organisation, the
version label and the process record are real. Idempotent: a comment already
posted by the same person with the same text is not posted again.
"""

import datetime

from consultation.comments.services import comment_create, comment_hide
from consultation.models import Comment

# Each thread: the section slug (None: the paper as a whole), the day of review
# it started, then (username, text) for the comment and its replies in order,
# each reply answering the one before it.
THREADS = [
    (
        "safeguards",
        3,
        [
            (
                "safeguards-member2",
                "Two years is too short for access logs. Most people only find out their data was used "
                "when a decision goes against them, and complaints and appeals routinely take longer "
                "than that.\n\n"
                "We suggest at least six years, in line with the limitation period for most civil claims.",
            ),
            (
                "costs-member1",
                "Agreed on the period. The cost of keeping logs is small next to the cost of not being able "
                "to show who looked at what. Could a yearly published summary of the logs go with it?",
            ),
            (
                "safeguards-convenor",
                "Our group supports both points and will put them in our sign-off statement: six years, and "
                "an annual summary that anyone can read.",
            ),
        ],
    ),
    (
        "purposes-for-which-sharing-is-supported",
        5,
        [
            (
                "conditions-member1",
                "Sharing to find people who are entitled to support but have not claimed it is welcome, but "
                "the paper should say what happens next. Is the person contacted, or is support started "
                "without asking them?",
            ),
            (
                "costs-member2",
                "From the advice line: people are often alarmed by an unexpected letter saying the "
                "government 'knows' they are entitled. Contact should come from a service they already deal "
                "with, and it should always be possible to say no.",
            ),
        ],
    ),
    (
        "benefits-and-the-evidence-for-them",
        8,
        [
            (
                "costs-convenor",
                "Three of the five pilots in the evidence table had no comparison group, so we cannot tell "
                "how much of the improvement came from sharing data. The table should say which claims rest "
                "on stronger evidence.",
            ),
            (
                "conditions-convenor",
                "A column grading the strength of evidence for each benefit would help readers and keep "
                "future evaluations honest.",
            ),
        ],
    ),
    (
        "risks-to-privacy-and-trust",
        10,
        [
            (
                "safeguards-member1",
                "Risks fall hardest on people who cannot easily read a privacy notice. The section should "
                "name disabled people and people with low literacy, and commit to Easy Read versions of "
                "every notice.",
            ),
        ],
    ),
    (
        None,
        12,
        [
            (
                "conditions-convenor",
                "The framework would be clearer if it said at the start that sharing is the exception that "
                "needs a reason, not the default. Sections 2 and 5 read differently on this point.",
            ),
            (
                "safeguards-convenor",
                "Strongly agree. Saying it once, at the start, also helps the public scrutiny stage.",
            ),
        ],
    ),
]

# A comment that named a member of the public, with a reply; the moderator
# hid the comment (its reply stays under the tombstone) and the author posted
# it again without the details.
HIDDEN = (
    "transparency-to-citizens",
    14,
    "costs-member2",
    "A client of ours, [name and town withheld in this demo], only learned her records had been shared when "
    "her benefit was stopped. Notices must reach people before anything happens.",
    "The comment described an identifiable person's case. The author has been asked to post it again without "
    "those details.",
)
HIDDEN_REPLY = (
    "safeguards-member1",
    "This is why the notice has to come first. A letter after the decision is not transparency.",
)
REPOST = (
    "costs-member2",
    "Posting again without the details: we see people who learn their records were shared only when a "
    "payment stops. Notices must reach people before anything happens to them.",
)


def _target(demo, slug):
    return demo.paper if slug is None else demo.sections[slug]


def _post(demo, username, target, text, *, parent=None, day=0, order=0):
    author = demo.users[username]
    existing = Comment.objects.filter(user=author, paper=demo.paper, comment=text).first()
    if existing is not None:
        return existing
    comment = comment_create(author=author, target=target, text=text, parent=parent, followup=False)
    # Back-date into the review stage, a few hours apart, so the thread reads in order.
    posted = demo.stage_start("review") + datetime.timedelta(days=day, hours=2 * order)
    Comment.objects.filter(pk=comment.pk).update(submit_date=posted)
    demo.note(f"comment by {username} on {getattr(target, 'slug', target)}")
    return comment


def add_demo_comments(demo):
    """Post the demo's conversations on the demo paper (idempotent)."""
    for slug, day, messages in THREADS:
        target = _target(demo, slug)
        parent = None
        for order, (username, text) in enumerate(messages):
            parent = _post(demo, username, target, text, parent=parent, day=day, order=order)

    slug, day, username, text, reason = HIDDEN
    target = _target(demo, slug)
    hidden = _post(demo, username, target, text, day=day)
    if not hidden.is_hidden:
        # The reply comes before the decision: replies cannot be added to a hidden comment.
        _post(demo, HIDDEN_REPLY[0], target, HIDDEN_REPLY[1], parent=hidden, day=day, order=1)
        comment_hide(comment=hidden, moderator=demo.moderator, reason=reason)
        demo.note("a hidden comment")
    _post(demo, REPOST[0], target, REPOST[1], day=day + 1)
