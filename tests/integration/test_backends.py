"""The run really uses PostgreSQL and Redis, and the migrations match the models."""

import pytest
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.integration


def test_the_database_is_postgresql(db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (name,) = cursor.fetchone()
    assert name.startswith("test_")  # pytest-django's own database, never the real one


def test_the_channel_layer_and_the_cache_are_redis():
    assert isinstance(get_channel_layer(), RedisChannelLayer)
    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    cache.set("integration-probe", "ok", timeout=10)
    assert cache.get("integration-probe") == "ok"
    cache.delete("integration-probe")


def test_migrations_applied_and_none_missing(db):
    # pytest-django has just migrated the PostgreSQL test database from scratch.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations")
        (applied,) = cursor.fetchone()
    assert applied > 0
    # Exits with SystemExit(1) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
