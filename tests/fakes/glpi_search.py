"""The fake GLPI's /search engine: search option ids, searchtypes, links and groups,
sorting and the columns GLPI 10 returns (specs/glpi.md §5 and §7).

Values come back as GLPI's search sends them: text still HTML-encoded, dropdowns as
completename, users as logins, several values as a list, no value as None.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from project.text import is_ascii_digits
from tests.fakes.glpi_data import DATE_FORMAT, FakeGlpiData, GlpiFailure, encode

Row = dict[str, Any]
Predicate = Callable[[Row], bool]


@dataclass(frozen=True)
class Option:
    kind: str  # id, name, text, number, status, level, date, dropdown, user, actors
    column: str = ""  # the row's column; for "actors" the actor type (1, 2)
    table: str = ""  # the dropdown's itemtype


OPTIONS: dict[str, dict[int, Option]] = {
    "Ticket": {
        1: Option("name", "name"),
        2: Option("id", "id"),
        3: Option("level", "priority"),
        4: Option("actors", "1"),
        5: Option("actors", "2"),
        7: Option("dropdown", "itilcategories_id", "ITILCategory"),
        10: Option("level", "urgency"),
        11: Option("level", "impact"),
        12: Option("status", "status"),
        14: Option("number", "type"),
        15: Option("date", "date"),
        16: Option("date", "closedate"),
        17: Option("date", "solvedate"),
        18: Option("date", "time_to_resolve"),
        19: Option("date", "date_mod"),
        21: Option("text", "content"),
        22: Option("user", "users_id_recipient"),
        83: Option("dropdown", "locations_id", "Location"),
    },
    "Computer": {
        1: Option("name", "name"),
        2: Option("id", "id"),
        3: Option("dropdown", "locations_id", "Location"),
        4: Option("dropdown", "computertypes_id", "ComputerType"),
        5: Option("text", "serial"),
        6: Option("text", "otherserial"),
        16: Option("text", "comment"),
        19: Option("date", "date_mod"),
        23: Option("dropdown", "manufacturers_id", "Manufacturer"),
        24: Option("user", "users_id_tech"),
        31: Option("dropdown", "states_id", "State"),
        40: Option("dropdown", "computermodels_id", "ComputerModel"),
        47: Option("text", "uuid"),
        70: Option("user", "users_id"),
        121: Option("date", "date_creation"),
    },
}
DEFAULT_COLUMNS = {"Ticket": [2, 1], "Computer": [1]}
DISPLAY_PREFS = {
    "Ticket": [12, 19, 15, 3, 4, 5, 7, 18],
    "Computer": [31, 23, 5, 4, 40, 3, 19],
}
DEFAULT_SORT = {"Ticket": 2, "Computer": 1}
STATUS_VALUES = {
    "notold": {1, 2, 3, 4},
    "old": {5, 6},
    "notclosed": {1, 2, 3, 4, 5},
    "process": {2, 3},
}
_RELATIVE_DATE = re.compile(r"^(-?\d+)(MINUTE|HOUR|DAY|WEEK|MONTH|YEAR)$")
_UNIT_SECONDS = {"MINUTE": 60, "HOUR": 3600, "DAY": 86400, "WEEK": 7 * 86400}
_UNIT_SECONDS |= {"MONTH": 30 * 86400, "YEAR": 365 * 86400}


def _everything(row: Row) -> bool:
    return True


def search_ids(
    data: FakeGlpiData,
    itemtype: str,
    criteria: dict[str, Any],
    *,
    sort: int,
    order: str,
    is_deleted: bool,
) -> list[int]:
    """Ids of the matching rows in display order (memoized until the data changes)."""
    key = (itemtype, repr(criteria), sort, order, is_deleted, data.version)
    if key not in data.search_memo:
        match = _compile(data, itemtype, criteria)
        rows = [
            row
            for row in data.tables[itemtype].values()
            if bool(row.get("is_deleted")) == is_deleted and match(row)
        ]
        option = (
            OPTIONS[itemtype].get(sort) or OPTIONS[itemtype][DEFAULT_SORT[itemtype]]
        )
        # MySQL puts NULLs first in ascending order; ties keep the id order.
        rows.sort(key=lambda row: _sort_key(data, option, row), reverse=order == "DESC")
        data.search_memo.clear()
        data.search_memo[key] = [row["id"] for row in rows]
    return data.search_memo[key]


def columns(
    itemtype: str, forcedisplay: list[int], criteria: dict[str, Any], sort: int
) -> list[int]:
    wanted = DEFAULT_COLUMNS[itemtype] + (forcedisplay or DISPLAY_PREFS[itemtype])
    wanted += _criteria_fields(criteria) + [sort]
    known = OPTIONS[itemtype]
    return [option for option in dict.fromkeys(wanted) if option in known]


def render(data: FakeGlpiData, itemtype: str, row: Row, wanted: list[int]) -> Row:
    rendered = {}
    for option_id in wanted:
        values = _display(data, OPTIONS[itemtype][option_id], row)
        rendered[str(option_id)] = (
            None if not values else values[0] if len(values) == 1 else values
        )
    return rendered


def _criteria_fields(criteria: dict[str, Any]) -> list[int]:
    fields = []
    for criterion in criteria.values():
        if "criteria" in criterion:
            fields += _criteria_fields(criterion["criteria"])
        else:
            fields.append(int(criterion["field"]))
    return fields


def _compile(data: FakeGlpiData, itemtype: str, criteria: Any) -> Predicate:
    """One predicate for a criteria list: SQL precedence (AND before OR), a NOT link
    negates its own criterion; the first criterion's link is ignored."""
    if not isinstance(criteria, dict):
        raise GlpiFailure(400, "ERROR", "Malformed search criteria", doc=True)
    terms: list[tuple[str, Predicate]] = []
    for index, criterion in enumerate(criteria.values()):
        if not isinstance(criterion, dict):
            raise GlpiFailure(400, "ERROR", "Malformed search criteria", doc=True)
        link = str(criterion.get("link", "AND")).upper() if index else "AND"
        if "criteria" in criterion:
            predicate = _compile(data, itemtype, criterion["criteria"])
        else:
            predicate = _predicate(data, itemtype, criterion)
        terms.append((link, predicate))

    def match(row: Row) -> bool:
        matched, current = False, True
        for index, (link, predicate) in enumerate(terms):
            value = predicate(row) != link.endswith("NOT")
            if index and link.startswith("OR"):
                matched, current = matched or current, value
            else:
                current = current and value
        return matched or current

    return match


