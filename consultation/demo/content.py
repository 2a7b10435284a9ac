"""The words of the demo consultation.

Everything here is fiction written for this project: the unit, the
organisations and the people do not exist. Where the text mentions real law
or real services (UK GDPR, the Data Protection Act 2018, Part 5 of the
Digital Economy Act 2017, the ICO's data sharing code, Tell Us Once) it does so
in general terms, as a serious draft would.

Kept apart from `builder.py` so that the prose can be edited without reading code.
"""

from consultation.models import RestrictionCategory
from workinggroups.models import Organisation

PASSWORD = "open-policy-demo"  # noqa: S105 — published in the README: these are demo accounts

# ---------------------------------------------------------------- site pages

HOME_TITLE = "Open Policy"
HOME_INTRO = """
<p><b>Open Policy</b> is where public bodies draft policy in the open. A policy team publishes its
draft paper section by section. Invited working groups — charities, researchers, think tanks and
independent experts, each member speaking for a named organisation — comment on every section, say
whether they agree, and propose better wording. Then the public has its say, and every change is kept.</p>
<p>Nothing is hidden without a reason. When a passage cannot be published, its heading stays on the page
with the reason it is withheld and the date the decision will be looked at again.</p>
<ul>
<li>Read a draft at your own pace: every section has its own page and a permanent link you can cite.</li>
<li>See where a consultation stands: each one moves through drafting, working-group review, sign-off,
public scrutiny and a final version, with the dates published in advance.</li>
<li>Everything works with a keyboard, with a screen reader and without JavaScript.</li>
</ul>
"""

INDEX_TITLE = "Consultations"
INDEX_SLUG = "consultations"
INDEX_INTRO = """
<p>Each consultation below is one policy being drafted in the open. Open one to see its stages, who runs
it and the papers it has published so far.</p>
"""

ACCESSIBILITY_TITLE = "Accessibility statement"
ACCESSIBILITY_SLUG = "accessibility"
ACCESSIBILITY_BODY = """
<p>This statement covers the Open Policy website: the consultation, paper and section pages, signing in,
taking part in a working group, and the parts of the site that show live agreement tallies. It does not
cover documents that public bodies attach to their papers, which they are responsible for.</p>

<h2>How accessible this website is</h2>
<p>We want as many people as possible to be able to use this website, whatever device or assistive
technology they use. You should be able to:</p>
<ul>
<li>read and take part using only a keyboard, with a visible focus indicator at every step;</li>
<li>use the site with a screen reader; changes that happen while you read, such as updated agreement
counts, are announced politely rather than interrupting you;</li>
<li>zoom text to 400% and read the pages on a narrow screen without scrolling sideways;</li>
<li>use every feature with JavaScript switched off: forms submit as ordinary web pages and live updates
become something you refresh;</li>
<li>tell states apart without relying on colour, because every state also has words.</li>
</ul>

<h2>Our standard</h2>
<p>We aim to meet the Web Content Accessibility Guidelines (WCAG) version 2.2 at level AA.</p>

<h2>How we test</h2>
<ul>
<li>Every page in our automated browser tests is checked with axe-core against the WCAG 2.0, 2.1 and 2.2
A and AA rules. A single failure stops a change from being released.</li>
<li>We test each journey with a keyboard only, and check that focus order and focus visibility make
sense.</li>
<li>We test each journey with JavaScript disabled.</li>
<li>We check new pages with a screen reader before release.</li>
</ul>
<p>Automated tools find only some problems. We also ask people who use assistive technology to try new
features, and we act on what they tell us.</p>

<h2>Known problems</h2>
<p>We are not aware of any part of the site that fails WCAG 2.2 AA. Documents that public bodies attach to
their papers may not be accessible; if you need one in another format, ask us and we will pass the request
to the body that published it and chase a reply.</p>

<h2>Reporting a problem or asking for another format</h2>
<p>If something on this site does not work for you, or you need information in a different format such
as large print, easy read, audio or Braille, tell us what you were trying to do and which page you were
on. Contact the team that runs the consultation, or write to the site team. We will acknowledge your
message within 2 working days and aim to fix the problem or give you the information another way within
10 working days.</p>

<h2>If you are not happy with our response</h2>
<p>The public body responsible for this website must follow the accessibility regulations that apply to
public sector websites. If you contact us and are not happy with how we respond, you can complain to the
body that enforces those regulations in your country, or to an equality advisory service, which can help
you make the complaint.</p>

<h2>Preparation of this statement</h2>
<p>This statement is reviewed whenever a new feature is released, and at least once a year.</p>
"""

