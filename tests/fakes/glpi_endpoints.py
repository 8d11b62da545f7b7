"""The fake GLPI's item, list and search endpoints (specs/glpi.md §4, §5, §8): ranges,
200 vs 206 and Content-Range as GLPI 10 computes them, HATEOAS links, writes."""

import html
import re
from collections.abc import Iterable
from typing import Any

from project.text import is_ascii_digits
from tests.fakes.glpi_data import NO_RIGHT, FakeGlpiData, GlpiFailure
from tests.fakes.glpi_search import DEFAULT_SORT, OPTIONS, columns, render, search_ids

URL_BASE_API = "http://localhost/glpi/api"
HATEOAS_LINKS = (
    ("ITILCategory", "itilcategories_id"),
    ("Location", "locations_id"),
    ("User", "users_id"),
)
_RANGE = re.compile(r"^(\d+)-(\d+)$")
Answer = tuple[int, Any, dict[str, str]]


class GlpiEndpoints(FakeGlpiData):
    denied: set[str]  # itemtypes the API user has no right on
    list_limit: int
    max_page_size: int | None

    # --- Reading --------------------------------------------------------------------

    def _itemtype(self, name: str) -> str:
        # GLPI's class lookup is case-insensitive and answers with the canonical case.
        for itemtype in self.tables:
            if itemtype.lower() == name.lower():
                return itemtype
        message = "resource not found or not an instance of CommonDBTM"
        raise GlpiFailure(
            400, "ERROR_RESOURCE_NOT_FOUND_NOR_COMMONDBTM", message, doc=True
        )

    def _read(
        self, itemtype: str, ids: list[str], query: dict, headers: dict
    ) -> Answer:
        if itemtype in self.denied:
            raise GlpiFailure(403, "ERROR_RIGHT_MISSING", NO_RIGHT)
        if not ids or ids[0] in ("", "0"):  # GLPI 10: id 0 falls through to the list
            return self._list(itemtype, self.tables[itemtype].values(), query, headers)
        parent_id = item_id_of(ids[0])
        parent = self.tables[itemtype].get(parent_id)
        if parent is None:
            raise GlpiFailure(404, "ERROR_ITEM_NOT_FOUND", "Item not found")
        if len(ids) == 1:
            return 200, self._present(itemtype, parent, query, headers), {}
        child_type = self._itemtype(ids[1])
        if len(ids) == 2 or not ids[2]:
            children = self.children(itemtype, parent_id, child_type)
            return self._list(child_type, children, query, headers)
        return self._read(child_type, ids[2:], query, headers)

    def _list(
        self, itemtype: str, rows: Iterable[dict], query: dict, headers: dict
    ) -> Answer:
        trash = _truthy(query.get("is_deleted"))
        selected = [r for r in rows if bool(r.get("is_deleted")) == trash]
        for column, text in (query.get("searchText") or {}).items():
            needle = str(text).lower()
            selected = [r for r in selected if needle in str(r.get(column, "")).lower()]
        sort = str(query.get("sort", "id"))
        if selected and sort not in selected[0]:
            message = f"sort param is not a field of glpi_{itemtype.lower()}s"
            raise GlpiFailure(400, "ERROR", message, doc=True)
        order = _order(query.get("order", "ASC"))
        selected.sort(
            key=lambda r: (r[sort] is not None, r[sort]), reverse=order == "DESC"
        )
        start, end = _range(query.get("range"), self.list_limit)
        # GLPI 10 builds the default header from [0, glpilist_limit]: one too many.
        claimed_end = end if "range" in query else self.list_limit
        total = len(selected)
        _check_start(start, total)
        page = selected[start : end + 1][: self.max_page_size]
        answer = [self._present(itemtype, r, query, headers) for r in page]
        extra = {"Accept-Range": f"{itemtype} 1000"}
        last = min(claimed_end, total - 1)
        if total:
            extra["Content-Range"] = f"{start}-{last}/{total}"
        return (206 if last - start + 1 < total else 200), answer, extra

    def _present(self, itemtype: str, row: dict, query: dict, headers: dict) -> dict:
        if _truthy(query.get("only_id")):
            shown = {"id": row["id"]}
        elif headers.get("x-glpi-sanitized-content", "").lower() == "false":
            shown = {
                k: html.unescape(v) if isinstance(v, str) else v for k, v in row.items()
            }
        else:
            shown = dict(row)
        if query.get("get_hateoas", True) is not False:
            shown["links"] = [
                {"rel": target, "href": f"{URL_BASE_API}/{target}/{row[key]}"}
                for target, key in HATEOAS_LINKS
                if row.get(key)
            ]
        return shown

    def _search(self, itemtype: str, query: dict) -> Answer:
        if itemtype not in OPTIONS:
            raise GlpiFailure(400, "ERROR", f"search of {itemtype} is not faked")
        if itemtype in self.denied:
            raise GlpiFailure(403, "ERROR_RIGHT_MISSING", NO_RIGHT)
        criteria = query.get("criteria") or {}
        sort = _first(query.get("sort"))
        sort_id = int(sort) if is_ascii_digits(str(sort)) else DEFAULT_SORT[itemtype]
        order = _order(_first(query.get("order")) or "ASC")
        trash = _truthy(query.get("is_deleted"))
        ids = search_ids(
            self, itemtype, criteria, sort=sort_id, order=order, is_deleted=trash
        )
        start, end = _range(query.get("range"), self.list_limit)
        total = len(ids)
        _check_start(start, total)
        end = min(end, total - 1)
        forced = [
            int(v)
            for v in (query.get("forcedisplay") or {}).values()
            if is_ascii_digits(str(v))
        ]
        wanted = columns(itemtype, forced, criteria, sort_id)
        table = self.tables[itemtype]
        page = ids[start : end + 1][: self.max_page_size]
        rows = [render(self, itemtype, table[item_id], wanted) for item_id in page]
        body: dict[str, Any] = {
            "totalcount": total,
            "count": len(rows),
            "sort": [sort_id],
            "order": [order],
        }
        if rows:
            body["data"] = rows
        body["content-range"] = f"{start}-{end}/{total}"
        extra = {"Accept-Range": f"{itemtype} 1000"}
        if total:
            extra["Content-Range"] = body["content-range"]
        return (200 if len(rows) >= total else 206), body, extra

    # --- Writing --------------------------------------------------------------------

    def _create(self, itemtype: str, data: Any) -> Answer:
        items = _input(data)
        if itemtype in self.denied:
            raise GlpiFailure(400, "ERROR_GLPI_ADD", NO_RIGHT)
        results = []
        for values in items if isinstance(items, list) else [items]:
            new_id = self.create(itemtype, values)
            message = ""
            if itemtype == "Ticket":
                message = "Your ticket has been registered, its treatment is in "
                message += f"progress. (Ticket: {new_id})"
            results.append({"id": new_id, "message": message})
        urls = [f"{URL_BASE_API}/{itemtype}/{result['id']}" for result in results]
        if isinstance(items, list):
            return 201, results, {"Link": ",".join(urls)}
        return 201, results[0], {"Location": urls[0]}

    def _update(self, itemtype: str, item_id: int, data: Any) -> Answer:
        values = _input(data)
        if itemtype in self.denied:
            raise GlpiFailure(400, "ERROR_GLPI_UPDATE", NO_RIGHT)
        self.update(itemtype, item_id, values if isinstance(values, dict) else {})
        return 200, [{str(item_id): True, "message": ""}], {}


