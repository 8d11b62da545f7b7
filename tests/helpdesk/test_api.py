"""The helpdesk API through a company's GLPI connection, against the fake GLPI."""

import pytest

from helpdesk.models import GlpiConnection
from tests.factories import UserFactory
from tests.fakes.glpi_server import APP_TOKEN, USER_TOKEN

TICKETS = "/api/helpdesk/tickets"


@pytest.fixture
def connection(company, fake_glpi):
    return GlpiConnection.objects.create(
        company=company,
        url=fake_glpi.url,
        app_token=APP_TOKEN,
        user_token=USER_TOKEN,
        timeout=2,
    )


@pytest.fixture
def helpdesk(api_client, connection, settings):
    settings.HELPDESK_CACHE_SECONDS = 0  # each test sees GLPI as it is now
    return api_client


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


class TestTickets:
    def test_list_maps_every_field(self, helpdesk):
        response = helpdesk.get(TICKETS, {"search": "Printer jams"})
        assert response.status_code == 200
        ticket = response.json()["results"][0]
        assert ticket == {
            **ticket,
            "id": 1,
            "title": "Printer jams on floor 1",
            "description": "Paper jam & smoke",
            "status": "new",
            "urgency": "high",
            "impact": "high",
            "type": "incident",
            "category": "Hardware > Printers",
            "location": "HQ > Floor 1",
            "requester": "alice",
            "created_at": "2024-03-01T09:00:00+00:00",
        }
        assert set(ticket) == {
            "id", "title", "description", "status", "priority", "urgency", "impact", "type",
            "category", "location", "requester", "technician", "created_at", "updated_at",
            "solved_at", "closed_at",
        }  # fmt: skip

    def test_list_is_newest_first_without_trash(self, helpdesk):
        body = helpdesk.get(TICKETS).json()
        assert body["count"] == 5
        assert ids(helpdesk.get(TICKETS)) == [3, 2, 1, 4, 5]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ({"status": "open"}, {1, 2, 3}),
            ({"status": "pending"}, {3}),
            ({"status": "closed"}, {5}),
            ({"priority": "very_high"}, {5}),
            ({"category": "Network"}, {2}),
            ({"search": "vpn"}, {2}),
            ({"requester": "alice"}, {1, 3, 5}),
            ({"technician": "tech2"}, {3, 4}),
            ({"status": "open", "requester": "alice"}, {1, 3}),
        ],
    )
    def test_filters_run_in_glpi(self, helpdesk, fake_glpi, query, expected):
        assert set(ids(helpdesk.get(TICKETS, query))) == expected
        last = fake_glpi.requests[-1]
        assert last.path.endswith("search/Ticket") and "criteria" in last.query

    def test_pagination_maps_to_glpi_ranges(self, helpdesk, fake_glpi):
        first = helpdesk.get(TICKETS, {"page_size": 2}).json()
        assert (
            first["count"] == 5
            and len(first["results"]) == 2
            and first["previous"] is None
        )
        third = helpdesk.get(TICKETS, {"page_size": 2, "page": 3}).json()
        assert [row["id"] for row in third["results"]] == [5] and third["next"] is None
        assert fake_glpi.requests[-1].query["range"] == "4-5"

    @pytest.mark.parametrize(
        "query",
        [
            {"status": "lost"},
            {"priority": "meh"},
            {"page": 0},
            {"page_size": 201},
            {"page": "x"},
        ],
    )
    def test_bad_filters_are_400(self, helpdesk, query):
        response = helpdesk.get(TICKETS, query)
        assert response.status_code == 400
        assert set(query) & set(response.json())

    def test_detail_has_clean_followups(self, helpdesk):
        body = helpdesk.get(f"{TICKETS}/1").json()
        assert body["title"] == "Printer jams on floor 1"
        assert [f["content"] for f in body["followups"]] == [
            "Technician on the way",
            "Tray fixed",
        ]
        assert body["followups"][0]["author"]

    def test_missing_ticket_is_404(self, helpdesk):
        assert helpdesk.get(f"{TICKETS}/999").status_code == 404

    def test_create_update_and_followup(self, helpdesk, fake_glpi):
        created = helpdesk.post(
            TICKETS,
            {
                "title": "Projector broken",
                "description": "Room B <3>\nno image",
                "priority": "high",
                "category": 4,
            },
            format="json",
        )
        assert created.status_code == 201
        ticket = created.json()
        assert ticket["title"] == "Projector broken" and ticket["priority"] == "high"
        assert ticket["description"] == "Room B <3>\nno image"
        assert ticket["category"] == "Network"
        updated = helpdesk.patch(
            f"{TICKETS}/{ticket['id']}", {"status": "solved"}, format="json"
        )
        assert updated.status_code == 200 and updated.json()["status"] == "solved"
        followup = helpdesk.post(
            f"{TICKETS}/{ticket['id']}/followups",
            {"content": "Lamp replaced"},
            format="json",
        )
        assert (
            followup.status_code == 201
            and followup.json()["content"] == "Lamp replaced"
        )
        assert fake_glpi.requests_to("Ticket", "POST") == 1

    @pytest.mark.parametrize(
        "payload",
        [
            {},
            {"title": "x"},
            {"title": "", "description": "x"},
            {"title": "x", "description": "y", "priority": "urgent"},
            {"title": "x", "description": "y", "category": "Network"},
            {"title": "x" * 251, "description": "y"},
        ],
    )
    def test_bad_ticket_input_is_400_and_nothing_reaches_glpi(
        self, helpdesk, fake_glpi, payload
    ):
        response = helpdesk.post(TICKETS, payload, format="json")
        assert response.status_code == 400
        assert fake_glpi.requests_to("Ticket", "POST") == 0

    def test_empty_update_is_400(self, helpdesk):
        assert helpdesk.patch(f"{TICKETS}/1", {}, format="json").status_code == 400

    def test_writes_need_helpdesk_edit(self, client_for, agent, connection):
        client = client_for(agent)
        assert client.get(TICKETS).status_code == 200
        assert (
            client.post(
                TICKETS, {"title": "x", "description": "y"}, format="json"
            ).status_code
            == 403
        )
        assert (
            client.patch(
                f"{TICKETS}/1", {"status": "closed"}, format="json"
            ).status_code
            == 403
        )