# ---------------------------------------------------------------- accounts

# username, display name, organisation text on the account, email
EDITOR = ("editor", "Priya Raman", "Cross-Government Data Sharing Policy Unit")
MODERATOR = ("moderator", "Sam Whitfield", "Open Policy moderation team")
PUBLIC = ("public", "Alex Morgan", "")

# ---------------------------------------------------------------- working groups

ORGANISATIONS = [
    ("Citizens' Data Trust", Organisation.Kind.CHARITY, "https://citizens-data-trust.example.org"),
    ("Fairshare Advice Network", Organisation.Kind.CHARITY, "https://fairshare-advice.example.org"),
    ("Access Together", Organisation.Kind.CHARITY, "https://access-together.example.org"),
    (
        "Bridgewater Institute for Public Policy",
        Organisation.Kind.THINK_TANK,
        "https://bridgewater.example.org",
    ),
    (
        "Centre for Evidence in Government",
        Organisation.Kind.THINK_TANK,
        "https://evidence-centre.example.org",
    ),
    (
        "University of Northmoor, School of Law and Society",
        Organisation.Kind.ACADEMIC,
        "https://law.northmoor.example.ac.uk",
    ),
    ("Local Services Data Forum", Organisation.Kind.PUBLIC_BODY, "https://lsdf.example.org"),
]

# Each group: its people as (username, display name, role, organisation name or None for an
# independent expert). Usernames follow "<group>-convenor" and "<group>-member<n>".
GROUPS = [
    {
        "slug": "costs-and-benefits",
        "name": "Costs and benefits",
        "remit": (
            "Tests the paper's claims about what data sharing achieves and what it costs: whether the "
            "evidence for each benefit is good enough, who bears the costs, and what should be measured "
            "so that benefits can be checked after the fact."
        ),
        "topics": "evidence, value for money, evaluation, fraud, error and debt",
        "people": [
            ("costs-convenor", "Dr Helen Achebe", "convenor", "Centre for Evidence in Government"),
            ("costs-member1", "Marcus Lindqvist", "member", "Bridgewater Institute for Public Policy"),
            ("costs-member2", "Ruth Okonjo", "member", "Fairshare Advice Network"),
        ],
    },
    {
        "slug": "conditions-for-sharing",
        "name": "Conditions for sharing",
        "remit": (
            "Examines when sharing should be allowed at all: the purposes the framework supports, the "
            "legal gateways it relies on, and the conditions a public body must meet before it shares."
        ),
        "topics": "purposes, legal gateways, proportionality, research and statistics",
        "people": [
            (
                "conditions-convenor",
                "Professor Daniel Mwangi",
                "convenor",
                "University of Northmoor, School of Law and Society",
            ),
            ("conditions-member1", "Aisha Rahman", "member", "Local Services Data Forum"),
            ("conditions-member2", "Geraint Powell", "member", None),
        ],
    },
    {
        "slug": "safeguards-and-oversight",
        "name": "Safeguards and oversight",
        "remit": (
            "Looks at how people are protected once sharing happens: safeguards, governance, sanctions "
            "for misuse, and what citizens are told about the use of their data."
        ),
        "topics": "safeguards, governance, sanctions, transparency, accessibility of notices",
        "people": [
            ("safeguards-convenor", "Catherine Doyle", "convenor", "Citizens' Data Trust"),
            ("safeguards-member1", "Yusuf Karim", "member", "Access Together"),
            ("safeguards-member2", "Dr Eleanor Price", "member", None),
        ],
    },
]