def _predicate(
    data: FakeGlpiData, itemtype: str, criterion: dict[str, Any]
) -> Predicate:
    if not {"field", "searchtype", "value"} <= criterion.keys():
        raise GlpiFailure(400, "ERROR", "Malformed search criteria", doc=True)
    field = str(criterion["field"])
    if not is_ascii_digits(field) or int(field) not in OPTIONS[itemtype]:
        raise GlpiFailure(400, "ERROR", "Bad field ID in search criteria", doc=True)
    option = OPTIONS[itemtype][int(field)]
    searchtype, value = str(criterion["searchtype"]), str(criterion["value"])
    if option.kind == "status":  # the searchtype is ignored for status
        statuses = STATUS_VALUES.get(value)
        if statuses is None and value in {"1", "2", "3", "4", "5", "6"}:
            statuses = {int(value)}
        if statuses is None:  # "all" and invalid values: no condition
            return _everything
        return lambda row: row[option.column] in statuses
    if option.kind == "level":  # priority/urgency/impact: -n means "at least n"
        if not is_ascii_digits(value.lstrip("-")) or int(value) == 0:
            return _everything
        level = int(value)
        if level > 0:
            return lambda row: row[option.column] == level
        return lambda row: row[option.column] >= -level
    if searchtype in ("contains", "notcontains"):
        test = _text_test(value)

        def contains(row: Row) -> bool:
            return any(test(text) for text in _texts(data, option, row))

        return contains if searchtype == "contains" else lambda row: not contains(row)
    if searchtype in ("equals", "notequals"):
        equals = _equals(data, option, value)
        if searchtype == "equals":
            return equals
        return lambda row: not equals(row)
    if searchtype in ("lessthan", "morethan"):
        return _compare(option, value, searchtype)
    if searchtype in ("under", "notunder") and option.table:
        top = data.tables[option.table].get(
            int(value) if is_ascii_digits(value) else -1
        )
        prefix = top.get("completename", top["name"]) if top else "\0"

        def under(row: Row) -> bool:
            name = (_display(data, option, row) or [""])[0]
            return name == prefix or name.startswith(f"{prefix} > ")

        return under if searchtype == "under" else lambda row: not under(row)
    if searchtype == "empty":
        return lambda row: not any(_texts(data, option, row))
    return _everything  # GLPI does not check searchtypes: an unknown one adds nothing