class TestGlpiTrouble:
    def test_not_configured_is_503(self, api_client):
        response = api_client.get(TICKETS)
        assert response.status_code == 503
        assert "not configured" in response.json()["detail"]

    def test_disabled_is_503(self, helpdesk, connection):
        connection.enabled = False
        connection.save()
        assert helpdesk.get(TICKETS).status_code == 503

    def test_wrong_user_token_is_502_with_the_reason(self, helpdesk, connection):
        connection.user_token = "wrong"
        connection.save()
        response = helpdesk.get(TICKETS)
        assert response.status_code == 502
        assert (
            "user token" in response.json()["detail"]
            and "wrong" not in response.json()["detail"]
        )

    def test_glpi_down_is_503(self, helpdesk, fake_glpi):
        fake_glpi.down()
        try:
            assert helpdesk.get(TICKETS).status_code == 503
        finally:
            fake_glpi.up()

    def test_glpi_500_is_502(self, helpdesk, fake_glpi):
        fake_glpi.fail_next(500, ["ERROR_SQL", "Unexpected SQL Error"], times=5)
        response = helpdesk.get(TICKETS)
        assert response.status_code == 502 and response.json()["detail"]

    def test_slow_glpi_is_504(self, helpdesk, fake_glpi, connection):
        connection.timeout = 1
        connection.save()
        fake_glpi.latency = 1.5
        try:
            assert helpdesk.get(TICKETS).status_code == 504
        finally:
            fake_glpi.latency = 0

    def test_one_glpi_session_serves_many_requests(self, helpdesk, fake_glpi):
        for _ in range(4):
            helpdesk.get(TICKETS)
        helpdesk.get("/api/helpdesk/inventory")
        assert fake_glpi.init_sessions == 1

    def test_expired_session_is_reopened_transparently(self, helpdesk, fake_glpi):
        helpdesk.get(TICKETS)
        fake_glpi.expire_sessions()
        assert helpdesk.get(TICKETS).status_code == 200
        assert fake_glpi.init_sessions == 2


