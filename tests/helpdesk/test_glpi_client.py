"""GlpiClient against the fake GLPI over real sockets: sessions, pagination, search,
reads and writes. Failures are in test_glpi_errors.py."""

import threading

import pytest
import requests

from helpdesk.glpi import Criterion, GlpiAuthError, GlpiClient, SearchPage
from tests.fakes.glpi_server import FakeGlpiServer

OPEN_TICKETS = [1, 2, 3, 4, 5]  # every ticket of the sample but the trashed one


def ranges(fake: FakeGlpiServer, path: str) -> list[str]:
    return [r.query["range"] for r in fake.requests if r.path.strip("/") == path]


def add_tickets(fake: FakeGlpiServer, count: int) -> None:
    for n in range(count):
        fake.add_ticket(name=f"Bulk {n}")


# --- Sessions ---------------------------------------------------------------------


def test_one_session_serves_many_calls(fake_glpi, glpi_client):
    glpi_client.ping()
    glpi_client.get_item("Ticket", 1)
    glpi_client.search("Ticket")
    glpi_client.count("Computer")
    glpi_client.get_subitems("Ticket", 1, "ITILFollowup")

    assert fake_glpi.init_sessions == 1
    init, *calls = fake_glpi.requests
    assert init.path == "initSession"
    assert init.headers["authorization"] == "user_token user-token-test"
    assert init.headers["app-token"] == "app-token-test"
    token = next(iter(fake_glpi.sessions))
    assert len(token) == 26
    assert len(calls) == 5
    assert {r.headers["session-token"] for r in calls} == {token}
    assert {r.headers["app-token"] for r in calls} == {"app-token-test"}
    assert all(r.body is None for r in fake_glpi.requests)  # GET has no body
    assert glpi_client.request_count == 6


def test_clients_with_the_same_session_key_share_the_session(
    fake_glpi, make_glpi_client
):
    make_glpi_client().get_item("Ticket", 1)
    make_glpi_client().get_item("Ticket", 2)
    assert fake_glpi.init_sessions == 1

    make_glpi_client(session_key="another-company").get_item("Ticket", 3)
    assert fake_glpi.init_sessions == 2


def test_a_session_opened_with_other_credentials_is_not_reused(
    fake_glpi, make_glpi_client
):
    make_glpi_client().ping()
    with pytest.raises(GlpiAuthError):
        make_glpi_client(user_token="revoked-token").ping()
    assert fake_glpi.requests_to("initSession") == 2


def test_an_expired_session_is_reopened_transparently(fake_glpi, glpi_client):
    glpi_client.get_item("Ticket", 1)
    fake_glpi.expire_sessions()

    assert glpi_client.get_item("Ticket", 1)["id"] == 1
    assert fake_glpi.init_sessions == 2
    assert fake_glpi.requests_to("Ticket/1") == 3  # ok, 401, ok


def test_a_session_expiring_mid_walk_resumes_at_the_same_range(fake_glpi, glpi_client):
    fake_glpi.expire_after = 2

    rows = list(glpi_client.search_all("Ticket", sort=2, order="ASC", page_size=2))

    assert [row["2"] for row in rows] == OPEN_TICKETS
    assert fake_glpi.init_sessions == 2
    assert ranges(fake_glpi, "search/Ticket") == ["0-1", "2-3", "4-5", "4-5"]


def test_concurrent_requests_reopen_an_expired_session_once(
    fake_glpi, make_glpi_client
):
    make_glpi_client().ping()
    fake_glpi.expire_sessions()
    barrier = threading.Barrier(8)
    results: list[int] = []

    def work() -> None:
        client = make_glpi_client()
        barrier.wait()
        results.append(client.get_item("Ticket", 2)["id"])

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == [2] * 8
    assert fake_glpi.init_sessions == 2


def test_kill_session_ends_the_glpi_session(fake_glpi, glpi_client):
    glpi_client.ping()
    glpi_client.kill_session()

    assert fake_glpi.requests_to("killSession") == 1
    assert fake_glpi.sessions == {}
    glpi_client.ping()  # a new session
    assert fake_glpi.init_sessions == 2


def test_kill_session_never_raises(fake_glpi, glpi_client, caplog):
    glpi_client.kill_session()  # no session yet: nothing sent
    assert fake_glpi.requests == []

    glpi_client.ping()
    fake_glpi.expire_sessions()
    glpi_client.kill_session()
    assert "killSession failed" in caplog.text


# --- Pagination ---------------------------------------------------------------------


def test_fake_answers_partial_pages_with_206_and_content_range(fake_glpi, glpi_client):
    """What the walks below rely on, checked on the wire."""
    token = glpi_client.init_session()
    headers = {"App-Token": "app-token-test", "Session-Token": token}

    page = requests.get(
        f"{fake_glpi.url}/Ticket/", params={"range": "0-1"}, headers=headers
    )
    assert page.status_code == 206
    assert page.headers["Content-Range"] == "0-1/5"
    whole = requests.get(
        f"{fake_glpi.url}/Ticket/", params={"range": "0-99"}, headers=headers
    )
    assert whole.status_code == 200
    assert whole.headers["Content-Range"] == "0-4/5"
    search = requests.get(
        f"{fake_glpi.url}/search/Ticket", params={"range": "4-9"}, headers=headers
    )
    assert search.status_code == 206
    assert search.json()["content-range"] == "4-4/5"


