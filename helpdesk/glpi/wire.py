"""The shapes GLPI's API speaks: search criteria, pages, PHP-style query strings."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_CONTENT_RANGE = re.compile(r"^(\d+)-(-?\d+)/(\d+)$")


@dataclass(frozen=True)
class Criterion:
    """One /search criterion; `group` makes a nested group (field, searchtype and
    value are then ignored). A NOT link negates the criterion or group it carries."""

    field: int = 0
    searchtype: str = "contains"
    value: str | int = ""
    link: str = "AND"
    group: tuple["Criterion", ...] = ()


@dataclass(frozen=True)
class SearchPage:
    totalcount: int
    rows: list[dict[str, Any]]  # keyed by search option id as a string, raw values
    start: int  # the range GLPI claims (Content-Range); len(rows) may be smaller
    end: int


_MATCH_ALL = Criterion(2, "contains", "")  # ID LIKE '%%'


def criteria_params(criteria: Sequence[Criterion]) -> list[dict[str, Any]]:
    """The criteria as GLPI's `criteria` parameter. A NOT link on the first criterion
    is not honoured everywhere (the spec says GLPI ignores the first link), so a
    criterion matching everything goes first and the NOT always applies."""
    if criteria and criteria[0].link.upper().endswith("NOT"):
        criteria = [_MATCH_ALL, *criteria]
    return [_criterion_params(criterion) for criterion in criteria]


def _criterion_params(criterion: Criterion) -> dict[str, Any]:
    if criterion.group:
        return {"link": criterion.link, "criteria": criteria_params(criterion.group)}
    return {
        "link": criterion.link,
        "field": criterion.field,
        "searchtype": criterion.searchtype,
        "value": criterion.value,
    }


def php_params(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Query pairs in PHP array syntax: {"a": [{"b": 1}]} -> [("a[0][b]", "1")]."""
    pairs: list[tuple[str, str]] = []

    def add(key: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for name, item in value.items():
                add(f"{key}[{name}]", item)
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                add(f"{key}[{index}]", item)
        elif isinstance(value, bool):
            pairs.append((key, "true" if value else "false"))
        else:
            pairs.append((key, str(value)))

    for name, value in params.items():
        add(name, value)
    return pairs


def content_range(value: str | None) -> tuple[int, int, int] | None:
    match = _CONTENT_RANGE.match((value or "").strip())
    return (int(match[1]), int(match[2]), int(match[3])) if match else None
