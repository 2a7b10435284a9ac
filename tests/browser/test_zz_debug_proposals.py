import time
import pytest
from tests.consultation.proposals_support import member_of, proposal_tree
pytestmark = pytest.mark.browser

def test_debug(asgi_server, new_context, browser_login, axe):
    tree = proposal_tree(per_group=1)
    section = tree["sections"][0]
    member_of(tree["groups"][0], username="ada", display_name="Ada Civil")
    for js in (True, False):
        page = new_context(java_script_enabled=js).new_page()
        page.goto(asgi_server.url + tree["paper"].url)
        t = time.time(); axe(page); print("anon paper js", js, time.time() - t, flush=True)
        page.goto(asgi_server.url + section.url)
        t = time.time(); axe(page); print("anon section js", js, time.time() - t, flush=True)
        browser_login(page, asgi_server, "ada")
        page.goto(asgi_server.url + section.url)
        open(f"/tmp/section_{js}.html", "w").write(page.content())
        print("loaded", flush=True)
        t = time.time(); axe(page); print("ada section js", js, time.time() - t, flush=True)
