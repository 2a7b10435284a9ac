"""Acceptance 3: hostile text in comments, names, pseudonyms and organisations renders inert
on every page that shows it and in every email.

"Inert" is checked by parsing the HTML, not by searching strings (tests/security/inert.py,
shared with the corpus in tests/security/test_xss_corpus.py): escaped text such as
`&lt;img onerror=...&gt;` is harmless and expected; an element or attribute is not.
"""

import math

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from consultation.comments.sanitise import render_comment_text
from consultation.comments.selectors import threads_per_page
from consultation.comments.services import comment_flag, comment_hide, paper_follow
from tests.security.inert import InertChecker, assert_inert
from tests.support.contributions import add_comment, post_data
from tests.support.factories import MembershipFactory, OrganisationFactory, UserFactory, WorkingGroupFactory
from tests.support.people import person_in_role
from tests.support.trees import build_site_tree

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    "javascript:alert(1)",
    "[click](javascript:alert(1))",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<button formaction=javascript:alert(1)>x</button>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<style>@import 'javascript:alert(1)';</style>",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    '<a href="https://example.org" onclick="alert(1)">ok</a>',
    'https://example.org/"onmouseover="alert(1)',
    "https://example.org/<script>alert(1)</script>",
    'www.example.org/?q="><svg/onload=alert(1)>',
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "<template><script>alert(1)</script></template>",
    "<isindex action=javascript:alert(1) type=image>",
    "<marquee onstart=alert(1)>",
    "<select onfocus=alert(1) autofocus>",
    "<keygen autofocus onfocus=alert(1)>",
    "{{ 7|add:7 }} {% debug %}",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    "<img src=1 onerror=&#97;&#108;&#101;&#114;&#116;(1)>",
    '<a href="mailto:x@example.org?subject=<script>alert(1)</script>">m</a>',
    "<p onmouseover=alert(1)>hover</p>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_comment_text_renders_inert(payload):
    html = str(render_comment_text(payload))
    assert_inert(html, payload)
    assert "<script" not in html.lower()


@pytest.fixture
def hostile(db, settings):
    """A consultation in public scrutiny where every payload is a comment, a reply, a display
    name, a pseudonym, an organisation and a working-group name."""
    settings.SITE_URL = "https://openpolicy.example.gov"
    evil_group = WorkingGroupFactory(name="<img src=x onerror=alert('group')>")
    tree = build_site_tree(sections=2, stage="scrutiny", groups=[evil_group])
    section, paper = tree["sections"][0], tree["paper"]
    follower = UserFactory(email="follower@example.org")
    paper_follow(paper=paper, user=follower)
    comments = []
    for number, payload in enumerate(PAYLOADS):
        member = UserFactory(display_name=payload[:120], email=f"member{number}@example.org")
        MembershipFactory(
            group=evil_group, user=member, organisation=OrganisationFactory(name=f"{payload[:190]} {number}")
        )
        public = UserFactory(
            display_name=payload[:120],
            pseudonym=payload[:80],
            use_pseudonym=True,
            organisation=payload[:200],
            email=f"public{number}@example.org",
        )
        comment = add_comment(member, section, payload)
        reply = add_comment(public, section, f"Reply: {payload}", parent=comment)
        add_comment(public, paper, f"On the paper: {payload}")
        comments.append((comment, reply))
    return tree | {"section": section, "comments": comments, "group": evil_group}