class TestCaching:
    def test_lists_are_cached_and_writes_clear_them(
        self, api_client, connection, fake_glpi, settings
    ):
        settings.HELPDESK_CACHE_SECONDS = 60
        api_client.get(TICKETS)
        searches = fake_glpi.requests_to("search/Ticket")
        api_client.get(TICKETS)
        assert fake_glpi.requests_to("search/Ticket") == searches
        api_client.post(TICKETS, {"title": "New", "description": "x"}, format="json")
        assert api_client.get(TICKETS).json()["count"] == 6


class TestInventory:
    def test_list_and_filters(self, helpdesk):
        body = helpdesk.get("/api/helpdesk/inventory").json()
        assert body["count"] == 4
        alice = next(c for c in body["results"] if c["name"] == "PC-ALICE")
        assert alice == {
            **alice,
            "serial": "SN-0001",
            "status": "In use",
            "location": "HQ > Floor 1",
            "manufacturer": "Dell",
            "user": "alice",
        }
        assert {
            c["name"]
            for c in helpdesk.get(
                "/api/helpdesk/inventory", {"status": "In stock"}
            ).json()["results"]
        } == {"LAPTOP-SPARE"}
        assert {
            c["name"]
            for c in helpdesk.get(
                "/api/helpdesk/inventory", {"location": "Branch"}
            ).json()["results"]
        } == {"PC-BOB"}
        assert {
            c["name"]
            for c in helpdesk.get(
                "/api/helpdesk/inventory", {"search": "SN-0004"}
            ).json()["results"]
        } == {"PC-OLD"}

    @pytest.mark.parametrize("path", ["/api/helpdesk/inventory", TICKETS])
    @pytest.mark.parametrize("text", ["¹", "²3", "٣"])  # digits to isdigit(), not int()
    def test_a_search_of_unicode_digits_is_text(self, helpdesk, path, text):
        response = helpdesk.get(path, {"search": text, "category": text})
        assert response.status_code == 200
        assert response.json()["count"] == 0

    def test_detail_and_404(self, helpdesk):
        assert helpdesk.get("/api/helpdesk/inventory/2").json()["name"] == "PC-BOB"
        assert helpdesk.get("/api/helpdesk/inventory/99").status_code == 404


class TestStatistics:
    def test_counts_and_mean_time_to_solve(self, helpdesk, fake_glpi):
        body = helpdesk.get("/api/helpdesk/statistics").json()
        assert body["total"] == 5 and body["open"] == 3 and body["closed"] == 2
        assert body["by_status"] == {
            "new": 1,
            "assigned": 1,
            "planned": 0,
            "pending": 1,
            "solved": 1,
            "closed": 1,
        }
        assert body["by_type"] == {"incident": 3, "request": 2}
        assert body["by_category"]["Network"] == 1
        assert (
            body["mean_time_to_solve_hours"] is not None
            and body["solve_time_sample"] == 2
        )

    def test_counts_never_download_the_tickets(self, helpdesk, fake_glpi):
        helpdesk.get("/api/helpdesk/statistics")
        ranges = [
            r.query.get("range")
            for r in fake_glpi.requests
            if r.path.endswith("search/Ticket")
        ]
        assert (
            ranges.count("0-0") == len(ranges) - 1
        )  # one sample page for the solve time