# ---------------------------------------------------------------- the consultation

CONSULTATION_TITLE = "Sharing personal data between public bodies"
CONSULTATION_SLUG = "sharing-personal-data-between-public-bodies"
CONSULTATION_RUN_BY = "Cross-Government Data Sharing Policy Unit"
CONSULTATION_SUMMARY = """
<p>Public bodies each hold part of the picture of a person's life. Joined up, that information can get
people support sooner, stop public money being lost, and make research more useful. Joined up carelessly,
it can expose people, reach decisions about them that they cannot see or challenge, and make them wary of
telling public services the truth.</p>
<p>This consultation asks three invited working groups — drawn from charities, think tanks, a
university and independent experts — to examine a draft framework that sets out when one public body
may share personal data with another, and on what conditions. After working-group review and sign-off, the
revised draft goes out for public scrutiny.</p>
"""

# Stage dates, as offsets in days from the day the demo is loaded: the demo is
# always in the middle of working-group review.
STAGE_OFFSETS = [
    ("drafting", -84, -29),
    ("review", -28, 20),
    ("signoff", 21, 34),
    ("scrutiny", 35, 90),
    ("final", 120, None),
]

PAPER_TITLE = "A framework for sharing personal data across government"
PAPER_SLUG = "draft-framework"
PAPER_VERSION = "v1"
PAPER_SUMMARY = """
<p>This draft proposes a single framework for sharing personal data between public bodies: the purposes
it supports, the conditions a body must meet before it shares, the safeguards that travel with the data,
and how people are told what has happened to information about them. It is a draft for discussion, and
every section is open to comment.</p>
"""


def _p(*paragraphs):
    return [("paragraph", f"<p>{text}</p>") for text in paragraphs]


def _clauses(*items):
    return ("clauses", {"clauses": [f"<p>{item}</p>" for item in items]})


def _question(question, guidance=""):
    return ("question", {"question": question, "guidance": guidance})


def _table(caption, rows, *, row_headers=True):
    return (
        "table",
        {
            "caption": caption,
            "table": {
                "data": rows,
                "first_row_is_table_header": True,
                "first_col_is_header": row_headers,
                "table_caption": "",
            },
        },
    )


RESTRICTED_SECTION_SLUG = "fraud-detection-thresholds"

# A sentence from the restricted section's body; tests check it never reaches the public.
RESTRICTED_BODY_SENTENCE = (
    "A match between two benefit records is referred for human review only when the combined "
    "discrepancy score exceeds the referral threshold set out below."
)

