"""Health checks of every engine the project depends on, for /api/status and /status."""

import asyncio
import logging
import time
import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from assistant.providers import get_llm_client
from helpdesk.selectors import connection_status
from project.celery import app as celery_app
from project.errors import ExternalServiceError

logger = logging.getLogger(__name__)


def _timed(check) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        result = {"ok": True, **(check() or {})}
    except (
        Exception
    ) as exc:  # a status page reports every failure instead of raising it
        logger.warning("status check %s failed: %s", check.__name__, exc)
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return result


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"engine": connection.vendor}


def check_cache() -> dict[str, Any]:
    key = f"status-check-{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def check_channel_layer() -> dict[str, Any]:
    layer = get_channel_layer()

    async def round_trip() -> None:
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "status.ping"})
        await layer.receive(channel)

    async_to_sync(round_trip)()
    return {"backend": type(layer).__name__}


def check_broker() -> dict[str, Any]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"mode": "eager"}
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(
            max_retries=1, timeout=settings.STATUS_CHECK_TIMEOUT_SECONDS
        )
    return {"mode": "broker", "transport": conn.transport_cls}


LLM_STATUS_CACHE_SECONDS = 30


def check_llm() -> dict[str, Any]:
    """Whether the configured provider answers; remembered briefly so that a busy
    status page does not become load on the provider."""
    provider = settings.LLM_PROVIDER
    key = f"status:llm:{provider}"
    result = cache.get(key)
    if result is None:
        result = {"provider": provider, **_ping_llm(provider)}
        cache.set(key, result, LLM_STATUS_CACHE_SECONDS)
    return result


def _ping_llm(provider: str) -> dict[str, Any]:
    async def ping() -> None:
        async with asyncio.timeout(settings.STATUS_CHECK_TIMEOUT_SECONDS):
            await get_llm_client(provider).aping()

    try:
        async_to_sync(ping)()
    except ExternalServiceError as exc:
        return {"connected": False, "error": exc.message}
    except TimeoutError:
        return {"connected": False, "error": "The provider did not answer in time."}
    return {"connected": True}


ENGINE_CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "channel_layer": check_channel_layer,
    "broker": check_broker,
}


def system_status(*, company=None) -> dict[str, Any]:
    """Every engine's state; `glpi` is about the given (the caller's) company."""
    engines = {name: _timed(check) for name, check in ENGINE_CHECKS.items()}
    healthy = all(result["ok"] for result in engines.values())
    return {
        "status": "ok" if healthy else "degraded",
        "version": settings.VERSION,
        **engines,
        "llm": check_llm(),
        "glpi": connection_status(company=company),
    }
