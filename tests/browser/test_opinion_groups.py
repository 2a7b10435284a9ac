"""The opinion groups on the report page, in a real browser: reached from the paper page,
accessible (axe), and the same without JavaScript."""

import re

import pytest

from tests.support.contributions import react
from tests.support.trees import report_tree

pytestmark = pytest.mark.browser


def _split_paper():
    """Three groups of six, each split half-and-half along the same line, on four sections."""
    tree = report_tree(sections=4, per_group=6)
    for members in tree["members"]:
        for i, person in enumerate(members):
            for number, section in enumerate(tree["sections"]):
                agrees = (number < 2) == (i % 2 == 0)
                react([person], section, "agree" if agrees else "disagree")
    return tree


def test_the_opinion_groups_view_is_reached_from_the_paper_and_is_accessible(
    asgi_server, page, new_context, axe
):
    tree = _split_paper()
    page.goto(f"{asgi_server.url}{tree['paper'].url}")
    page.get_by_role("link", name="opinion groups found in the votes").click()
    page.wait_for_url(re.compile(r"/report/#opinion-groups$"))
    region = page.locator("#opinion-groups")
    assert region.get_by_role("heading", name="Opinion groups found in the votes").is_visible()
    table = page.get_by_role("table", name=re.compile("Number of people in each opinion group"))
    assert table.locator("tbody tr").count() == 2
    assert table.locator("thead th").all_inner_texts() == [
        "Opinion group",
        "Civil society",
        "Local government",
        "Researchers",
        "Total",
    ]
    assert table.locator("tbody tr").first.locator("td").all_inner_texts() == ["3", "3", "3", "9"]
    assert region.get_by_role("heading", name=re.compile(r"^Group A \(9 people\)")).is_visible()
    assert page.get_by_role("table", name=re.compile("beside the same statistic")).is_visible()
    assert page.get_by_role("link", name="export.zip").first.is_visible()
    axe(page)

    # Without JavaScript the same groups and tables are there.
    plain = new_context(java_script_enabled=False).new_page()
    plain.goto(f"{asgi_server.url}{tree['paper'].url}report/")
    plain_table = plain.get_by_role("table", name=re.compile("Number of people in each opinion group"))
    assert plain_table.locator("tbody tr").count() == 2
    assert plain.locator("#opinion-groups h4").all_inner_texts() == [
        "Group A (9 people)",
        "Group B (9 people)",
    ]