SECTIONS = [
    {
        "slug": "about-this-framework",
        "title": "About this framework",
        "body": [
            *_p(
                "Public bodies already share personal data with one another, under dozens of separate "
                "legal gateways and hundreds of local agreements. People who work with those agreements "
                "tell us they are hard to find, hard to compare and hard to explain to the people whose "
                "data is shared. This framework is an attempt to put one set of rules around all of them.",
                "It does not create new powers to share. It sets out how existing powers — including "
                "those in Part 5 of the Digital Economy Act 2017 — should be used, alongside the UK "
                "GDPR, the Data Protection Act 2018 and the Information Commissioner's data sharing code "
                "of practice.",
            ),
            _clauses(
                "The framework applies to every government department, executive agency and arm's-length "
                "body that shares personal data with another public body.",
                "It applies to sharing of data about identified or identifiable living people. It does not "
                "apply to aggregate statistics from which no person can be identified.",
                "It does not apply to sharing for law enforcement purposes under Part 3 of the Data "
                "Protection Act 2018, or for national security, which have their own rules.",
                "Local authorities and the NHS are invited to adopt it; a separate paper will discuss "
                "whether it should bind them.",
            ),
            _question(
                "Is the scope right? Are there kinds of sharing that should be in scope and are not, or "
                "the other way round?",
                "Examples of real sharing arrangements that would fall on the wrong side of the line are "
                "especially helpful.",
            ),
        ],
    },
    {
        "slug": "purposes-for-which-sharing-is-supported",
        "title": "Purposes for which sharing is supported",
        "body": [
            *_p(
                "Sharing should start from a purpose, not from the data that happens to be available. The "
                "framework supports sharing for a short list of purposes, each tied to an existing legal "
                "gateway. A body that wants to share for any other purpose has to make the case in public "
                "first.",
            ),
            _clauses(
                "<b>Improving the wellbeing of individuals or households</b>: for example, identifying "
                "families entitled to help with energy bills who have not claimed it.",
                "<b>Making services easier to use</b>: for example, telling several bodies about a death "
                "once, rather than asking the bereaved to repeat it, as the Tell Us Once service already "
                "does.",
                "<b>Reducing debt owed to the public sector</b>, where sharing helps a body agree an "
                "affordable repayment plan and avoid enforcement.",
                "<b>Preventing and detecting fraud against the public sector</b>.",
                "<b>Research and official statistics</b> in the public interest, using de-identified data "
                "wherever possible.",
            ),
            *_p(
                "Sharing to support decisions that are purely about cutting costs, or to build profiles "
                "of people that are not tied to one of these purposes, is not supported.",
            ),
            _question(
                "Should any purpose be added to or removed from this list?",
                "Tell us which purpose, why, and what harm or benefit you expect.",
            ),
            _question(
                "Should sharing to identify people who are entitled to support but have not claimed it "
                "require their consent first, or should they be contacted after the data has been matched?"
            ),
        ],
    },
    {
        "slug": "benefits-and-the-evidence-for-them",
        "title": "Benefits and the evidence for them",
        "body": [
            *_p(
                "Claims about the benefits of data sharing are easy to make and hard to check. The table "
                "below sets out each benefit the framework relies on, what the evidence looks like at "
                "present, and where it is thin. We have deliberately not added up savings across "
                "programmes: the figures come from different methods and would mislead if combined.",
            ),
            _table(
                "Benefits claimed for sharing personal data, and how strong the evidence is",
                [
                    ["Benefit", "Evidence so far", "Strength", "What is missing"],
                    [
                        "People receive support they are entitled to",
                        "Pilot matching of benefit and local council records found households eligible for "
                        "help they had not claimed",
                        "Moderate",
                        "Follow-up on whether the people contacted were better off a year later",
                    ],
                    [
                        "Less repetition for people using services",
                        "Tell-once services are widely used and rated well by users",
                        "Strong",
                        "Little on people who could not use the online route",
                    ],
                    [
                        "Fraud and error detected earlier",
                        "National data matching exercises report recoveries each cycle",
                        "Moderate",
                        "How many matches were false, and what it cost the people wrongly flagged",
                    ],
                    [
                        "Public debt repaid on fairer terms",
                        "Small trials of shared affordability checks",
                        "Weak",
                        "Any comparison with a control group",
                    ],
                    [
                        "Better research and statistics",
                        "Linked administrative data used in published research on education and earnings",
                        "Strong",
                        "Evidence that findings changed policy",
                    ],
                ],
            ),
            _question(
                "Do you agree with our assessment of the strength of the evidence for each benefit?",
                "Point us to studies or evaluations we have missed, including ones that found no benefit.",
            ),
            _question(
                "What should every sharing arrangement be required to measure, so that its benefits "
                "can be checked after the fact?"
            ),
        ],
    },
    {
        "slug": "risks-to-privacy-and-trust",
        "title": "Risks to privacy and trust",
        "body": [
            *_p(
                "The main risk of sharing is not a dramatic breach but a slow drift: data shared for one "
                "purpose finds its way into others, copies outlive the need for them, and decisions are "
                "made about people on the strength of a match they never see.",
                "Trust matters as much as privacy. People who believe that what they tell one service will "
                "be used against them by another may stop telling the truth, or stop asking for help. "
                "Advice charities describe exactly this among people in debt and among migrants.",
            ),
            _clauses(
                "<b>Function creep</b>: data shared for one purpose used for another without a new decision.",
                "<b>Inaccurate matching</b>: two records wrongly treated as the same person, or one "
                "person's records not joined up, leading to wrong decisions.",
                "<b>Opaque decisions</b>: people affected by a decision based on shared data cannot see "
                "the data or challenge it.",
                "<b>Unequal impact</b>: errors and scrutiny falling more heavily on some groups, such as "
                "people with irregular incomes, people who move often or people with names that are "
                "transliterated in different ways.",
                "<b>Security</b>: more copies of data in more places, each one a chance for loss or misuse.",
                "<b>Chilling effects</b>: people avoiding services they need because they fear where their "
                "data will go.",
            ),
            _question(
                "Which of these risks concern you most, and are there risks we have not named?",
                "Evidence of harm from existing sharing arrangements is particularly valuable.",
            ),
        ],
    },
    {
        "slug": "safeguards",
        "title": "Safeguards",
        "body": [
            *_p(
                "Safeguards should travel with the data. Every sharing arrangement under this framework "
                "would carry the following conditions, written into the agreement between the bodies and "
                "published with it.",
            ),
            _clauses(
                "Only the data needed for the stated purpose is shared, and the agreement lists each data "
                "item and why it is needed.",
                "A data protection impact assessment is completed before sharing starts, and published in "
                "full or with only security details removed.",
                "Shared data is deleted when the purpose is met, and at the latest by the date in the "
                "agreement. The receiving body confirms deletion in writing.",
                "Every access to shared data is logged, and the logs are kept for at least two years.",
                "No decision that has a significant effect on a person is made on the strength of a data "
                "match alone; a person reviews the match first.",
                "A person affected by a decision based on shared data is told which bodies shared what, "
                "and how to challenge it.",
                "Where data is used for research, it is de-identified before it reaches researchers and "
                "accessed only in a secure environment.",
            ),
            _question(
                "Are these safeguards enough? Which would you strengthen, and which are unworkable in "
                "practice?"
            ),
        ],
    },
    {
        "slug": "governance-and-sanctions",
        "title": "Governance and sanctions",
        "body": [
            *_p(
                "Rules without consequences are advice. The framework proposes a public register of every "
                "sharing agreement, an independent board that reviews the riskiest arrangements, and a "
                "graded set of consequences when a body breaks the terms of an agreement.",
            ),
            _clauses(
                "Every sharing agreement is entered on a public register before sharing starts, with its "
                "purpose, the bodies involved, the data items, the legal gateway and the end date.",
                "An independent data sharing board, with members from outside government, reviews any "
                "arrangement that involves special category data, automated matching or more than one "
                "million people.",
                "Each body names a senior officer who answers for its sharing arrangements, and reports on "
                "them every year.",
                "Breaches of an agreement are reported to the board within 72 hours, as well as to the "
                "Information Commissioner where the law requires it.",
            ),
            _table(
                "Proposed consequences when a body breaks the terms of a sharing agreement",
                [
                    ["Breach", "First response", "If repeated or serious"],
                    [
                        "Late entry on the public register",
                        "Published reminder from the board",
                        "Sharing suspended until the entry is made",
                    ],
                    [
                        "Data kept beyond its end date",
                        "Deletion within 10 working days, confirmed in writing",
                        "Independent audit at the body's expense",
                    ],
                    [
                        "Data used for a purpose not in the agreement",
                        "Sharing suspended and the people affected told",
                        "Agreement ended; referral to the Information Commissioner",
                    ],
                    [
                        "Decision made on a match without human review",
                        "Decision reopened and the person told",
                        "Board review of every decision under the agreement",
                    ],
                ],
            ),
            _question(
                "Should the data sharing board have the power to suspend an agreement itself, or only "
                "recommend suspension to a minister?"
            ),
        ],
    },
    {
        "slug": "fraud-error-and-debt",
        "title": "Fraud, error and debt",
        "body": [
            *_p(
                "Fraud and error cost the public sector a great deal, and much of it is found by comparing "
                "what people have told different bodies. But most mismatches between records are not "
                "fraud: they are late updates, changes of circumstance and clerical mistakes. The framework "
                "treats fraud, error and debt as three different problems that call for different "
                "responses.",
            ),
            _clauses(
                "A data match is a reason to look, never proof. Every match is checked by a person before "
                "anyone is contacted.",
                "Where a match suggests error rather than fraud, the first contact offers to correct the "
                "record, and does not threaten penalties.",
                "Where a person owes money to more than one public body, the bodies share what they need "
                "to agree one affordable repayment plan, rather than each pursuing the debt separately.",
                "Thresholds for referring a match for review are set so that the expected cost to people "
                "wrongly flagged is published alongside the expected recoveries.",
                "Each fraud and error arrangement publishes every year how many matches it made, how many "
                "were confirmed as fraud, how many as error, and how many were neither.",
            ),
            _question(
                "How should the cost to people wrongly flagged by a data match be measured and weighed "
                "against the money recovered?"
            ),
            _question(
                "Should public bodies be required to agree a single repayment plan when a person owes money "
                "to several of them?"
            ),
        ],
    },
    {
        "slug": RESTRICTED_SECTION_SLUG,
        "title": "Fraud-detection thresholds and matching rules",
        "restriction": {
            "category": RestrictionCategory.SECURITY,
            "reason": (
                "This section sets out the exact thresholds and matching rules used to refer cases for "
                "fraud investigation. Publishing them would show people attempting fraud how to stay "
                "below them. The principles behind the thresholds are public in the section on fraud, "
                "error and debt, and the independent data sharing board reviews the thresholds themselves."
            ),
            "review_in_days": 182,
        },
        "body": [
            *_p(
                RESTRICTED_BODY_SENTENCE,
                "The score adds weighted differences in declared household income, address history and "
                "household composition across the two records.",
            ),
            _clauses(
                "Income discrepancies below the de minimis amount are ignored entirely.",
                "Address mismatches within the same postcode district carry no weight.",
                "Household composition differences carry double weight where a dependant appears in one "
                "record only.",
                "The referral threshold is recalibrated every six months against the confirmed outcomes of "
                "the previous period.",
            ),
        ],
    },
    {
        "slug": "research-and-statistics",
        "title": "Research and statistics",
        "body": [
            *_p(
                "Linked data from public services has already changed what we know about how education, "
                "health and work interact over a lifetime. Research of this kind needs data about many "
                "people, but not knowledge of who any of them are. The framework therefore treats research "
                "differently from sharing that leads to decisions about individuals.",
            ),
            _clauses(
                "Data shared for research is de-identified before it leaves the body that holds it, and is "
                "never used to make a decision about a person.",
                "Researchers are accredited and work only in a secure environment from which no record "
                "level data can be taken.",
                "Every research project using shared data is listed on the public register, with its "
                "purpose, its funder and, when it is finished, its findings.",
                "Official statistics producers may receive identifiable data where linking requires it, "
                "under the existing statistics legislation, and must de-identify it as soon as the link "
                "is made.",
            ),
            _question(
                "Should members of the public be able to see, before a research project starts, which "
                "datasets it will link?"
            ),
        ],
    },
    {
        "slug": "transparency-to-citizens",
        "title": "Transparency to citizens",
        "body": [
            *_p(
                "People have a right to know how information about them is used, but a privacy notice that "
                "nobody reads does not meet that right. The framework asks public bodies to tell people "
                "about sharing at the moments that matter to them, in language they can follow.",
            ),
            _clauses(
                "Every public body publishes a plain-language summary of the sharing arrangements it takes "
                "part in, linked from each service that collects the data.",
                "Notices are tested with people who use the service, including disabled people and people "
                "with low literacy, and are available in accessible formats on request.",
                "When a decision about a person relies on shared data, the letter or message about the "
                "decision says so, names the bodies involved and explains how to challenge it.",
                "A person can ask one body for a single account of which other bodies it has shared their "
                "data with in the past two years, and receive it within one month.",
                "The public register of sharing agreements is searchable, free to use and available as "
                "open data.",
            ),
            _question(
                "What would make you confident that you know how public bodies share information about you?",
                "We would like to hear from people who have tried to find out, whether or not they "
                "succeeded.",
            ),
        ],
    },
]

