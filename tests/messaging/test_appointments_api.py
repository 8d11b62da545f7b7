"""`/api/appointments`: bookings with the company's contacts, never two at once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import Appointment
from tests.messaging.catalog_helpers import client_as, user_with
from tests.messaging.factories import ChatFactory, ContactFactory

pytestmark = pytest.mark.django_db

URL = "/api/appointments"


@pytest.fixture
def tomorrow():
    return (timezone.now() + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )


@pytest.fixture
def chat(company):
    return ChatFactory(channel__company=company)


def book(client, contact_or_chat=None, *, at, minutes=30, **fields):
    body = {"starts_at": at.isoformat(), "duration_minutes": minutes, **fields}
    if contact_or_chat is not None:
        key = "chat" if hasattr(contact_or_chat, "channel_id") else "contact"
        body[key] = contact_or_chat.id
    return client.post(URL, body, format="json")


def test_book_with_a_contact(api_client, user, company, tomorrow):
    contact = ContactFactory(company=company)

    response = book(api_client, contact, at=tomorrow, minutes=45, notes="Fitting")

    assert response.status_code == 201, response.data
    assert response.data["contact"]["id"] == contact.id
    assert response.data["chat"] is None
    assert response.data["status"] == "scheduled"
    assert response.data["created_by"] == user.id
    ends_at = tomorrow + timedelta(minutes=45)
    assert response.data["ends_at"] == ends_at.isoformat().replace("+00:00", "Z")
    assert Appointment.objects.get().notes == "Fitting"


def test_book_from_a_chat_takes_its_contact(api_client, chat, tomorrow):
    response = book(api_client, chat, at=tomorrow)

    assert response.status_code == 201
    assert (response.data["chat"], response.data["contact"]["id"]) == (
        chat.id,
        chat.contact_id,
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "contact"),
        ({"duration_minutes": 4}, "duration_minutes"),
        ({"duration_minutes": 1441}, "duration_minutes"),
        ({"status": "maybe"}, "status"),
        ({"starts_at": "next tuesday"}, "starts_at"),
        ({"chat": 999999}, "chat"),
        ({"contact": 999999}, "contact"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_client, tomorrow, fields, field):
    body = {"starts_at": tomorrow.isoformat(), **fields}

    response = api_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.data


def test_chat_and_contact_must_agree(api_client, company, chat, tomorrow):
    stranger = ContactFactory(company=company)

    response = book(api_client, chat, at=tomorrow, contact=stranger.id)

    assert response.status_code == 400
    assert "contact" in response.data


def test_the_past_is_only_for_finished_appointments(api_client, company):
    contact = ContactFactory(company=company)
    yesterday = timezone.now() - timedelta(days=1)

    scheduled = book(api_client, contact, at=yesterday)
    completed = book(api_client, contact, at=yesterday, status="completed")

    assert scheduled.status_code == 400
    assert "starts_at" in scheduled.data
    assert completed.status_code == 201


def test_overlapping_bookings_of_one_contact_are_a_409(api_client, company, tomorrow):
    contact, other = ContactFactory(company=company), ContactFactory(company=company)
    first = book(api_client, contact, at=tomorrow, minutes=60).data

    inside = book(api_client, contact, at=tomorrow + timedelta(minutes=30))
    around = book(api_client, contact, at=tomorrow - timedelta(minutes=10), minutes=90)
    after = book(api_client, contact, at=tomorrow + timedelta(minutes=60))
    before = book(api_client, contact, at=tomorrow - timedelta(minutes=30))
    someone_else = book(api_client, other, at=tomorrow)

    assert inside.status_code == around.status_code == 409
    assert inside.data["appointment"] == first["id"]
    assert "already has an appointment" in inside.data["detail"]
    assert after.status_code == before.status_code == someone_else.status_code == 201


def test_a_cancelled_booking_frees_its_slot(api_client, company, tomorrow):
    contact = ContactFactory(company=company)
    first = book(api_client, contact, at=tomorrow).data

    api_client.patch(f"{URL}/{first['id']}", {"status": "cancelled"}, format="json")

    assert book(api_client, contact, at=tomorrow).status_code == 201


def test_update_reschedules_and_checks_again(api_client, company, chat, tomorrow):
    contact = ContactFactory(company=company)
    first = book(api_client, contact, at=tomorrow).data
    second = book(api_client, contact, at=tomorrow + timedelta(hours=2)).data
    url = f"{URL}/{second['id']}"

    clash = api_client.patch(url, {"starts_at": tomorrow.isoformat()}, format="json")
    past = api_client.patch(
        url, {"starts_at": (timezone.now() - timedelta(hours=1)).isoformat()}
    )
    moved = api_client.patch(
        url, {"chat": chat.id, "duration_minutes": 90, "notes": "Bring ID"}
    )
    done = api_client.patch(f"{URL}/{first['id']}", {"status": "completed"})

    assert clash.status_code == 409
    assert past.status_code == 400 and "starts_at" in past.data
    assert moved.status_code == 200
    assert moved.data["contact"]["id"] == chat.contact_id  # the chat brings its contact
    assert moved.data["duration_minutes"] == 90
    assert done.data["status"] == "completed"
    unlinked = api_client.patch(url, {"chat": None}, format="json")
    assert (unlinked.data["chat"], unlinked.data["contact"]["id"]) == (
        None,
        chat.contact_id,
    )


def test_list_filters(api_client, company, chat, tomorrow):
    contact = ContactFactory(company=company)
    book(api_client, contact, at=tomorrow)
    book(api_client, chat, at=tomorrow + timedelta(days=1))
    book(api_client, contact, at=tomorrow + timedelta(days=2), status="cancelled")

    def starts(query: str = "", **params) -> list[int]:
        response = api_client.get(f"{URL}?{query}", params)
        assert response.status_code == 200, response.data
        return [(a["contact"]["id"], a["status"]) for a in response.data["results"]]

    day_after = (tomorrow + timedelta(days=1)).isoformat()
    assert len(starts()) == 3
    assert starts(**{"from": day_after}) == [
        (chat.contact_id, "scheduled"),
        (contact.id, "cancelled"),
    ]
    assert starts(to=day_after) == [
        (contact.id, "scheduled"),
        (chat.contact_id, "scheduled"),
    ]
    assert starts(status="cancelled") == [(contact.id, "cancelled")]
    assert starts(chat=chat.id) == [(chat.contact_id, "scheduled")]
    assert starts(contact=contact.id, status="scheduled") == [(contact.id, "scheduled")]
    bad = api_client.get(URL, {"from": "soon", "status": "later"})
    assert bad.status_code == 400
    assert set(bad.data) == {"from", "status"}


def test_delete(api_client, company, tomorrow):
    first = book(api_client, ContactFactory(company=company), at=tomorrow).data

    assert api_client.delete(f"{URL}/{first['id']}").status_code == 204
    assert not Appointment.objects.exists()


def test_another_company_cannot_see_book_or_touch(
    api_client, company, chat, other_user, tomorrow
):
    mine = book(api_client, chat, at=tomorrow).data
    client = client_as(other_user)
    url = f"{URL}/{mine['id']}"

    assert client.get(URL).data["count"] == 0
    assert [
        client.get(url).status_code,
        client.patch(url, {"notes": "x"}, format="json").status_code,
        client.delete(url).status_code,
    ] == [404, 404, 404]
    with_my_chat = book(client, chat, at=tomorrow + timedelta(days=3))
    with_my_contact = book(client, chat.contact, at=tomorrow + timedelta(days=3))
    assert with_my_chat.status_code == with_my_contact.status_code == 400
    assert "chat" in with_my_chat.data and "contact" in with_my_contact.data
    assert Appointment.objects.count() == 1


def test_needs_chats_reply(company, tomorrow):
    client = client_as(user_with(company, "helpdesk.view"))
    contact = ContactFactory(company=company)

    assert client.get(URL).status_code == 403
    assert book(client, contact, at=tomorrow).status_code == 403
    assert client_as(user_with(company, "chats.reply")).get(URL).status_code == 200
