"""The agents' chat API: lists, filters, visibility, and every change to a chat."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from messaging.models import Chat, Message, Note, Tag
from messaging.tasks import chats_unsnooze_due_task
from tests.factories import UserFactory
from tests.fakes.ycloud_webhooks import CUSTOMER_NUMBER, inbound_event
from tests.messaging.factories import ChatFactory, ContactFactory

pytestmark = pytest.mark.django_db


def client_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def ids(response) -> list[int]:
    return [chat["id"] for chat in response.data["results"]]


def chat_at(channel, minutes_ago: int | None, **fields) -> Chat:
    when = (
        None if minutes_ago is None else timezone.now() - timedelta(minutes=minutes_ago)
    )
    return ChatFactory(channel=channel, last_message_at=when, **fields)


@pytest.fixture
def supervisor(company):
    return UserFactory(company=company, role_name="supervisor")


# --- Listing ------------------------------------------------------------------------


def test_list_puts_pinned_first_then_the_latest_message(api_client, channel):
    old = chat_at(channel, 60)
    new = chat_at(channel, 1)
    silent = chat_at(channel, None)
    pinned_old = chat_at(channel, 600, pinned=True)

    response = api_client.get("/api/chats")

    assert response.status_code == 200
    assert response.data["count"] == 4
    assert ids(response) == [pinned_old.id, new.id, old.id, silent.id]
    assert set(response.data) == {"count", "next", "previous", "results"}


def test_each_chat_carries_contact_last_message_unread_tags_and_assignee(
    api_client, channel, user
):
    chat = ChatFactory(channel=channel, unread_count=3, assigned_to=user)
    message = Message.objects.create(
        company=chat.company,
        chat=chat,
        channel=channel,
        direction="in",
        type="text",
        text="¿Dónde está mi pedido?",
        status="received",
    )
    chat.last_message = message
    chat.save()
    chat.tags.add(Tag.objects.create(company=chat.company, name="VIP"))

    [data] = api_client.get("/api/chats").data["results"]

    assert data["contact"]["phone"] == chat.contact.phone
    assert data["last_message"]["text"] == "¿Dónde está mi pedido?"
    assert data["unread_count"] == 3
    assert [tag["name"] for tag in data["tags"]] == ["VIP"]
    assert data["assigned_to"]["id"] == user.id


def test_list_queries_do_not_grow_with_the_chats(
    api_client, channel, django_assert_max_num_queries
):
    for n in range(15):
        chat = chat_at(channel, n, assigned_to=UserFactory(company=channel.company))
        chat.tags.add(Tag.objects.create(company=chat.company, name=f"t{n}"))
        chat.last_message = Message.objects.create(
            company=chat.company,
            chat=chat,
            channel=channel,
            direction="in",
            text="hola",
            status="received",
        )
        chat.save()

    with django_assert_max_num_queries(6):
        response = api_client.get("/api/chats")
    assert len(response.data["results"]) == 15


def test_filters(api_client, channel, user):
    other_agent = UserFactory(company=channel.company, role_name="agent")
    mine = ChatFactory(channel=channel, assigned_to=user, status="pending")
    theirs = ChatFactory(channel=channel, assigned_to=other_agent, pinned=True)
    free = ChatFactory(
        channel=channel,
        contact=ContactFactory(company=channel.company, name="Ana Pérez"),
        status="resolved",
    )
    free.tags.add(Tag.objects.create(company=channel.company, name="Billing"))
    Message.objects.create(
        company=channel.company,
        chat=theirs,
        channel=channel,
        direction="in",
        text="the invoice is wrong",
        status="received",
    )

    def listed(query: str) -> set[int]:
        response = api_client.get(f"/api/chats?{query}")
        assert response.status_code == 200, response.data
        return set(ids(response))

    assert listed("status=pending") == {mine.id}
    assert listed("assigned_to=me") == {mine.id}
    assert listed(f"assigned_to={other_agent.id}") == {theirs.id}
    assert listed("assigned_to=none") == {free.id}
    assert listed("pinned=true") == {theirs.id}
    assert listed("pinned=false") == {mine.id, free.id}
    assert listed("tag=billing") == {free.id}
    assert listed(f"tag={free.tags.get().id}") == {free.id}
    assert listed("search=ana p") == {free.id}
    assert listed(f"search={free.contact.phone[-6:]}") == {free.id}
    assert listed("search=INVOICE") == {theirs.id}
    assert listed("tag=%C2%B9") == set()  # "¹" is a digit to isdigit(), not to int()
    assert listed("status=&assigned_to=&pinned=&search=&updated_since=") == {
        mine.id,
        theirs.id,
        free.id,
    }


def test_updated_since_lists_only_chats_changed_since(api_client, channel):
    before = ChatFactory(channel=channel)
    Chat.objects.filter(id=before.id).update(
        updated_at=timezone.now() - timedelta(hours=2)
    )
    after = ChatFactory(channel=channel)
    since = (timezone.now() - timedelta(hours=1)).isoformat()

    response = api_client.get("/api/chats", {"updated_since": since})

    assert ids(response) == [after.id]


@pytest.mark.parametrize(
    "query, field",
    [
        ("status=closed", "status"),
        ("assigned_to=someone", "assigned_to"),
        ("assigned_to=99999999999999999999999", "assigned_to"),
        ("pinned=maybe", "pinned"),
        ("updated_since=yesterday", "updated_since"),
        ("page_size=abc", None),
    ],
)
def test_bad_filters_are_400_naming_the_field(api_client, channel, query, field):
    ChatFactory(channel=channel)
    response = api_client.get(f"/api/chats?{query}")
    if field is None:  # DRF ignores a bad page size, like other lists
        assert response.status_code == 200
    else:
        assert response.status_code == 400
        assert field in response.data


# --- Visibility ---------------------------------------------------------------------


def test_agents_see_their_chats_and_unassigned_ones_only(agent, supervisor, channel):
    own = ChatFactory(channel=channel, assigned_to=agent)
    free = ChatFactory(channel=channel)
    others = ChatFactory(channel=channel, assigned_to=supervisor)

    as_agent, as_supervisor = client_as(agent), client_as(supervisor)

    assert set(ids(as_agent.get("/api/chats"))) == {own.id, free.id}
    assert set(ids(as_supervisor.get("/api/chats"))) == {own.id, free.id, others.id}
    assert as_agent.get(f"/api/chats/{others.id}").status_code == 404
    assert as_agent.post(f"/api/chats/{others.id}/pin").status_code == 404
    assert as_agent.get(f"/api/chats/{others.id}/messages").status_code == 404
    assert as_supervisor.get(f"/api/chats/{others.id}").status_code == 200


ENDPOINTS = [
    ("get", "", None),
    ("post", "/assign", {"user": None}),
    ("post", "/status", {"status": "resolved"}),
    ("post", "/pin", None),
    ("post", "/unpin", None),
    ("post", "/snooze", {"until": "2099-01-01T00:00:00Z"}),
    ("post", "/unsnooze", None),
    ("post", "/read", None),
    ("get", "/notes", None),
    ("post", "/notes", {"text": "hi"}),
    ("get", "/tags", None),
    ("post", "/tags", {"name": "x"}),
    ("delete", "/tags?name=x", None),
    ("get", "/messages", None),
    ("post", "/messages", {"type": "text", "text": "hi"}),
    ("post", "/messages/bulk", {"messages": [{"type": "text", "text": "hi"}]}),
]


@pytest.mark.parametrize("method, suffix, body", ENDPOINTS)
def test_another_companys_chat_is_404_everywhere(
    other_user, channel, method, suffix, body
):
    chat = ChatFactory(channel=channel, last_customer_message_at=timezone.now())
    chat.tags.add(Tag.objects.create(company=chat.company, name="x"))

    response = getattr(client_as(other_user), method)(
        f"/api/chats/{chat.id}{suffix}", body
    )

    assert response.status_code == 404
    assert not Note.objects.exists() and not Message.objects.exists()
    assert chat.tags.count() == 1


def test_another_companys_chats_are_not_listed(other_user, channel):
    ChatFactory(channel=channel)
    assert client_as(other_user).get("/api/chats").data["count"] == 0


def test_anonymous_callers_are_401(anon_client, channel):
    chat = ChatFactory(channel=channel)
    assert anon_client.get("/api/chats").status_code == 401
    assert anon_client.post(f"/api/chats/{chat.id}/pin").status_code == 401


# --- Changes to one chat ------------------------------------------------------------


def test_assign_to_an_active_member_and_back_to_nobody(api_client, channel, agent):
    chat = ChatFactory(channel=channel)

    response = api_client.post(f"/api/chats/{chat.id}/assign", {"user": agent.id})
    assert response.status_code == 200
    assert response.data["assigned_to"]["id"] == agent.id

    response = api_client.post(f"/api/chats/{chat.id}/assign", {"user": None})
    assert response.data["assigned_to"] is None
    chat.refresh_from_db()
    assert chat.assigned_to is None


def test_assign_refuses_strangers_and_inactive_users(api_client, channel, other_user):
    chat = ChatFactory(channel=channel)
    gone = UserFactory(company=channel.company, is_active=False)

    for user_id in (other_user.id, gone.id, 987654):
        response = api_client.post(f"/api/chats/{chat.id}/assign", {"user": user_id})
        assert response.status_code == 400
        assert "user" in response.data
    assert api_client.post(f"/api/chats/{chat.id}/assign", {}).status_code == 400
    chat.refresh_from_db()
    assert chat.assigned_to is None


def test_assign_needs_the_assign_permission(agent, channel):
    chat = ChatFactory(channel=channel)
    response = client_as(agent).post(f"/api/chats/{chat.id}/assign", {"user": agent.id})
    assert response.status_code == 403
    chat.refresh_from_db()
    assert chat.assigned_to is None


def test_status_pin_unpin(api_client, channel):
    chat = ChatFactory(channel=channel)

    assert (
        api_client.post(f"/api/chats/{chat.id}/status", {"status": "resolved"}).data[
            "status"
        ]
        == "resolved"
    )
    assert api_client.post(f"/api/chats/{chat.id}/pin").data["pinned"] is True
    assert api_client.post(f"/api/chats/{chat.id}/unpin").data["pinned"] is False
    response = api_client.post(f"/api/chats/{chat.id}/status", {"status": "snoozed"})
    assert response.status_code == 400
    assert "status" in response.data


def test_snooze_until_a_future_time_then_unsnooze(api_client, channel):
    chat = ChatFactory(channel=channel)
    until = timezone.now() + timedelta(hours=3)

    response = api_client.post(f"/api/chats/{chat.id}/snooze", {"until": until})
    assert response.status_code == 200
    assert response.data["status"] == "snoozed"
    assert response.data["snoozed_until"] is not None

    response = api_client.post(f"/api/chats/{chat.id}/unsnooze")
    assert (response.data["status"], response.data["snoozed_until"]) == ("open", None)


@pytest.mark.parametrize("until", ["2001-01-01T00:00:00Z", "tomorrow", None])
def test_snooze_refuses_past_or_bad_times(api_client, channel, until):
    chat = ChatFactory(channel=channel)
    response = api_client.post(f"/api/chats/{chat.id}/snooze", {"until": until})
    assert response.status_code == 400
    assert "until" in response.data
    chat.refresh_from_db()
    assert chat.status == "open"


def test_unsnooze_leaves_a_chat_that_is_not_snoozed_alone(api_client, channel):
    chat = ChatFactory(channel=channel, status="resolved")
    assert (
        api_client.post(f"/api/chats/{chat.id}/unsnooze").data["status"] == "resolved"
    )


def test_the_beat_task_reopens_chats_whose_snooze_ended(channel):
    due = ChatFactory(
        channel=channel,
        status="snoozed",
        snoozed_until=timezone.now() - timedelta(seconds=1),
    )
    later = ChatFactory(
        channel=channel,
        status="snoozed",
        snoozed_until=timezone.now() + timedelta(hours=1),
    )

    assert chats_unsnooze_due_task() == 1

    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, due.snoozed_until) == ("open", None)
    assert later.status == "snoozed"
    assert chats_unsnooze_due_task() == 0


def test_reading_a_chat_resets_its_unread_count(api_client, channel):
    chat = ChatFactory(channel=channel, unread_count=4)

    api_client.get(f"/api/chats/{chat.id}/messages")
    chat.refresh_from_db()
    assert chat.unread_count == 4  # reading messages is side-effect free

    response = api_client.post(f"/api/chats/{chat.id}/read")
    assert response.data["unread_count"] == 0


# --- Bulk ---------------------------------------------------------------------------


def test_bulk_applies_an_action_to_every_chat(api_client, channel, agent):
    chats = [ChatFactory(channel=channel) for _ in range(3)]
    chat_ids = [chat.id for chat in chats]

    def bulk(**body):
        response = api_client.post("/api/chats/bulk", {"ids": chat_ids, **body})
        assert response.status_code == 200, response.data
        return response.data["updated"]

    assert bulk(action="assign", user=agent.id) == 3
    assert bulk(action="status", status="pending") == 3
    assert bulk(action="pin") == 3
    assert bulk(action="pin") == 0  # already pinned
    assert bulk(action="tag", tag="Urgent") == 3
    assert bulk(action="tag", tag="URGENT") == 0  # the same tag, any case
    snooze_until = (timezone.now() + timedelta(days=1)).isoformat()
    assert bulk(action="snooze", until=snooze_until) == 3
    assert bulk(action="unsnooze") == 3
    assert bulk(action="untag", tag="urgent") == 3
    assert bulk(action="unpin") == 3

    for chat in Chat.objects.filter(id__in=chat_ids):
        assert (chat.assigned_to, chat.status, chat.pinned) == (agent, "open", False)
        assert not chat.tags.exists()
    assert Tag.objects.get().name == "Urgent"


@pytest.mark.parametrize("foreign", ["other company", "invisible", "missing"])
def test_bulk_with_one_bad_id_changes_nothing(
    agent, channel, other_company, supervisor, foreign
):
    visible = [ChatFactory(channel=channel) for _ in range(2)]
    bad_id = {
        "other company": lambda: ChatFactory(channel__company=other_company).id,
        "invisible": lambda: ChatFactory(channel=channel, assigned_to=supervisor).id,
        "missing": lambda: 10**9,
    }[foreign]()

    response = client_as(agent).post(
        "/api/chats/bulk",
        {"ids": [visible[0].id, bad_id, visible[1].id], "action": "pin"},
    )

    assert response.status_code == 404
    assert response.data["ids"] == [bad_id]
    assert not Chat.objects.filter(pinned=True).exists()


def test_bulk_is_atomic_when_a_value_is_refused(api_client, channel, other_user):
    chats = [ChatFactory(channel=channel) for _ in range(2)]
    response = api_client.post(
        "/api/chats/bulk",
        {"ids": [c.id for c in chats], "action": "assign", "user": other_user.id},
    )
    assert response.status_code == 400
    assert "user" in response.data
    assert not Chat.objects.filter(assigned_to__isnull=False).exists()


def test_bulk_assign_needs_the_assign_permission(agent, channel):
    chat = ChatFactory(channel=channel)
    response = client_as(agent).post(
        "/api/chats/bulk", {"ids": [chat.id], "action": "assign", "user": agent.id}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "body, field",
    [
        ({"action": "pin"}, "ids"),
        ({"ids": [], "action": "pin"}, "ids"),
        ({"ids": ["x"], "action": "pin"}, "ids"),
        ({"ids": [1], "action": "explode"}, "action"),
        ({"ids": [1], "action": "assign"}, "user"),
        ({"ids": [1], "action": "status"}, "status"),
        ({"ids": [1], "action": "status", "status": "snoozed"}, "status"),
        ({"ids": [1], "action": "snooze"}, "until"),
        ({"ids": [1], "action": "tag"}, "tag"),
    ],
)
def test_bulk_bad_input_is_400_naming_the_field(api_client, body, field):
    response = api_client.post("/api/chats/bulk", body)
    assert response.status_code == 400
    assert field in response.data


def test_bulk_untag_of_an_unknown_tag_is_404(api_client, channel):
    chat = ChatFactory(channel=channel)
    response = api_client.post(
        "/api/chats/bulk", {"ids": [chat.id], "action": "untag", "tag": "nope"}
    )
    assert response.status_code == 404


# --- Notes and tags -----------------------------------------------------------------


def test_notes_are_listed_oldest_first_with_their_author(api_client, channel, user):
    chat = ChatFactory(channel=channel)

    first = api_client.post(f"/api/chats/{chat.id}/notes", {"text": "Called her"})
    api_client.post(f"/api/chats/{chat.id}/notes", {"text": "Refund sent"})

    assert first.status_code == 201
    assert first.data["author"]["id"] == user.id
    listed = api_client.get(f"/api/chats/{chat.id}/notes").data
    assert listed["count"] == 2
    assert [n["text"] for n in listed["results"]] == ["Called her", "Refund sent"]
    assert api_client.post(f"/api/chats/{chat.id}/notes", {}).status_code == 400


def test_tags_are_created_by_name_reused_in_any_case_and_removed(api_client, channel):
    chat = ChatFactory(channel=channel)
    other_chat = ChatFactory(channel=channel)

    response = api_client.post(
        f"/api/chats/{chat.id}/tags", {"name": "Refund", "color": "#ff0000"}
    )
    assert response.status_code == 200
    assert [(t["name"], t["color"]) for t in response.data] == [("Refund", "#ff0000")]
    api_client.post(f"/api/chats/{other_chat.id}/tags", {"name": "refund"})
    assert Tag.objects.count() == 1

    assert api_client.get(f"/api/chats/{chat.id}/tags").data[0]["name"] == "Refund"
    response = api_client.delete(f"/api/chats/{chat.id}/tags?name=REFUND")
    assert response.status_code == 200
    assert response.data == []
    assert other_chat.tags.count() == 1


@pytest.mark.parametrize(
    "method, path, body, field",
    [
        ("post", "/tags", {}, "name"),
        ("post", "/tags", {"name": "x", "color": "red"}, "color"),
        ("post", "/tags", {"name": "x" * 51}, "name"),
        ("delete", "/tags", None, "name"),
    ],
)
def test_tag_bad_input_is_400(api_client, channel, method, path, body, field):
    chat = ChatFactory(channel=channel)
    response = getattr(api_client, method)(f"/api/chats/{chat.id}{path}", body)
    assert response.status_code == 400
    assert field in response.data


def test_a_new_customer_message_reopens_a_snoozed_chat(channel, deliver):
    chat = ChatFactory(
        channel=channel,
        contact=ContactFactory(company=channel.company, phone=CUSTOMER_NUMBER),
        status="snoozed",
        snoozed_until=timezone.now() + timedelta(days=1),
    )

    deliver(channel, inbound_event(content={"body": "any news?"}))

    chat.refresh_from_db()
    assert (chat.status, chat.snoozed_until) == ("open", None)
