"""The read-only JSON API, `/api/v1/` (django-ninja), documented in docs/api.md.

Endpoints are thin: they look the object up among live, public pages, ask the
rule of the page it belongs to, and return what `api.selectors` builds.
Caching headers, CORS and the rate limit are `api.http.ApiMiddleware`'s.
"""

from django.http import Http404
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.openapi.docs import Swagger

from consultation.explain import explain
from core.converters import MAX_ID

from . import schemas, selectors
from .http import BadCursor

DESCRIPTION = """\
Read-only open data about every published consultation: its stage and dates, the working groups
invited, papers and their sections, published versions, comments (threaded; hidden ones as
tombstones with the moderator's public reason), reaction tallies (overall, by working group and
from the public), competing proposals with their support, responses ("you said, we did"),
working groups' sign-offs, the hash-chained process record and the consensus report.

Text is released on the same rules as the web pages: a restricted section's body is `null`, with
`withheld` giving the reason. No email address is ever served. Lists are paged with an opaque
`cursor`; every response has an `ETag` and answers `If-None-Match` with 304. See docs/api.md.
"""

# Ids in routes are `<id:…>` (core.converters): 1 to 18 digits, so an impossible id is a 404
# on SQLite as on PostgreSQL.
api = NinjaAPI(
    title="Open Policy API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs=Swagger(settings={"validatorUrl": None, "defaultModelsExpandDepth": 0}),
)


class Paging(Schema):
    cursor: str | None = None
    limit: int = 50


class Refused(Exception):
    """The reader may not read this: the explainer's reason code and sentence."""

    def __init__(self, verdict):
        super().__init__(verdict.message)
        self.verdict = verdict


@api.exception_handler(Refused)
def refused(request, exc):
    body = {"code": exc.verdict.code, "detail": exc.verdict.message}
    return api.create_response(request, body, status=403)


@api.exception_handler(BadCursor)
def bad_cursor(request, exc):
    return api.create_response(request, {"code": "bad_cursor", "detail": str(exc)}, status=400)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "detail": str(exc) or "Not found."}, status=404)


def _require(request, perm, obj):
    """Refuse with the explainer's code and sentence, as the pages do."""
    verdict = explain(request.user, perm, obj)
    if not verdict:
        raise Refused(verdict)


def _limit(paging):
    if not 1 <= paging.limit <= 200:
        raise HttpError(400, "limit must be between 1 and 200.")
    return paging.limit


# ---------------------------------------------------------------- consultations


@api.get("/consultations", response=schemas.ConsultationPage, tags=["consultations"])
def consultations(request, paging: Query[Paging]):
    """Every published consultation, oldest first."""
    return selectors.consultation_list(request, cursor=paging.cursor, limit=_limit(paging))


@api.get("/consultations/{id:consultation_id}", response=schemas.Consultation, tags=["consultations"])
def consultation(request, consultation_id: int):
    """One consultation: its stage, the dates of each stage and the invited working groups."""
    return selectors.consultation_data(request, selectors.consultation_get(consultation_id))


@api.get("/consultations/{id:consultation_id}/papers", response=schemas.PaperPage, tags=["consultations"])
def consultation_papers(request, consultation_id: int, paging: Query[Paging]):
    """The consultation's published papers, in the order they were created."""
    found = selectors.consultation_get(consultation_id)
    return selectors.paper_list(request, found, cursor=paging.cursor, limit=_limit(paging))


@api.get("/consultations/{id:consultation_id}/record", response=schemas.RecordPage, tags=["record"])
def consultation_record(request, consultation_id: int, paging: Query[Paging]):
    """The consultation's public process record, oldest first, with the hashes that chain it."""
    found = selectors.consultation_get(consultation_id)
    return selectors.record_list(request, found, cursor=paging.cursor, limit=_limit(paging))


# ---------------------------------------------------------------- papers


@api.get("/papers/{id:paper_id}", response=schemas.Paper, tags=["papers"])
def paper(request, paper_id: int):
    """A paper and its sections in order; bodies only where the reader may read them."""
    return selectors.paper_data(request, selectors.paper_get(paper_id))


@api.get("/sections/{id:section_id}", response=schemas.Section, tags=["papers"])
def section(request, section_id: int):
    """One section (its id is its identity: it survives renaming and reordering)."""
    return selectors.section_detail(request, selectors.section_get(section_id))


@api.get("/papers/{id:paper_id}/versions", response=schemas.VersionList, tags=["versions"])
def paper_versions(request, paper_id: int):
    """Every published version of the paper, oldest first."""
    return selectors.version_list(request, selectors.paper_get(paper_id))


@api.get("/papers/{id:paper_id}/versions/{id:number}", response=schemas.Version, tags=["versions"])
def paper_version(request, paper_id: int, number: int):
    """One published version, with each section's text as it was published (unless withheld)."""
    return selectors.version_detail(request, selectors.paper_get(paper_id), number)


@api.get("/papers/{id:paper_id}/comments", response=schemas.CommentPage, tags=["comments"])
def paper_comments(
    request,
    paper_id: int,
    paging: Query[Paging],
    section: int | None = Query(None, ge=1, le=MAX_ID, description="Only this section's threads."),
):
    """The paper's comment threads, oldest first, each with its replies nested.

    Comments on text the reader may not read are left out; hidden comments are
    tombstones (`hidden` gives the date and the public reason; no text, no author)."""
    found = selectors.paper_get(paper_id)
    return selectors.comment_list(
        request, found, section_id=section, cursor=paging.cursor, limit=_limit(paging)
    )


@api.get("/papers/{id:paper_id}/tallies", response=schemas.Tallies, tags=["reactions"])
def paper_tallies(request, paper_id: int):
    """Each section's reactions: overall, by working group (`by_group`, keyed by group id) and the public."""
    found = selectors.paper_get(paper_id)
    _require(request, "consultation.view_tallies", found)
    return selectors.paper_tallies(request, found)


@api.get("/papers/{id:paper_id}/proposals", response=schemas.ProposalList, tags=["proposals"])
def paper_proposals(request, paper_id: int):
    """Competing wordings on the paper's sections, with their tallies and support by group."""
    return selectors.proposal_list(request, selectors.paper_get(paper_id))


@api.get("/proposals/{id:proposal_id}", response=schemas.Proposal, tags=["proposals"])
def proposal(request, proposal_id: int):
    """One proposal, as the paper's list shows it; refused with the reason when its section is restricted."""
    found = selectors.proposal_get(proposal_id)
    _require(request, "consultation.view_proposal", found)
    return selectors.proposal_detail(request, found)


@api.get("/papers/{id:paper_id}/responses", response=schemas.ResponseList, tags=["versions"])
def paper_responses(request, paper_id: int):
    """“You said, we did”: the editors' responses to comments and to sections' feedback."""
    return selectors.response_list(request, selectors.paper_get(paper_id))


@api.get("/papers/{id:paper_id}/sign-offs", response=schemas.SignOffs, tags=["sign-offs"])
def paper_signoffs(request, paper_id: int):
    """Each invited working group's position on the paper's current version, and earlier positions."""
    found = selectors.paper_get(paper_id)
    _require(request, "consultation.view_report", found)
    return selectors.signoff_list(request, found)


@api.get("/papers/{id:paper_id}/report", tags=["report"])
def paper_report(request, paper_id: int):
    """The consensus report of the paper's current text: the same JSON as `report.json`
    (its schema and method are in docs/report.md)."""
    found = selectors.paper_get(paper_id)
    _require(request, "consultation.view_report", found)
    return selectors.report_data(request, found)
