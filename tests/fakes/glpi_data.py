"""The data behind the fake GLPI: rows as GLPI 10 stores them and builders for tests
and benchmarks.

Text columns are stored HTML-encoded (`&#60;p&#62;`), as GLPI 10 does; tree dropdowns
have a `completename` ("Hardware > Printers"); requesters and technicians live in
Ticket_User rows, as in GLPI. Dates are naive "YYYY-MM-DD HH:MM:SS" strings.
"""

import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from project.text import is_ascii_digits

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
API_USER_ID = 2
TREES = {
    "ITILCategory": "itilcategories_id",
    "Location": "locations_id",
    "State": "states_id",
}
FOREIGN_KEYS = {
    **TREES,
    "Manufacturer": "manufacturers_id",
    "ComputerModel": "computermodels_id",
    "ComputerType": "computertypes_id",
}
ITEMTYPES = (
    *("Ticket", "Computer", "ITILFollowup", "Ticket_User", "TicketTask", "User"),
    *FOREIGN_KEYS,
    "Entity",
)
TEXT_COLUMNS = ("name", "content", "comment")
NO_RIGHT = "You don't have permission to perform this action."
Users = int | str | Iterable[int | str] | None


class GlpiFailure(Exception):
    """A GLPI error answer: `status` with the body `[code, message]`."""

    def __init__(self, status: int, code: str, message: Any, *, doc: bool = False):
        if doc:
            message += f"; view documentation in your browser at http://localhost/glpi/api/#{code}"
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


def encode(text: str) -> str:
    """GLPI 10's storage encoding of text (quotes are left alone)."""
    return text.replace("&", "&#38;").replace("<", "&#60;").replace(">", "&#62;")


def now_text() -> str:
    return datetime.now().strftime(DATE_FORMAT)