PRIVACY_TITLE = "Privacy notice"
PRIVACY_SLUG = "privacy"
PRIVACY_BODY = """
<p>This notice explains what Open Policy keeps about you when you read, register your interest or take
part in a consultation, why we keep it, for how long, who can see it, and how to use your rights. The
public body running a consultation is the controller of the personal data collected for it.</p>

<h2>What we collect</h2>
<ul>
<li><b>Your account</b>: a username, your email address, a one-way hash of your password, the name you
show, and if you choose, an organisation and a pseudonym.</li>
<li><b>What you contribute</b>: comments and replies, agree / disagree / neutral reactions, proposed
wordings, comments you report to moderators, and, for convenors, the positions your group records. Each
keeps the name and organisation shown beside it, the version of the paper and the stage at the time.</li>
<li><b>Working groups</b>: your memberships (group, role, the organisation you speak for, when they began
and ended), invitations sent to your address and your requests to join.</li>
<li><b>Email updates</b>: the address you ask us to send consultation updates to, and which papers you
follow.</li>
<li><b>Sign-in protection</b>: after wrong passwords, the username tried and the network address it came
from, for as long as the sign-in pause lasts.</li>
</ul>
<p>We do not use analytics, advertising or tracking, and the site sets <b>essential cookies only</b>: one
that keeps you signed in and one that protects forms from forgery. Neither needs your consent, and
neither is shared with anyone.</p>

<h2>Why, and on what basis</h2>
<p>We process this data to run public consultations: a task carried out in the public interest (UK GDPR
article 6(1)(e)). Your email address is used to confirm your account, to send the emails you ask for
(replies, follows, updates) and to reset your password. Publishing who said what, for which
organisation, is part of consulting in the open. Email updates rely on your consent, which you can
withdraw with the unsubscribe link in every email.</p>

<h2>Who sees what</h2>
<ul>
<li><b>Everyone</b> sees the name (or pseudonym) and organisation beside your comments and proposals,
the counts of reactions (never who reacted), and the public record of the process, which names members
who join or leave a working group.</li>
<li><b>Moderators and editors</b> see what you contribute and the reports made about it. They do not see
email addresses; only the people who manage accounts do.</li>
<li>Nobody outside the public body and its hosting provider sees your email address. We never sell or
share your data.</li>
</ul>

<h2>How long we keep it</h2>
<ul>
<li>Accounts whose email address is never confirmed are deleted after 30 days.</li>
<li>Invitations and join requests are deleted 90 days after they expire or are decided.</li>
<li>Addresses for email updates that are never confirmed are deleted after 7 days.</li>
<li>Records of wrong passwords are deleted when the sign-in pause ends (15 minutes).</li>
<li>A copy of your data that you download is deleted 24 hours after it is prepared. Emails are deleted
once sent (we keep only their subject and when they went, for 30 days).</li>
<li>Your account and contributions are kept for as long as the consultation's record is kept, unless you
erase them.</li>
</ul>

<h2>Your rights</h2>
<ul>
<li><b>To see and take away your data</b>: on your account page choose “Download your data” for a file
of everything we hold about you.</li>
<li><b>To correct it</b>: change your name, organisation, pseudonym and email address on your account
page.</li>
<li><b>To erase it</b>: on your account page choose “Erase your account”. You decide whether your
comments and proposals are removed or kept without your name, and whether your reactions still count.
Reports already frozen at sign-off are not changed.</li>
<li><b>To object or complain</b>: write to the public body running the consultation. You can also
complain to the Information Commissioner's Office (ico.org.uk).</li>
</ul>
"""
