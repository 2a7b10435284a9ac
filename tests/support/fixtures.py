"""Fixtures every test may use; a pytest plugin loaded by tests/conftest.py."""

import pytest

from tests.support import services
from tests.support.factories import PASSWORD
from tests.support.servers import ThreadedASGIServer
from tests.support.trees import build_site_tree


@pytest.fixture(autouse=True)
def _fresh_site_root_paths():
    """Wagtail caches each Site's root path; tests rebuild the tree, so a cached
    path from an earlier test would point page URLs at pages that are gone."""
    from wagtail.models import Site

    Site.clear_site_root_paths_cache()
    yield
    Site.clear_site_root_paths_cache()


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """A channel layer instance belongs to the event loop that first received on
    it: a RedisChannelLayer used by a test server's loop refuses a later test's
    loop ("Two event loops are trying to receive()"). Each test gets its own."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _tally_broadcasts_settle():
    """Reactions made outside a server broadcast from a background loop: let
    those finish before the test's database goes away."""
    yield
    from consultation.reactions import broadcast

    broadcast.wait_background_idle()


@pytest.fixture
def fresh_cache():
    """An empty cache (this worker's keys only) before and after the test."""
    services.cache_clear()
    yield
    services.cache_clear()


@pytest.fixture
def site_tree(db):
    return build_site_tree()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def asgi_server(transactional_db):
    """The real ASGI app served over HTTP and websockets from a thread of this process."""
    server = ThreadedASGIServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url():
    services.require_service(
        services.redis_available(), "Redis not reachable: start redis-server or set REDIS_URL"
    )
    return services.redis_url()
