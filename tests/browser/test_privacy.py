"""Download my data and erase me in a real browser, with JavaScript off: both are plain forms."""

import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model

from consultation.models import Comment, PersonalDataExport
from consultation.privacy.services import export_build
from tests.support.contributions import add_comment, react
from tests.support.factories import PASSWORD
from tests.support.trees import groups_tree

pytestmark = pytest.mark.browser


def test_a_member_downloads_their_data_then_erases_it(asgi_server, new_context, axe, browser_login):
    tree = groups_tree(stage="review", groups=1)
    person = tree["convenors"][0]
    person.display_name = "Morwenna Trelawney"
    person.save()
    comment = add_comment(person, tree["sections"][0], text="A comment to keep.")
    react([person], tree["sections"][0], "agree")

    page = new_context(java_script_enabled=False).new_page()
    browser_login(page, asgi_server, person.username)
    page.goto(f"{asgi_server.url}/accounts/profile/")
    axe(page)
    page.get_by_role("link", name="Download your data").click()
    page.wait_for_url("**/my-data/")
    axe(page)
    # Built in the background: the page says so and reloads itself (a meta refresh) until the link is there.
    page.get_by_role("button", name="Prepare my download").click()
    page.wait_for_url("**/my-data/")
    page.get_by_role("link", name="Download your data (zip)").wait_for(timeout=30_000)
    axe(page)
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download your data (zip)").click()
    with open(downloading.value.path(), "rb") as downloaded:
        archive = zipfile.ZipFile(io.BytesIO(downloaded.read()))
    data = json.loads(archive.read("data.json"))
    assert [c["text"] for c in data["comments"]] == ["A comment to keep."]
    assert data["account"]["display_name"] == "Morwenna Trelawney"

    # While an export is being built the page says so; asked to, it reloads itself (a meta
    # refresh, JavaScript off) and shows the link once the background job has stored the file.
    PersonalDataExport.objects.filter(user=person).update(built_at=None, archive=b"")
    page.reload()
    page.get_by_text("Your download is being prepared").wait_for()
    axe(page)  # no timed reload nobody asked for (axe's meta-refresh rule)
    page.get_by_role("link", name="reload this page every 5 seconds until it is ready").click()
    page.wait_for_url("**/my-data/?keep_checking=1")
    export_build(export_id=PersonalDataExport.objects.get(user=person).pk)
    page.get_by_role("link", name="Download your data (zip)").wait_for(timeout=15_000)

    page.goto(f"{asgi_server.url}/accounts/profile/")
    page.get_by_role("link", name="Erase your account").click()
    page.wait_for_url("**/my-data/erase/")
    axe(page)
    # A wrong password first: explained, nothing erased.
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Erase my account").click()
    page.wait_for_load_state()
    assert "That is not your password." in page.get_by_role("alert").inner_text()
    axe(page)
    page.get_by_label("Keep them, shown as by").check()
    page.get_by_label("Keep them in the counts").check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Erase my account").click()
    page.wait_for_url("**/my-data/erased/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your account is erased"
    axe(page)

    assert get_user_model().objects.get(pk=person.pk).erased_at is not None
    assert Comment.objects.get(pk=comment.pk).author_name == "A former participant"
    page.goto(f"{asgi_server.url}{tree['sections'][0].url}")
    body = page.content()
    assert "Morwenna Trelawney" not in body and "A former participant" in body
