"""The integration tier: the real PostgreSQL and Redis (`make integration` with
DATABASE_URL and REDIS_URL set, as `.ci/run` does), and a real daphne process."""

from collections.abc import AsyncIterator, Iterator
from urllib.parse import quote

import pytest
from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import BaseChannelLayer, channel_layers, get_channel_layer
from django.conf import settings
from django.db import connection

from tests.servers import DaphneServer, django_env, run_daphne

REDIS_LAYER = "channels_redis.core.RedisChannelLayer"


def backends_misconfiguration() -> str | None:
    """Why this run would not test PostgreSQL and Redis, or None when it would."""
    problems = []
    if connection.vendor != "postgresql":
        problems.append(f"the database is {connection.vendor}, set DATABASE_URL")
    if settings.CHANNEL_LAYERS["default"]["BACKEND"] != REDIS_LAYER:
        problems.append("the channel layer is not Redis, set REDIS_URL")
    return "; ".join(problems) or None


@pytest.fixture(autouse=True, scope="session")
def _require_real_backends() -> None:
    """Fails every integration test at once rather than quietly testing SQLite."""
    problem = backends_misconfiguration()
    if problem:
        pytest.fail(f"Integration tests need PostgreSQL and Redis: {problem}.")


@pytest.fixture
async def channel_layer() -> AsyncIterator[BaseChannelLayer]:
    """A fresh default layer for this test, its Redis pools closed on the test's loop
    (the consumers under test get the same instance from `get_channel_layer()`)."""
    channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)
    layer = get_channel_layer()
    yield layer
    channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)
    await layer.close_pools()


def database_url() -> str:
    """A URL for the database the tests use now (pytest-django's `test_*` one)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


@pytest.fixture(scope="module")
def daphne_server(django_db_setup) -> Iterator[DaphneServer]:
    """A real `daphne project.asgi:application` on a free loopback port, using the
    test database and Redis. Stopped before pytest-django drops the database."""
    env = django_env(DATABASE_URL=database_url(), REDIS_URL=settings.REDIS_URL)
    with run_daphne(env) as server:
        yield server