def _input(data: Any) -> Any:
    items = data.get("input") if isinstance(data, dict) else None
    if isinstance(items, dict) or (
        isinstance(items, list) and items and all(isinstance(i, dict) for i in items)
    ):
        return items
    message = "input parameter must be an array of objects"
    raise GlpiFailure(400, "ERROR_BAD_ARRAY", message, doc=True)


def _range(value: Any, list_limit: int) -> tuple[int, int]:
    if value is None:
        return 0, list_limit - 1
    match = _RANGE.match(str(value))
    if not match:
        message = "range must be in format : [start-end] with integers"
        raise GlpiFailure(400, "ERROR", message, doc=True)
    return int(match[1]), int(match[2])


def _check_start(start: int, total: int) -> None:
    if start > total:
        message = f"Provided range exceed total count of data: {total}"
        raise GlpiFailure(400, "ERROR_RANGE_EXCEED_TOTAL", message, doc=True)


def _order(value: Any) -> str:
    if str(value).upper() not in ("ASC", "DESC"):
        raise GlpiFailure(400, "ERROR", "order must be DESC or ASC", doc=True)
    return str(value).upper()


def _first(value: Any) -> Any:
    """Since GLPI 10, sort/order may be arrays; a scalar is accepted too."""
    return next(iter(value.values()), None) if isinstance(value, dict) else value


def _truthy(value: Any) -> bool:
    return value not in (None, False, "", "0")  # PHP truthiness


def item_id_of(value: str) -> int:
    if not is_ascii_digits(value):
        raise GlpiFailure(400, "ERROR", "id must be an integer", doc=True)
    return int(value)
