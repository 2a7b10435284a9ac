"""Download my data: the export holds every row about the person, and only theirs."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse

from consultation.comments.services import comment_flag
from consultation.models import Comment, CommentReport, PersonalDataExport, Proposal, Reaction
from consultation.privacy.services import (
    account_erase,
    export_build,
    export_link_token,
    export_request,
    personal_data_export,
    retention_apply,
)
from jobs.models import Job
from jobs.services import job_run
from tests.support.contributions import add_comment, propose, react, sign_off
from tests.support.factories import UserFactory
from tests.support.trees import groups_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def active_member():
    """A convenor who commented, replied, reacted, proposed, flagged and signed off; and a bystander."""
    tree = groups_tree(stage="review")
    person = tree["convenors"][0]
    other = tree["convenors"][1]
    section = tree["sections"][0]
    theirs = add_comment(other, section, text="Someone else's comment.")
    comment = add_comment(person, section, text="My own comment.")
    reply = add_comment(person, section, text="My reply.", parent=theirs)
    react([person], section, "agree")
    react([person], theirs, "disagree")
    react([other], section, "disagree")
    propose(person, section, text="My better wording.")
    comment_flag(comment=theirs, reporter=person, reason="off_topic", details="Not about this.")
    sign_off(tree, 0)
    return {"tree": tree, "person": person, "other": other, "comment": comment, "reply": reply}


def _built(person):
    """The person's export, built (as the background job does)."""
    export_build(export_id=export_request(user=person).pk)
    return PersonalDataExport.objects.get(user=person)


def _unzip(body):
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert sorted(archive.namelist()) == ["README.txt", "data.json"]
    return json.loads(archive.read("data.json")), archive.read("README.txt").decode()


def test_a_download_link_of_another_account_or_a_forged_one_gives_nothing(client, active_member):
    stranger = UserFactory()
    _built(active_member["person"])
    _built(stranger)  # so the refusals below are the link's, not a missing file
    token = export_link_token(user=active_member["person"])
    client.force_login(stranger)
    response = client.get(reverse("consultation:my_data_download", args=[token]))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    response = client.get(reverse("consultation:my_data_download", args=[token + "x"]))
    assert response.status_code == 404


def test_the_download_link_needs_the_person_signed_in(client, active_member):
    token = export_link_token(user=active_member["person"])
    response = client.get(reverse("consultation:my_data_download", args=[token]))
    assert response.status_code == 302 and "login" in response["Location"]


@override_settings(PRIVACY_EXPORT_LINK_MAX_AGE=-1)
def test_an_expired_link_gives_nothing(client, active_member):
    person = active_member["person"]
    _built(person)
    client.force_login(person)
    response = client.get(reverse("consultation:my_data_download", args=[export_link_token(user=person)]))
    assert response.status_code == 404


def test_changing_the_password_kills_earlier_links(client, active_member):
    person = active_member["person"]
    _built(person)
    token = export_link_token(user=person)
    person.set_password("a new long password 123")
    person.save()
    client.force_login(person)
    assert client.get(reverse("consultation:my_data_download", args=[token])).status_code == 404


def test_the_export_holds_everything_about_the_person_and_nothing_of_others(active_member):
    person = active_member["person"]
    data, readme = _unzip(personal_data_export(user=person))

    assert data["account"]["username"] == person.username
    assert data["account"]["email"] == person.email
    assert "password" not in json.dumps(data["account"])

    comments = Comment.objects.filter(user=person)
    assert {c["id"] for c in data["comments"]} == set(comments.values_list("pk", flat=True))
    by_id = {c["id"]: c for c in data["comments"]}
    assert by_id[active_member["comment"].pk]["text"] == "My own comment."
    assert by_id[active_member["comment"].pk]["is_reply"] is False
    reply = by_id[active_member["reply"].pk]
    assert reply["is_reply"] is True and reply["text"] == "My reply."
    assert all(c["version"] == active_member["tree"]["paper"].version_label for c in data["comments"])

    reactions = Reaction.objects.filter(user=person)
    assert {(r["target"], r["choice"]) for r in data["reactions"]} == {
        (r.target_key, r.choice) for r in reactions
    }
    assert len(data["reactions"]) == 2

    proposal = Proposal.objects.get(author=person)
    assert [(p["id"], p["text"]) for p in data["proposals"]] == [(proposal.pk, "My better wording.")]

    flag = CommentReport.objects.get(reporter=person)
    assert [(f["id"], f["reason"], f["details"]) for f in data["flags"]] == [
        (flag.pk, "off_topic", "Not about this.")
    ]

    assert len(data["sign_offs"]) == 1
    assert data["sign_offs"][0]["position"] == "endorse"
    assert [m["role"] for m in data["memberships"]] == ["convenor"]
    kinds = {e["kind"] for e in data["record_entries"]}
    assert "sign_off" in kinds

    # Nothing of the other person's.
    text = json.dumps(data)
    assert "Someone else's comment." not in text
    assert active_member["other"].email not in text
    for part in ("comments", "reactions", "proposals", "flags", "sign_offs", "record_entries"):
        assert part in readme


def test_the_profile_page_leads_to_a_download_prepared_in_the_background(client, active_member):
    person = active_member["person"]
    client.force_login(person)
    profile = client.get(reverse("profile"))
    assert reverse("consultation:my_data") in profile.content.decode()
    assert client.get(reverse("consultation:my_data")).context["state"] == "none"
    # Not transactional: the job is recorded but not handed over (that happens on commit).
    response = client.post(reverse("consultation:my_data"))
    assert response.status_code == 302 and response["Location"] == reverse("consultation:my_data")
    page = client.get(reverse("consultation:my_data"))
    body = page.content.decode()
    assert page.context["state"] == "preparing" and "link" not in page.context
    assert "being prepared" in body and "http-equiv" not in body  # no reload nobody asked for
    asked = client.get(reverse("consultation:my_data") + "?keep_checking=1").content.decode()
    assert '<meta http-equiv="refresh" content="5">' in asked
    # Asking again while it is prepared builds it once.
    client.post(reverse("consultation:my_data"))
    [job] = Job.objects.filter(handler="consultation.privacy.services.export_build")
    job_run(job_id=job.pk)
    page = client.get(reverse("consultation:my_data"))
    assert page.context["state"] == "ready" and "http-equiv" not in page.content.decode()
    response = client.get(page.context["link"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    data, _ = _unzip(response.content)
    assert data["account"]["username"] == person.username


def test_stored_exports_are_private_and_deleted_when_their_link_expires(client, active_member, settings):
    person = active_member["person"]
    export = _built(person)
    assert export.archive and not hasattr(export, "url")  # bytes in the database, not a served file
    assert retention_apply()["data exports deleted"] == 0
    PersonalDataExport.objects.update(
        built_at=export.built_at - timedelta(seconds=settings.PRIVACY_EXPORT_LINK_MAX_AGE + 1)
    )
    client.force_login(person)
    assert client.get(reverse("consultation:my_data")).context["state"] == "none"
    assert (
        client.get(
            reverse("consultation:my_data_download", args=[export_link_token(user=person)])
        ).status_code
        == 404
    )
    assert retention_apply()["data exports deleted"] == 1
    assert not PersonalDataExport.objects.exists()


def test_erasing_the_account_deletes_its_stored_export(active_member):
    _built(active_member["person"])
    account_erase(user=active_member["person"])
    assert not PersonalDataExport.objects.exists()