def test_every_page_renders_every_payload_inert(
    client, hostile, django_capture_on_commit_callbacks, settings
):
    section, paper = hostile["section"], hostile["paper"]
    moderator = person_in_role("moderator", hostile)
    moderator.groups.get().permissions.add(Permission.objects.get(codename="access_admin"))
    first, first_reply = hostile["comments"][0]
    comment_flag(comment=first, reporter=UserFactory(), reason="other", details=PAYLOADS[2])
    comment_hide(comment=hostile["comments"][1][0], moderator=moderator, reason=PAYLOADS[0])

    pages = {}
    for who in ("anonymous", "member"):
        if who == "member":
            client.force_login(first.user)
        pages[f"paper ({who})"] = client.get(paper.url)
        pages[f"section ({who})"] = client.get(section.url)
        # The paper page shows the newest conversations; every payload is on some page of its thread.
        last = math.ceil(len(PAYLOADS) / threads_per_page())
        for number in range(2, last + 1):
            pages[f"section page {number} ({who})"] = client.get(f"{section.url}?page={number}")
        for number in range(1, last + 1):
            pages[f"paper comments page {number} ({who})"] = client.get(f"{paper.url}comments/?page={number}")
    client.force_login(first.user)
    for comment, _ in hostile["comments"][:10]:
        pages[f"reply page {comment.pk}"] = client.get(f"/consultation/comments/{comment.pk}/reply/")
    pages["flag page"] = client.get(f"/consultation/comments/{first_reply.pk}/flag/")
    pages["profile"] = client.get("/accounts/profile/")
    # A rejected post comes back with the hostile text in the form.
    pages["error page"] = client.post(
        "/consultation/comments/post/", post_data(section, text=PAYLOADS[0] * 200)
    )
    client.force_login(first_reply.user)  # someone else replies, so the author is emailed
    with django_capture_on_commit_callbacks(execute=True):
        pages["fetch fragment"] = client.post(
            "/consultation/comments/post/",
            post_data(section, text=PAYLOADS[5], reply_to=first.pk),
            headers={"x-requested-with": "XMLHttpRequest"},
        )
    client.force_login(moderator)
    pages["moderation queue"] = client.get("/admin/comment-moderation/")
    pages["moderation comment"] = client.get(f"/admin/comment-moderation/comments/{first.pk}/")
    client.logout()
    pages["moderation log"] = client.get(f"/consultation/{hostile['consultation'].pk}/moderation/")

    for where, response in pages.items():
        assert response.status_code in (200, 201, 400), where
        assert_inert(response.content.decode(), where)
    # The payloads really were on the pages (escaped), so the check looked at them.
    everything = "".join(response.content.decode() for response in pages.values())
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[f"section page {last} (anonymous)"].content.decode()
    )
    assert everything.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2
    assert (
        "&lt;img src=x onerror=alert(&#x27;group&#x27;)&gt;" in pages["section (anonymous)"].content.decode()
    )

    # Emails: the reply above went to the comment's author and to the paper's follower.
    assert {tuple(m.to) for m in mail.outbox} == {(first.user_email,), ("follower@example.org",)}
    for message in mail.outbox:
        html = message.alternatives[0][0]
        assert_inert(html, f"email to {message.to}")
        assert "&lt;body onload=alert(1)&gt;" in html
        # Plain-text email is never interpreted as markup: the text is shown as written.
        assert PAYLOADS[5] in message.body


def test_reply_emails_with_hostile_names_and_text_are_inert(hostile, django_capture_on_commit_callbacks):
    section = hostile["section"]
    mail.outbox.clear()
    for payload, (comment, _) in zip(PAYLOADS, hostile["comments"], strict=True):
        # A member of the public replying under a hostile pseudonym and organisation.
        replier = UserFactory(
            display_name=payload[:120], pseudonym=payload[:80], use_pseudonym=True, organisation=payload[:200]
        )
        with django_capture_on_commit_callbacks(execute=True):
            add_comment(replier, section, f"{payload} (reply)", parent=comment)
    replies = [m for m in mail.outbox if m.subject.startswith("New reply")]
    assert len(replies) == len(PAYLOADS)
    for message in mail.outbox:
        assert_inert(message.alternatives[0][0], message.subject)


def test_the_checker_itself_catches_the_payloads_when_they_are_not_escaped():
    caught = []
    for payload in PAYLOADS:
        checker = InertChecker()
        checker.feed(payload)
        checker.close()
        caught.append(bool(checker.problems))
    # The rest are plain text even unescaped (encoded forms, template syntax, bare URLs).
    assert sum(caught) >= 40, [p for p, c in zip(PAYLOADS, caught, strict=True) if not c]