class TestConnection:
    URL = "/api/helpdesk/connection"

    def test_put_get_tokens_write_only(self, api_client, fake_glpi, company):
        payload = {
            "url": fake_glpi.url,
            "app_token": APP_TOKEN,
            "user_token": USER_TOKEN,
            "timeout": 5,
        }
        response = api_client.put(self.URL, payload, format="json")
        assert response.status_code == 200
        body = api_client.get(self.URL).json()
        assert body["user_token_set"] is True and body["url"] == fake_glpi.url
        assert USER_TOKEN not in str(body) and APP_TOKEN not in str(body)
        # Leaving a token out keeps it.
        api_client.put(self.URL, {"url": fake_glpi.url, "timeout": 3}, format="json")
        assert GlpiConnection.objects.get(company=company).user_token == USER_TOKEN

    def test_test_reports_success_or_the_exact_reason(self, api_client, connection):
        assert api_client.post(f"{self.URL}/test").json() == {
            "ok": True,
            "detail": f"Connected to GLPI at {connection.url}.",
        }
        connection.app_token = "bad"
        connection.save()
        result = api_client.post(f"{self.URL}/test").json()
        assert result["ok"] is False and "app token" in result["detail"].lower()

    @pytest.mark.parametrize(
        "payload",
        [
            {"url": "not a url", "user_token": "x"},
            {"url": "http://glpi.test/apirest.php", "user_token": "x", "timeout": 0},
            {
                "url": "http://glpi.test/apirest.php",
                "user_token": "x",
                "timezone": "Mars/Base",
            },
            {"url": "http://glpi.test/apirest.php"},
        ],
    )
    def test_bad_settings_are_400(self, api_client, payload):
        response = api_client.put(self.URL, payload, format="json")
        assert response.status_code == 400

    def test_needs_company_manage(self, client_for, agent):
        assert client_for(agent).get(self.URL).status_code == 403

    def test_companies_never_see_each_others_connection(
        self, client_for, connection, other_user, fake_glpi
    ):
        client = client_for(other_user)
        assert client.get(self.URL).status_code == 404
        assert client.get(TICKETS).status_code == 503
        client.put(
            self.URL, {"url": fake_glpi.url, "user_token": "theirs"}, format="json"
        )
        connection.refresh_from_db()
        assert connection.user_token == USER_TOKEN
        assert GlpiConnection.objects.count() == 2

    def test_status_reports_glpi_for_the_callers_company(self, api_client, connection):
        body = api_client.get("/api/status").json()
        assert body["glpi"] == {"configured": True, "connected": True}


def test_admin_page_and_test_action(client, user, connection):
    staff = UserFactory(company=user.company, is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get("/admin/helpdesk/glpiconnection/").status_code == 200
    page = client.get(
        f"/admin/helpdesk/glpiconnection/{connection.id}/change/"
    ).content.decode()
    assert USER_TOKEN not in page
    response = client.post(
        "/admin/helpdesk/glpiconnection/",
        {"action": "test_connections", "_selected_action": [connection.id]},
        follow=True,
    )
    assert "Connected to GLPI" in response.content.decode()


class TestChatLinks:
    def test_ticket_created_from_a_chat_is_linked_both_ways(self, helpdesk, company):
        from tests.messaging.factories import ChatFactory

        chat = ChatFactory(company=company)
        created = helpdesk.post(
            TICKETS,
            {"title": "From WhatsApp", "description": "x", "chat": chat.id},
            format="json",
        )
        assert created.status_code == 201
        ticket_id = created.json()["id"]
        assert helpdesk.get(f"{TICKETS}/{ticket_id}").json()["chats"] == [chat.id]
        linked = helpdesk.get(TICKETS, {"chat": chat.id}).json()
        assert [row["id"] for row in linked["results"]] == [ticket_id]

    def test_chat_without_tickets_lists_nothing_without_asking_glpi(
        self, helpdesk, company, fake_glpi
    ):
        from tests.messaging.factories import ChatFactory

        chat = ChatFactory(company=company)
        before = len(fake_glpi.requests)
        assert helpdesk.get(TICKETS, {"chat": chat.id}).json()["count"] == 0
        assert len(fake_glpi.requests) == before

    def test_another_companys_chat_is_refused_before_glpi(
        self, helpdesk, other_company, fake_glpi
    ):
        from tests.messaging.factories import ChatFactory

        foreign = ChatFactory(company=other_company)
        response = helpdesk.post(
            TICKETS,
            {"title": "x", "description": "y", "chat": foreign.id},
            format="json",
        )
        assert response.status_code == 400 and "chat" in response.json()
        assert fake_glpi.requests_to("Ticket", "POST") == 0
