"""`GlpiClient`: sessions, pagination and the calls the helpdesk needs."""

import hashlib
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from django.core.cache import cache

from project.text import is_ascii_digits

from .errors import (
    RANGE_EXCEEDED,
    SESSION_ERRORS,
    GlpiError,
    GlpiRefused,
    error_from_response,
    json_body,
    transport_error,
)
from .transport import session_lock, transport_for
from .wire import Criterion, SearchPage, content_range, criteria_params, php_params

logger = logging.getLogger(__name__)


class GlpiClient:
    def __init__(
        self,
        *,
        base_url: str,
        app_token: str = "",
        user_token: str,
        timeout: float = 10.0,
        session_key: str,
        verify_tls: bool = True,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session_key = session_key
        self.verify_tls = verify_tls
        self._app_token = app_token
        self._user_token = user_token
        # A stored session opened with other credentials is not reused.
        credentials = f"{self.base_url}\n{app_token}\n{user_token}".encode()
        self._fingerprint = hashlib.sha256(credentials).hexdigest()[:16]
        self._http = transport_for(self.base_url)
        self._token: str | None = None
        self._request_count = 0

    @property
    def request_count(self) -> int:
        return self._request_count

    # --- Session ------------------------------------------------------------------

    def init_session(self) -> str:
        auth = {"Authorization": f"user_token {self._user_token}"}
        body = json_body(self._send("GET", "initSession", headers=auth), "initSession")
        token = body.get("session_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise GlpiError("GLPI answered initSession without a session token.")
        cache.set(self.session_key, (self._fingerprint, token), timeout=None)
        self._token = token
        return token

    def kill_session(self) -> None:
        token = self._token or self._stored_token()
        self._token = None
        cache.delete(self.session_key)
        if token is None:
            return
        try:
            self._send("GET", "killSession", headers={"Session-Token": token})
        except GlpiError as exc:
            logger.warning("GLPI killSession failed: %s", exc.message)

    def ping(self) -> None:
        body = json_body(self._call("GET", "getFullSession"), "getFullSession")
        if not isinstance(body, dict) or "session" not in body:
            raise GlpiError(
                "GLPI answered getFullSession without a session; check that the "
                "GLPI URL points at apirest.php."
            )

    # --- Reading ------------------------------------------------------------------

    def search(
        self,
        itemtype: str,
        *,
        criteria: Sequence[Criterion] = (),
        forcedisplay: Sequence[int] = (),
        sort: int | None = None,
        order: str = "DESC",
        start: int = 0,
        limit: int = 50,
        is_deleted: bool = False,
    ) -> SearchPage:
        """One page; a page past the last result is empty (with the real total)."""
        try:
            return self._search_page(
                itemtype,
                criteria=criteria,
                forcedisplay=forcedisplay,
                sort=sort,
                order=order,
                start=start,
                limit=limit,
                is_deleted=is_deleted,
            )
        except GlpiRefused as exc:
            if exc.glpi_code != RANGE_EXCEEDED:
                raise
        total = self.count(itemtype, criteria=criteria)
        return SearchPage(totalcount=total, rows=[], start=start, end=start - 1)

    def search_all(
        self,
        itemtype: str,
        *,
        criteria: Sequence[Criterion] = (),
        forcedisplay: Sequence[int] = (),
        sort: int | None = None,
        order: str = "DESC",
        page_size: int = 500,
        is_deleted: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Every matching row. The next page is fetched while the caller works through
        this one, so GLPI's latency hides behind that work; at most two pages are held."""

        def fetch(start: int) -> SearchPage | None:
            try:
                return self._search_page(
                    itemtype,
                    criteria=criteria,
                    forcedisplay=forcedisplay,
                    sort=sort,
                    order=order,
                    start=start,
                    limit=page_size,
                    is_deleted=is_deleted,
                )
            except GlpiRefused as exc:
                if exc.glpi_code == RANGE_EXCEEDED:  # the total shrank meanwhile
                    return None
                raise

        with ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="glpi-page"
        ) as reader:
            upcoming = reader.submit(fetch, 0)
            start = 0
            while (page := upcoming.result()) is not None:
                start += len(page.rows)
                more = bool(page.rows) and start < page.totalcount
                if more:
                    upcoming = reader.submit(fetch, start)
                yield from page.rows
                if not more:
                    return

    def count(self, itemtype: str, *, criteria: Sequence[Criterion] = ()) -> int:
        page = self._search_page(
            itemtype,
            criteria=criteria,
            forcedisplay=(2,),
            sort=2,
            order="ASC",
            start=0,
            limit=1,
            is_deleted=False,
        )
        return page.totalcount

    def get_item(self, itemtype: str, item_id: int, **params: Any) -> dict[str, Any]:
        path = f"{itemtype}/{int(item_id)}"
        body = json_body(self._call("GET", path, params=php_params(params)), path)
        if not isinstance(body, dict):
            raise GlpiError(
                f"GLPI answered GET {path} with something other than an item."
            )
        return body

    def get_items(
        self, itemtype: str, *, page_size: int = 500, **params: Any
    ) -> Iterator[dict[str, Any]]:
        """Every row of GET /:itemtype/ (params as GLPI names them, e.g. sort="date_mod")."""
        return self._walk(f"{itemtype}/", page_size, params)

    def get_subitems(
        self,
        itemtype: str,
        item_id: int,
        subitemtype: str,
        *,
        page_size: int = 500,
        **params: Any,
    ) -> list[dict[str, Any]]:
        path = f"{itemtype}/{int(item_id)}/{subitemtype}"
        return list(self._walk(path, page_size, params))

    # --- Writing (never retried automatically: GLPI writes are not idempotent) ------

    def create_item(self, itemtype: str, data: dict[str, Any]) -> int:
        response = self._call("POST", itemtype, json={"input": data})
        label = {"Ticket": "ticket", "ITILFollowup": "follow-up"}.get(
            itemtype, itemtype
        )
        if not response.content.strip():
            raise GlpiError(
                f"GLPI accepted the {label} but did not return its id; "
                "check GLPI before retrying.",
                http_status=response.status_code,
            )
        body = json_body(response, itemtype)
        new_id = body.get("id") if isinstance(body, dict) else None
        if isinstance(new_id, bool) or not is_ascii_digits(str(new_id)):
            raise GlpiError(
                f"GLPI answered the creation of the {label} without an id; "
                "check GLPI before retrying.",
                http_status=response.status_code,
            )
        return int(new_id)

    def update_item(self, itemtype: str, item_id: int, data: dict[str, Any]) -> None:
        path = f"{itemtype}/{int(item_id)}"
        body = json_body(self._call("PUT", path, json={"input": data}), path)
        results = (
            [r for r in body if isinstance(r, dict)] if isinstance(body, list) else []
        )
        if not any(r.get(str(item_id)) is True for r in results):
            message = next((r.get("message") for r in results if r.get("message")), "")
            raise GlpiRefused(
                f"GLPI did not update {itemtype} {item_id}. {message}".strip(),
                glpi_code="ERROR_GLPI_UPDATE",
            )

    def add_followup(
        self, ticket_id: int, content: str, *, is_private: bool = False
    ) -> int:
        # createItems does not take the parent from the URL: it must be in the input.
        data = {
            "itemtype": "Ticket",
            "items_id": int(ticket_id),
            "content": content,
            "is_private": int(is_private),
        }
        return self.create_item("ITILFollowup", data)

    # --- Plumbing -----------------------------------------------------------------

    def _search_page(
        self,
        itemtype: str,
        *,
        criteria: Sequence[Criterion],
        forcedisplay: Sequence[int],
        sort: int | None,
        order: str,
        start: int,
        limit: int,
        is_deleted: bool,
    ) -> SearchPage:
        params: dict[str, Any] = {
            "criteria": criteria_params(criteria),
            # Without forcedisplay GLPI adds the API user's personal display prefs.
            "forcedisplay": list(forcedisplay) or [2],
            "sort": 2 if sort is None else sort,
            "order": order,
            "range": f"{start}-{start + limit - 1}",
        }
        if is_deleted:
            params["is_deleted"] = 1
        path = f"search/{itemtype}"
        response = self._call("GET", path, params=php_params(params))
        body = json_body(response, path)
        if not isinstance(body, dict):
            raise GlpiError(
                f"GLPI answered {path} with something other than a search result."
            )
        rows = body.get("data") or []  # absent when nothing matches
        bounds = content_range(
            response.headers.get("Content-Range") or body.get("content-range")
        )
        first, last = bounds[:2] if bounds else (start, start + len(rows) - 1)
        total = int(body.get("totalcount") or 0)
        return SearchPage(totalcount=total, rows=rows, start=first, end=last)

    def _walk(
        self, path: str, page_size: int, params: Mapping[str, Any]
    ) -> Iterator[dict[str, Any]]:
        start = 0
        while True:
            query = {**params, "range": f"{start}-{start + page_size - 1}"}
            try:
                response = self._call("GET", path, params=php_params(query))
            except GlpiRefused as exc:
                if exc.glpi_code == RANGE_EXCEEDED:
                    return
                raise
            rows = json_body(response, path)
            if not isinstance(rows, list):
                raise GlpiError(
                    f"GLPI answered GET {path} with something other than a list."
                )
            yield from rows
            start += len(rows)
            bounds = content_range(response.headers.get("Content-Range"))
            if not rows or bounds is None or start >= bounds[2]:
                return

    def _stored_token(self) -> str | None:
        stored = cache.get(self.session_key)
        if (
            isinstance(stored, tuple)
            and len(stored) == 2
            and stored[0] == self._fingerprint
        ):
            return stored[1]
        return None

    def _renew(self, *, stale: str | None) -> str:
        """A working session token; opens one unless another thread already did."""
        with session_lock(self.session_key):
            current = self._stored_token()
            if current is not None and current != stale:
                self._token = current
                return current
            return self.init_session()

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: list[tuple[str, str]] | None = None,
        json: Any = None,
    ) -> requests.Response:
        token = self._token or self._renew(stale=None)
        try:
            return self._send(
                method, path, headers={"Session-Token": token}, params=params, json=json
            )
        except GlpiError as exc:
            # GLPI checks the session before doing anything, so even a write is safe
            # to send again with a new session.
            if exc.glpi_code not in SESSION_ERRORS:
                raise
        token = self._renew(stale=token)
        return self._send(
            method, path, headers={"Session-Token": token}, params=params, json=json
        )

    def _send(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        params: list[tuple[str, str]] | None = None,
        json: Any = None,
    ) -> requests.Response:
        if self._app_token:
            headers = {"App-Token": self._app_token, **headers}
        started = time.monotonic()
        try:
            response = self._http.request(
                method,
                f"{self.base_url}/{path}",
                params=params,
                json=json,
                headers=headers,
                timeout=(self.timeout, self.timeout),
                verify=self.verify_tls,
            )
        except requests.RequestException as exc:
            self._request_count += 1
            ms = (time.monotonic() - started) * 1000
            logger.info(
                "GLPI %s %s -> %s in %.0f ms", method, path, type(exc).__name__, ms
            )
            raise transport_error(exc, method, path, self.timeout) from exc
        retries = getattr(response.raw, "retries", None)
        self._request_count += 1 + (len(retries.history) if retries else 0)
        ms = (time.monotonic() - started) * 1000
        logger.info(
            "GLPI %s %s -> %s in %.0f ms", method, path, response.status_code, ms
        )
        if response.status_code >= 400:
            raise error_from_response(response, method, path)
        return response