@pytest.mark.parametrize("page_size", [1, 7, 20, 50, 500])
def test_search_all_walks_every_page(fake_glpi, glpi_client, page_size):
    add_tickets(fake_glpi, 45)

    rows = list(glpi_client.search_all("Ticket", forcedisplay=[2], page_size=page_size))

    assert [row["2"] for row in rows] == sorted(OPEN_TICKETS + list(range(7, 52)))[::-1]
    assert fake_glpi.requests_to("search/Ticket") == -(-50 // page_size)


def test_get_items_walks_list_pages(fake_glpi, glpi_client):
    rows = list(glpi_client.get_items("Ticket", page_size=2))

    assert [row["id"] for row in rows] == OPEN_TICKETS
    assert ranges(fake_glpi, "Ticket") == ["0-1", "2-3", "4-5"]


def test_walks_advance_by_the_rows_granted_not_asked(fake_glpi, glpi_client):
    add_tickets(fake_glpi, 45)
    fake_glpi.max_page_size = 7

    rows = list(glpi_client.search_all("Ticket", forcedisplay=[2], page_size=20))
    items = list(glpi_client.get_items("Ticket", page_size=20))

    assert len({row["2"] for row in rows}) == len(rows) == 50
    assert len({row["id"] for row in items}) == len(items) == 50
    assert fake_glpi.requests_to("search/Ticket") == 8  # ceil(50 / 7)
    assert ranges(fake_glpi, "search/Ticket")[:3] == ["0-19", "7-26", "14-33"]


def test_search_all_is_lazy(fake_glpi, glpi_client):
    rows = glpi_client.search_all("Ticket", page_size=2)

    assert fake_glpi.requests_to("search/Ticket") == 0
    next(rows)
    next(rows)
    assert fake_glpi.requests_to("search/Ticket") == 1
    next(rows)
    assert fake_glpi.requests_to("search/Ticket") == 2
    assert len(list(rows)) == 2
    assert fake_glpi.requests_to("search/Ticket") == 3


def test_a_total_shrinking_mid_walk_ends_the_walk(fake_glpi, glpi_client):
    rows = glpi_client.search_all("Ticket", sort=2, order="ASC", page_size=2)
    first = [next(rows)["2"], next(rows)["2"]]
    for ticket_id in (1, 2, 3, 4):
        fake_glpi.update("Ticket", ticket_id, {"is_deleted": 1})

    assert first + [row["2"] for row in rows] == [1, 2]  # start 2 > total 1
    assert fake_glpi.requests_to("search/Ticket") == 2


def test_a_page_past_the_end_is_empty_with_the_real_total(fake_glpi, glpi_client):
    page = glpi_client.search("Ticket", start=40, limit=10)

    assert page.rows == []
    assert page.totalcount == 5


def test_empty_search(fake_glpi, glpi_client):
    nothing = [Criterion(1, "contains", "no such ticket")]

    page = glpi_client.search("Ticket", criteria=nothing)

    assert page == SearchPage(totalcount=0, rows=[], start=0, end=-1)
    assert list(glpi_client.search_all("Ticket", criteria=nothing)) == []
    assert glpi_client.count("Ticket", criteria=nothing) == 0


def test_count_is_one_small_request(fake_glpi, glpi_client):
    open_ = [Criterion(12, "equals", "notold")]

    assert glpi_client.count("Ticket", criteria=open_) == 3

    request = fake_glpi.requests[-1]
    assert request.query["range"] == "0-0"
    assert request.query["forcedisplay"] == {"0": "2"}


# --- Search ---------------------------------------------------------------------------


def test_criteria_are_sent_in_php_array_syntax(fake_glpi, glpi_client):
    criteria = [
        Criterion(12, "equals", "notold"),
        Criterion(
            group=(
                Criterion(4, "contains", "alice"),
                Criterion(5, "contains", "tech2", link="OR"),
            )
        ),
    ]

    page = glpi_client.search(
        "Ticket", criteria=criteria, forcedisplay=[1, 2], sort=19, order="ASC"
    )

    assert sorted(row["2"] for row in page.rows) == [1, 3]
    query = fake_glpi.requests[-1].query
    assert query["criteria"] == {
        "0": {"link": "AND", "field": "12", "searchtype": "equals", "value": "notold"},
        "1": {
            "link": "AND",
            "criteria": {
                "0": {"link": "AND", "field": "4", "searchtype": "contains", "value": "alice"},
                "1": {"link": "OR", "field": "5", "searchtype": "contains", "value": "tech2"},
            },
        },
    }  # fmt: skip
    assert query["forcedisplay"] == {"0": "1", "1": "2"}
    assert (query["sort"], query["order"], query["range"]) == ("19", "ASC", "0-49")


def test_search_always_sends_sort_and_forcedisplay(fake_glpi, glpi_client):
    glpi_client.search("Computer")

    query = fake_glpi.requests[-1].query
    assert (query["sort"], query["forcedisplay"]) == ("2", {"0": "2"})


def test_search_rows_hold_values_as_glpi_sends_them(fake_glpi, glpi_client):
    page = glpi_client.search(
        "Ticket", forcedisplay=[1, 4, 5, 7, 12, 15, 21], sort=2, order="ASC"
    )

    first, _, third = page.rows[:3]
    assert first == {
        "2": 1,
        "1": "Printer jams on floor 1",
        "4": "alice",
        "5": None,
        "7": "Hardware > Printers",
        "12": 1,
        "15": "2024-03-01 09:00:00",
        "21": "&#60;p&#62;Paper jam &#38; smoke&#60;/p&#62;",
    }
    assert third["5"] == ["tech1", "tech2"]


def test_not_links_and_trash(fake_glpi, glpi_client):
    not_closed = [
        Criterion(12, "equals", "all"),
        Criterion(12, "equals", 6, link="AND NOT"),
    ]

    page = glpi_client.search("Ticket", criteria=not_closed, sort=2, order="ASC")
    trash = glpi_client.search("Ticket", is_deleted=True)

    assert [row["2"] for row in page.rows] == [1, 2, 3, 4]
    assert [row["2"] for row in trash.rows] == [6]


def test_a_leading_not_link_always_applies(fake_glpi, glpi_client):
    not_closed = [Criterion(12, "equals", 6, link="AND NOT")]

    page = glpi_client.search("Ticket", criteria=not_closed, sort=2, order="ASC")

    assert [row["2"] for row in page.rows] == [1, 2, 3, 4]
    first = fake_glpi.requests[-1].query["criteria"]["0"]
    assert (first["field"], first["searchtype"], first["value"]) == (
        "2",
        "contains",
        "",
    )


def test_computer_search(fake_glpi, glpi_client):
    dell = glpi_client.search(
        "Computer",
        criteria=[Criterion(23, "contains", "dell")],
        forcedisplay=[1, 3, 31],
    )
    in_use_at_hq = glpi_client.search(
        "Computer",
        criteria=[Criterion(31, "contains", "in use"), Criterion(3, "equals", 2)],
        forcedisplay=[1, 70],
    )

    assert sorted(row["1"] for row in dell.rows) == ["PC-ALICE", "PC-OLD"]
    assert in_use_at_hq.rows == [
        {"1": "PC-ALICE", "2": 1, "3": "HQ > Floor 1", "31": "In use", "70": "alice"}
    ]


# --- Reading and writing items ------------------------------------------------------


def test_get_item_and_subitems(fake_glpi, glpi_client: GlpiClient):
    ticket = glpi_client.get_item("Ticket", 1, get_hateoas=False)
    followups = glpi_client.get_subitems("Ticket", 1, "ITILFollowup")

    assert ticket["name"] == "Printer jams on floor 1"
    assert ticket["content"] == "&#60;p&#62;Paper jam &#38; smoke&#60;/p&#62;"
    assert "links" not in ticket
    assert fake_glpi.requests[-2].query == {"get_hateoas": False}
    assert [f["content"] for f in followups] == [
        "&#60;p&#62;Technician on the way&#60;/p&#62;",
        "&#60;p&#62;Tray fixed&#60;/p&#62;",
    ]


def test_dropdown_lists(fake_glpi, glpi_client):
    categories = list(glpi_client.get_items("ITILCategory", get_hateoas=False))
    locations = list(glpi_client.get_items("Location", get_hateoas=False))

    assert [c["completename"] for c in categories] == [
        "Hardware",
        "Hardware > Printers",
        "Software",
        "Network",
    ]
    assert [(loc["id"], loc["locations_id"]) for loc in locations] == [
        (1, 0),
        (2, 1),
        (3, 0),
    ]


def test_create_update_and_follow_up(fake_glpi, glpi_client):
    ticket_id = glpi_client.create_item(
        "Ticket", {"name": "New laptop", "content": "<p>Please</p>", "urgency": 4}
    )
    glpi_client.update_item("Ticket", ticket_id, {"status": 5})
    followup_id = glpi_client.add_followup(ticket_id, "<p>Delivered</p>")

    assert ticket_id == 7
    ticket = fake_glpi.tables["Ticket"][ticket_id]
    assert (ticket["name"], ticket["status"]) == ("New laptop", 5)
    assert ticket["solvedate"] is not None
    followup = fake_glpi.tables["ITILFollowup"][followup_id]
    assert (followup["itemtype"], followup["items_id"]) == ("Ticket", ticket_id)
    post, put, followup_post = fake_glpi.requests[-3:]
    assert (post.method, post.path) == ("POST", "Ticket")
    assert post.body == {
        "input": {"name": "New laptop", "content": "<p>Please</p>", "urgency": 4}
    }
    assert (put.method, put.path, put.body) == (
        "PUT",
        f"Ticket/{ticket_id}",
        {"input": {"status": 5}},
    )
    assert followup_post.body["input"]["items_id"] == ticket_id
