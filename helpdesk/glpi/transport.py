"""The HTTP transport: one pooled `requests.Session` per GLPI URL for the whole
process (clients are created per use, pools are not), with bounded retries of GETs."""

import threading
from http import cookiejar
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

POOL_SIZE = 32


class _Retry(Retry):
    """Never retries a read timeout: a slow GLPI would otherwise cost three timeouts."""

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Retry:
        if isinstance(error, ReadTimeoutError):
            raise error
        return super().increment(method, url, response, error, _pool, _stacktrace)


_transports: dict[str, requests.Session] = {}
_session_locks: dict[str, threading.Lock] = {}
_registry_lock = threading.Lock()


def transport_for(base_url: str) -> requests.Session:
    with _registry_lock:
        if base_url not in _transports:
            http = requests.Session()
            # Sessions are shared by every company using this URL: keep no cookies.
            http.cookies.set_policy(cookiejar.DefaultCookiePolicy(allowed_domains=[]))
            http.headers["User-Agent"] = "Mostrador-GLPI-client"
            retry = _Retry(
                total=2,
                backoff_factor=0.2,
                status_forcelist=(502, 503, 504),
                allowed_methods={"GET"},
                raise_on_status=False,
                # A proxy's "Retry-After: 600" must not hold a request for minutes.
                respect_retry_after_header=False,
            )
            adapter = HTTPAdapter(pool_maxsize=POOL_SIZE, max_retries=retry)
            http.mount("http://", adapter)
            http.mount("https://", adapter)
            _transports[base_url] = http
        return _transports[base_url]


def session_lock(session_key: str) -> threading.Lock:
    with _registry_lock:
        return _session_locks.setdefault(session_key, threading.Lock())