def _text_test(value: str) -> Callable[[str | None], bool]:
    """LIKE '%value%', case-insensitive, with ^/$ anchors and NULL for "no value"."""
    if value.lower() == "null":
        return lambda text: not text
    needle = encode(value).lower()  # GLPI 10 encodes the query like stored text
    if not needle:
        return lambda text: True
    start, end = needle.startswith("^"), needle.endswith("$") and len(needle) > 1
    needle = needle.removeprefix("^") if start else needle
    needle = needle.removesuffix("$") if end else needle

    def test(text: str | None) -> bool:
        if text is None:
            return False
        text = text.lower()
        if start and end:
            return text == needle
        if start:
            return text.startswith(needle)
        return text.endswith(needle) if end else needle in text

    return test


def _equals(data: FakeGlpiData, option: Option, value: str) -> Predicate:
    if option.kind == "date":
        return lambda row: str(row.get(option.column) or "").startswith(value)
    if option.kind == "text":
        encoded = encode(value)
        return lambda row: row.get(option.column) == encoded
    wanted = int(value) if is_ascii_digits(value.lstrip("-")) else None
    return lambda row: wanted in _ids(data, option, row)


def _compare(option: Option, value: str, searchtype: str) -> Predicate:
    if option.kind == "date":
        bound: Any = _date_value(value)
    elif is_ascii_digits(value.lstrip("-")):
        bound = int(value)
    else:
        return _everything
    column = option.column
    if searchtype == "lessthan":
        return lambda row: row.get(column) is not None and row[column] < bound
    return lambda row: row.get(column) is not None and row[column] > bound


def _date_value(value: str) -> str:
    now = datetime.now()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    relative = _RELATIVE_DATE.match(value)
    if relative:
        moment = now + timedelta(seconds=int(relative[1]) * _UNIT_SECONDS[relative[2]])
    else:
        named = {
            "NOW": now,
            "TODAY": midnight,
            "BEGINMONTH": midnight.replace(day=1),
            "BEGINYEAR": midnight.replace(month=1, day=1),
        }
        if value not in named:
            return value
        moment = named[value]
    return moment.strftime(DATE_FORMAT)


def _ids(data: FakeGlpiData, option: Option, row: Row) -> list[Any]:
    """What `equals` compares: dropdown and user ids, the item id for the name."""
    if option.kind == "actors":
        return [
            user
            for user, kind in data.actors.get(row["id"], ())
            if kind == int(option.column)
        ]
    if option.kind == "name":
        return [row["id"]]
    return [row.get(option.column)]


def _display(data: FakeGlpiData, option: Option, row: Row) -> list[Any]:
    """The column as /search shows it; [] when there is no value."""
    if option.kind == "actors":
        users = data.tables["User"]
        return [
            users[user]["name"] for user in _ids(data, option, row) if user in users
        ]
    value = row.get(option.column)
    if option.kind == "user":
        user = data.tables["User"].get(value or 0)
        return [user["name"]] if user else []
    if option.kind == "dropdown":
        item = data.tables[option.table].get(value or 0)
        return [item.get("completename", item["name"])] if item else []
    return [] if value is None else [value]


def _texts(data: FakeGlpiData, option: Option, row: Row) -> list[str | None]:
    shown = _display(data, option, row)
    return [str(value) for value in shown] or [None]


def _sort_key(data: FakeGlpiData, option: Option, row: Row) -> tuple[bool, Any]:
    shown = _display(data, option, row)
    return (bool(shown), shown[0] if shown else 0)