class FakeGlpiData:
    def __init__(self) -> None:
        self.tables: dict[str, dict[int, dict[str, Any]]] = {t: {} for t in ITEMTYPES}
        self.actors: dict[int, list[tuple[int, int]]] = {}  # ticket -> (user, type)
        self.version = 0  # bumped by every change; search results are memoized on it
        self.search_memo: dict[tuple, list[int]] = {}
        self._next_ids = dict.fromkeys(ITEMTYPES, 1)
        root = {"id": 0, "name": "Root entity", "completename": "Root entity"}
        self.tables["Entity"][0] = root
        self.add_user("glpi", id=API_USER_ID)

    # --- Builders -------------------------------------------------------------------

    def add_user(
        self, login: str, *, realname: str = "", firstname: str = "", **fields: Any
    ) -> int:
        row = {
            "name": login,
            "realname": realname,
            "firstname": firstname,
            "is_active": 1,
        }
        return self._insert("User", {**row, **fields})

    def add_dropdown(self, itemtype: str, name: str, *, parent: int = 0) -> int:
        row: dict[str, Any] = {"name": encode(name), "comment": ""}
        if itemtype in TREES:
            above = self.tables[itemtype].get(parent)
            row[TREES[itemtype]] = parent
            row["completename"] = (
                f"{above['completename']} > {row['name']}" if above else row["name"]
            )
            row["level"] = above["level"] + 1 if above else 1
        return self._insert(itemtype, row)

    def dropdown_id(self, itemtype: str, value: int | str) -> int:
        """A dropdown's id, given as an id or a complete name ("A > B"), created if missing."""
        if isinstance(value, int):
            return value
        parent_key = TREES.get(itemtype, "")
        parent = 0
        for part in value.split(" > ") if parent_key else [value]:
            matches = (
                row["id"]
                for row in self.tables[itemtype].values()
                if row["name"] == encode(part) and row.get(parent_key, 0) == parent
            )
            found = next(matches, None)
            parent = (
                self.add_dropdown(itemtype, part, parent=parent)
                if found is None
                else found
            )
        return parent

    def user_id(self, user: int | str) -> int:
        if isinstance(user, int):
            return user
        matches = (
            row["id"] for row in self.tables["User"].values() if row["name"] == user
        )
        found = next(matches, None)
        return self.add_user(user) if found is None else found

    def add_ticket(
        self,
        *,
        requester: Users = None,
        technician: Users = None,
        category: int | str | None = None,
        location: int | str | None = None,
        **fields: Any,
    ) -> int:
        """A ticket; `requester`/`technician` take logins or user ids (one or a list).
        Any column can be given; priority defaults to the mean of urgency and impact."""
        now = now_text()
        row: dict[str, Any] = {
            "entities_id": 0, "name": "", "date": now, "closedate": None,
            "solvedate": None, "date_mod": now, "users_id_lastupdater": API_USER_ID,
            "status": 1, "users_id_recipient": API_USER_ID, "requesttypes_id": 1,
            "content": "", "urgency": 3, "impact": 3, "itilcategories_id": 0, "type": 1,
            "global_validation": 1, "time_to_resolve": None, "actiontime": 0,
            "is_deleted": 0, "locations_id": 0, "date_creation": now,
        }  # fmt: skip
        row.update(_encoded(fields))
        row.setdefault("priority", -(-(int(row["urgency"]) + int(row["impact"])) // 2))
        if category is not None:
            row["itilcategories_id"] = self.dropdown_id("ITILCategory", category)
        if location is not None:
            row["locations_id"] = self.dropdown_id("Location", location)
        technicians = _as_list(technician)
        if technicians and int(row["status"]) == 1:
            row["status"] = 2  # GLPI moves a new ticket to "assigned" with a technician
        _set_resolution_dates(row)
        ticket_id = self._insert("Ticket", row)
        for user in _as_list(requester):
            self.add_actor(ticket_id, user, 1)
        for user in technicians:
            self.add_actor(ticket_id, user, 2)
        return ticket_id

    def add_actor(self, ticket_id: int, user: int | str, actor_type: int) -> None:
        """Links a user to a ticket: 1 requester, 2 technician, 3 observer."""
        user_id = self.user_id(user)
        self.actors.setdefault(ticket_id, []).append((user_id, actor_type))
        link = {"tickets_id": ticket_id, "users_id": user_id, "type": actor_type}
        self._insert(
            "Ticket_User", {**link, "use_notification": 1, "alternative_email": ""}
        )

    def add_computer(
        self,
        *,
        location: int | str | None = None,
        state: int | str | None = None,
        manufacturer: int | str | None = None,
        model: int | str | None = None,
        computer_type: int | str | None = None,
        user: int | str | None = None,
        **fields: Any,
    ) -> int:
        now = now_text()
        row: dict[str, Any] = {
            "entities_id": 0, "name": "", "serial": "", "otherserial": "", "contact": "",
            "contact_num": "", "users_id_tech": 0, "groups_id_tech": 0, "comment": "",
            "date_mod": now, "locations_id": 0, "computermodels_id": 0,
            "computertypes_id": 0, "is_template": 0, "manufacturers_id": 0,
            "is_deleted": 0, "is_dynamic": 0, "users_id": 0, "groups_id": 0,
            "states_id": 0, "uuid": "", "date_creation": now,
        }  # fmt: skip
        row.update(_encoded(fields))
        dropdowns = {
            "Location": location,
            "State": state,
            "Manufacturer": manufacturer,
            "ComputerModel": model,
            "ComputerType": computer_type,
        }
        for itemtype, value in dropdowns.items():
            if value is not None:
                row[FOREIGN_KEYS[itemtype]] = self.dropdown_id(itemtype, value)
        if user is not None:
            row["users_id"] = self.user_id(user)
        return self._insert("Computer", row)

    def add_followup(self, ticket_id: int, content: str, **fields: Any) -> int:
        now = now_text()
        row = {
            "itemtype": "Ticket", "items_id": ticket_id, "date": now,
            "users_id": API_USER_ID, "users_id_editor": 0, "content": content,
            "is_private": 0, "requesttypes_id": 1, "date_mod": now, "date_creation": now,
            "timeline_position": 1, "sourceitems_id": 0, "sourceof_items_id": 0,
        }  # fmt: skip
        return self._insert("ITILFollowup", _encoded({**row, **fields}))

    # --- Writes through the API -----------------------------------------------------

    def create(self, itemtype: str, values: dict[str, Any]) -> int:
        values = dict(values)
        if itemtype == "Ticket":
            requester = values.pop("_users_id_requester", None)
            technician = values.pop("_users_id_assign", None)
            return self.add_ticket(requester=requester, technician=technician, **values)
        if itemtype == "ITILFollowup":
            # createItems never takes the parent from the URL: without itemtype and
            # items_id in the input, GLPI's right check fails.
            parent = self.tables.get(str(values.get("itemtype")), {})
            if _int(values.get("items_id")) not in parent:
                raise GlpiFailure(400, "ERROR_GLPI_ADD", NO_RIGHT)
            ticket_id = _int(values.pop("items_id"))
            return self.add_followup(ticket_id, values.pop("content", ""), **values)
        if itemtype == "Computer":
            return self.add_computer(**values)
        return self._insert(itemtype, _encoded(values))

    def update(self, itemtype: str, item_id: int, values: dict[str, Any]) -> None:
        row = self.tables[itemtype].get(item_id)
        if row is None:
            raise GlpiFailure(400, "ERROR_GLPI_UPDATE", None)
        values = {key: value for key, value in values.items() if key != "id"}
        for user in _as_list(values.pop("_users_id_assign", None)):
            self.add_actor(item_id, user, 2)
        row.update(_encoded(values))
        row["date_mod"] = now_text()
        if itemtype == "Ticket":
            _set_resolution_dates(row)
        self.version += 1

    def children(
        self, parent_type: str, parent_id: int, child_type: str
    ) -> list[dict[str, Any]]:
        foreign_key = f"{parent_type.lower()}s_id"
        return [
            row
            for row in self.tables[child_type].values()
            if row.get(foreign_key) == parent_id
            or (row.get("itemtype") == parent_type and row.get("items_id") == parent_id)
        ]

    # --- Data sets ------------------------------------------------------------------

    def add_sample_data(self) -> None:
        """A small deterministic helpdesk (its ids are listed in tests/helpdesk/conftest.py)."""
        people = (
            ("tech1", "Tess"),
            ("tech2", "Theo"),
            ("alice", "Alice"),
            ("bob", "Bob"),
        )
        for login, first in people:
            self.add_user(login, firstname=first, realname="Doe")
        for category in ("Hardware > Printers", "Software", "Network"):
            self.dropdown_id("ITILCategory", category)
        for location in ("HQ > Floor 1", "Branch"):
            self.dropdown_id("Location", location)
        self.add_ticket(
            name="Printer jams on floor 1", content="<p>Paper jam & smoke</p>",
            status=1, urgency=4, impact=4, category="Hardware > Printers",
            location="HQ > Floor 1", requester="alice",
            date="2024-03-01 09:00:00", date_mod="2024-03-01 09:30:00",
        )  # fmt: skip
        self.add_ticket(
            name="VPN drops every hour", content="<p>Since Monday</p>", status=2,
            priority=3, category="Network", requester="bob", technician="tech1",
            date="2024-03-02 10:00:00", date_mod="2024-03-03 11:00:00",
        )  # fmt: skip
        self.add_ticket(
            name="Install Office", content="<p>New laptop</p>", status=4, priority=2,
            type=2, category="Software", requester="alice", technician=["tech1", "tech2"],
            date="2024-03-04 08:15:00", date_mod="2024-03-05 16:00:00",
        )  # fmt: skip
        self.add_ticket(
            name="Screen flickers", content="<p>Dell monitor</p>", status=5, priority=3,
            category="Hardware", requester="bob", technician="tech2",
            date="2024-02-10 14:00:00", date_mod="2024-02-12 09:00:00",
        )  # fmt: skip
        self.add_ticket(
            name="Password reset", content="<p>Locked out</p>", status=6, priority=5,
            type=2, requester="alice", technician="tech1",
            date="2024-01-05 08:00:00", date_mod="2024-01-05 09:00:00",
        )  # fmt: skip
        self.add_ticket(
            name="Old duplicate", content="<p>Trashed</p>", priority=1, is_deleted=1,
            date="2024-01-01 08:00:00", date_mod="2024-01-01 08:00:00",
        )  # fmt: skip
        self.add_followup(
            1, "<p>Technician on the way</p>", users_id=self.user_id("tech1")
        )
        self.add_followup(1, "<p>Tray fixed</p>", users_id=self.user_id("tech1"))
        computers = (
            ("PC-ALICE", "SN-0001", "HQ > Floor 1", "In use", "Dell", "alice"),
            ("PC-BOB", "SN-0002", "Branch", "In use", "Lenovo", "bob"),
            ("LAPTOP-SPARE", "SN-0003", "HQ", "In stock", "HP", None),
            ("PC-OLD", "SN-0004", "HQ", "Broken", "Dell", None),
        )
        for name, serial, location, state, manufacturer, user in computers:
            self.add_computer(
                name=name, serial=serial, location=location, state=state,
                manufacturer=manufacturer, user=user, date_mod="2024-03-01 12:00:00",
            )  # fmt: skip

    def seed(
        self, *, tickets: int = 10_000, computers: int = 1_000, random_seed: int = 0
    ) -> None:
        """Bulk random data for benchmarks (about 0.5 s for 10,000 tickets)."""
        rng = random.Random(random_seed)
        users = [self.add_user(f"user{n}") for n in range(40)]
        techs = [self.add_user(f"agent{n}") for n in range(10)]
        categories = [
            self.dropdown_id("ITILCategory", f"{top} > {sub}")
            for top in ("Hardware", "Software", "Network")
            for sub in ("Install", "Incident", "Request")
        ]
        locations = [self.dropdown_id("Location", f"Site {n}") for n in range(8)]
        states = [
            self.dropdown_id("State", s) for s in ("In use", "In stock", "Broken")
        ]
        makers = [self.dropdown_id("Manufacturer", m) for m in ("Dell", "Lenovo", "HP")]
        year_ago = datetime.now() - timedelta(days=365)
        topics = ("printer", "vpn", "mail", "laptop")
        for n in range(tickets):
            opened = year_ago + timedelta(seconds=rng.randrange(365 * 86400))
            updated = opened + timedelta(seconds=rng.randrange(7 * 86400))
            status = rng.choice((1, 2, 3, 4, 5, 6, 6, 6))
            self.add_ticket(
                name=f"Ticket {n} <{rng.choice(topics)}>",
                content=f"<p>Generated ticket {n} & details</p>",
                status=status, urgency=rng.randint(1, 5), impact=rng.randint(1, 5),
                type=rng.choice((1, 2)), category=rng.choice(categories),
                location=rng.choice(locations), requester=rng.choice(users),
                technician=rng.choice(techs) if status > 1 else None,
                date=opened.strftime(DATE_FORMAT), date_mod=updated.strftime(DATE_FORMAT),
            )  # fmt: skip
        for n in range(computers):
            self.add_computer(
                name=f"PC-{n:05d}", serial=f"SN-{rng.randrange(10**8):08d}",
                location=rng.choice(locations), state=rng.choice(states),
                manufacturer=rng.choice(makers), user=rng.choice(users),
            )  # fmt: skip

    def _insert(self, itemtype: str, row: dict[str, Any]) -> int:
        item_id = int(row.get("id") or self._next_ids[itemtype])
        if item_id in self.tables[itemtype]:
            raise ValueError(f"{itemtype} {item_id} already exists")
        self.tables[itemtype][item_id] = {**row, "id": item_id}
        self._next_ids[itemtype] = max(self._next_ids[itemtype], item_id + 1)
        self.version += 1
        return item_id


def _encoded(values: dict[str, Any]) -> dict[str, Any]:
    return {
        key: encode(value) if key in TEXT_COLUMNS and isinstance(value, str) else value
        for key, value in values.items()
    }


def _set_resolution_dates(ticket: dict[str, Any]) -> None:
    status = int(ticket["status"])
    ticket["solvedate"] = (
        (ticket["solvedate"] or ticket["date_mod"]) if status >= 5 else None
    )
    ticket["closedate"] = (
        (ticket["closedate"] or ticket["date_mod"]) if status == 6 else None
    )


def _as_list(value: Users) -> list[int | str]:
    if value is None:
        return []
    if isinstance(value, int | str):
        return [value]
    return list(value)


def _int(value: Any) -> int:
    return int(value) if is_ascii_digits(str(value)) else -1
