"""`POST /api/chats/import`: WhatsApp exports (Android, iOS, .txt, .zip with media)
into a contact, a chat and its messages, once."""

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from messaging.chat_export import parse_text
from messaging.models import Chat, Contact, Message
from tests.factories import UserFactory
from tests.messaging.catalog_helpers import client_as, user_with
from tests.messaging.factories import (
    ChatFactory,
    OutboundMessageFactory,
    WhatsAppChannelFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/chats/import"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "whatsapp"
ANDROID_ZIP = "WhatsApp Chat with Ana Torres.zip"
IOS_ZIP = "WhatsApp Chat - Ana Torres.zip"


@pytest.fixture
def line(company):
    return WhatsAppChannelFactory(company=company)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def send(client, content: bytes, filename: str = "chat.txt", **fields):
    file = SimpleUploadedFile(
        filename, content, content_type="application/octet-stream"
    )
    return client.post(URL, {"file": file, **fields}, format="multipart")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def directions(chat_id: int) -> list[str]:
    return list(
        Message.objects.filter(chat_id=chat_id).values_list("direction", flat=True)
    )


# --- Formats ----------------------------------------------------------------------------


def test_android_12_hour_export_finds_the_number_and_both_sides(api_client, line):
    response = send(api_client, fixture("android_12h.txt"), "android_12h.txt")

    assert response.status_code == 201, response.data
    assert response.data["imported"] == {
        "created": 8,
        "duplicates": 0,
        "media_stored": 0,
        "media_missing": 0,
        "system_lines": 1,
    }
    assert response.data["contact"]["phone"] == "+14155550134"
    assert response.data["channel"] == line.id
    chat = Chat.objects.get(id=response.data["id"])
    messages = list(chat.messages.all())
    assert directions(chat.id) == ["in", "out", "out", "in", "in", "out", "in", "in"]
    assert messages[0].sent_at == utc(2023, 12, 31, 21, 15)
    assert messages[0].created_at == messages[0].sent_at
    assert messages[0].status == "received" and messages[1].status == "sent"
    assert messages[3].text == (
        "Yes, my order #1001 arrived broken.\n"
        "Here is the list of what's missing:\n- 2 mugs\n- 1 teapot"
    )
    assert messages[4].type == "unknown" and messages[4].payload["media_omitted"]
    assert [m.text for m in messages[-2:]] == ["ok", "ok"]  # two real messages
    assert messages[5].sent_at == utc(2024, 1, 1, 10, 2)
    assert chat.last_message == messages[-1]
    assert chat.last_message_at == utc(2024, 1, 1, 10, 5)
    assert chat.last_customer_message_at is None  # history opens no 24-hour window
    assert response.data["last_message"]["id"] == messages[-1].id


def test_android_24_hour_export_with_title_and_time_zone(api_client, line):
    response = send(
        api_client,
        fixture("android_24h.txt"),
        "WhatsApp Chat with Lucía Gómez.txt",
        phone="+34 600 111 222",
        timezone="Europe/Madrid",
    )

    assert response.status_code == 201, response.data
    contact = Contact.objects.get()
    assert (contact.phone, contact.name) == ("+34600111222", "Lucía Gómez")
    chat_id = response.data["id"]
    assert directions(chat_id) == ["in", "out", "in", "out"]
    messages = list(Message.objects.filter(chat_id=chat_id))
    assert messages[0].sent_at == utc(2023, 12, 31, 20, 15)  # 21:15 in Madrid
    assert messages[-1].sent_at == utc(2024, 1, 2, 8, 30)  # 02/01 is 2 January
    assert messages[2].text == "Perfecto: allí estaré.\nGracias 🙌"


def test_without_a_title_the_agent_side_must_be_named(api_client, line):
    body = fixture("android_24h.txt")

    unnamed = send(api_client, body, phone="+34600111222")
    named = send(api_client, body, phone="+34600111222", agent_name="soporte")

    assert unnamed.status_code == 400
    assert "'Lucía Gómez', 'Soporte'" in unnamed.data["agent_name"][0]
    assert named.status_code == 201
    assert directions(named.data["id"]) == ["in", "out", "in", "out"]


def test_ios_text_export_keeps_seconds_and_references_to_absent_media(api_client, line):
    response = send(
        api_client,
        fixture("ios_chat.txt"),
        "_chat.txt",
        phone="+34600111222",
        agent_name="Tienda Centro",
    )

    assert response.status_code == 201, response.data
    assert response.data["imported"]["media_missing"] == 2
    assert response.data["imported"]["system_lines"] == 1
    messages = list(Message.objects.filter(chat_id=response.data["id"]))
    assert [m.type for m in messages] == [
        "text",
        "image",
        "text",
        "document",
        "unknown",
        "text",
    ]
    assert messages[0].sent_at == utc(2023, 12, 31, 21, 15, 7)
    image = messages[1]
    assert image.payload["filename"] == "00000012-PHOTO-2023-12-31-21-15-30.jpg"
    assert (image.media_mime, bool(image.media_file)) == ("image/jpeg", False)
    assert messages[2].text == "Lo siento mucho, Ana.\nTe enviamos otro hoy mismo."
    assert directions(response.data["id"]) == ["in", "in", "out", "out", "in", "in"]


def test_android_zip_stores_its_media_per_company(
    api_client, company, line, media_root
):
    response = send(api_client, fixture(ANDROID_ZIP), ANDROID_ZIP, phone="+34600111222")

    assert response.status_code == 201, response.data
    assert response.data["imported"]["media_stored"] == 3
    assert response.data["imported"]["media_missing"] == 1  # the video was left out
    chat_id = response.data["id"]
    assert directions(chat_id) == ["in", "in", "in", "out", "out", "in"]
    by_name = {
        m.payload["filename"]: m
        for m in Message.objects.filter(chat_id=chat_id)
        if m.payload.get("filename")
    }
    with zipfile.ZipFile(FIXTURES / ANDROID_ZIP) as archive:
        for name, kind, mime in [
            ("IMG-20231231-WA0001.jpg", "image", "image/jpeg"),
            ("PTT-20231231-WA0002.opus", "audio", "audio/ogg"),
            ("STK-20231231-WA0003.webp", "sticker", "image/webp"),
        ]:
            message = by_name[name]
            assert (message.type, message.media_mime) == (kind, mime)
            assert message.media_file.name.startswith(
                f"messaging/{company.id}/media/{chat_id}/"
            )
            assert (media_root / message.media_file.name).read_bytes() == archive.read(
                name
            )
    assert by_name["IMG-20231231-WA0001.jpg"].caption == "This is how it came"
    video = by_name["VID-20231231-WA0004.mp4"]
    assert (video.type, bool(video.media_file)) == ("video", False)


def test_ios_zip_finds_chat_txt_and_its_attachments(api_client, line):
    response = send(
        api_client, fixture(IOS_ZIP), IOS_ZIP, phone="+34600111222", agent_name=""
    )

    assert response.status_code == 201, response.data
    assert response.data["imported"]["media_stored"] == 2
    assert (
        Contact.objects.get().name == "Ana Torres"
    )  # from "WhatsApp Chat - Ana Torres"
    stored = Message.objects.exclude(media_file="").order_by("id")
    assert [m.type for m in stored] == ["image", "document"]


# --- Idempotency ------------------------------------------------------------------------


def test_importing_the_same_export_twice_adds_nothing(api_client, line, media_root):
    first = send(api_client, fixture(ANDROID_ZIP), ANDROID_ZIP, phone="+34600111222")
    files = sorted(media_root.rglob("*.*"))

    again = send(api_client, fixture(ANDROID_ZIP), ANDROID_ZIP, phone="+34600111222")

    assert again.status_code == 201
    assert again.data["id"] == first.data["id"]
    assert again.data["imported"]["created"] == 0
    assert again.data["imported"]["duplicates"] == 6
    assert Message.objects.count() == 6
    assert sorted(media_root.rglob("*.*")) == files


def test_a_longer_export_of_the_same_chat_adds_only_the_new_part(api_client, line):
    lines = fixture("android_12h.txt").decode().splitlines(keepends=True)
    first = send(api_client, "".join(lines[:8]).encode())  # the first 4 messages
    assert first.data["imported"]["created"] == 4

    response = send(api_client, "".join(lines).encode())

    assert response.data["imported"]["created"] == 8 - 4
    assert Message.objects.count() == 8


def test_import_into_a_live_chat_keeps_its_newer_last_message(
    api_client, company, line
):
    live = ChatFactory(channel=line, contact__phone="+14155550134")
    recent = OutboundMessageFactory(chat=live)
    live.last_message, live.last_message_at = recent, timezone.now()
    live.save()

    response = send(api_client, fixture("android_12h.txt"))

    assert response.data["id"] == live.id
    live.refresh_from_db()
    assert live.last_message == recent
    assert live.messages.count() == 9


# --- Bad input ----------------------------------------------------------------------------


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "filename", "expected"),
    [
        (b"Dear team,\nplease find attached.\n", "notes.txt", "not a WhatsApp chat"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "chat.txt", "not UTF-8"),
        (b"12/31/23, 9:15 PM - Ana: hi", "chat.zip", "not a zip"),
        (zip_of({"photo.jpg": b"\xff\xd8"}), "chat.zip", "no chat file"),
        (b"31/31/2023, 21:15 - Ana: hi\n", "chat.txt", "valid date"),
        (b"", "chat.txt", "empty"),
    ],
)
def test_unreadable_exports_are_a_400_on_file(
    api_client, line, content, filename, expected
):
    response = send(api_client, content, filename, phone="+34600111222")

    assert response.status_code == 400
    assert expected in str(response.data["file"])
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"phone": "12"}, "phone"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"agent_name": "Nobody"}, "agent_name"),
        ({"date_order": "ymd"}, "date_order"),
        ({"date_order": "mdy"}, "file"),  # 31/12/2023 read month-first
        ({"channel": "x"}, "channel"),
    ],
)
def test_bad_fields_are_a_400_naming_them(api_client, line, fields, field):
    body = {"phone": "+34600111222", "agent_name": "Soporte", **fields}

    response = send(api_client, fixture("android_24h.txt"), **body)

    assert response.status_code == 400
    assert field in response.data


def test_a_missing_file_and_a_missing_number_are_400s(api_client, line):
    missing = api_client.post(URL, {"phone": "+34600111222"}, format="multipart")
    no_number = send(api_client, fixture("android_24h.txt"), agent_name="Soporte")

    assert "file" in missing.data
    assert "phone" in no_number.data


def test_limits(api_client, line, settings):
    settings.CHAT_IMPORT_MAX_MESSAGES = 3
    too_many = send(api_client, fixture("android_12h.txt"))
    settings.CHAT_IMPORT_MAX_BYTES = 100
    too_big = send(api_client, fixture("android_12h.txt"))
    settings.CHAT_IMPORT_MAX_BYTES = 20_000
    bomb = zip_of(
        {
            "_chat.txt": b"[31/12/23, 21:15:07] Ana: \xe2\x80\x8e<attached: big.jpg>\n",
            "big.jpg": b"\x00" * 1_000_000,  # deflates to about 1 KB
        }
    )
    unpacked = send(api_client, bomb, "chat.zip", phone="+34600111222")

    assert too_many.status_code == too_big.status_code == unpacked.status_code == 400
    assert "more than 3 messages" in str(too_many.data["file"])
    assert "limit is 100" in str(too_big.data["file"])
    assert "unpacks to more than 40000 bytes" in str(unpacked.data["file"])
    assert not Message.objects.exists()


# --- Channels, tenancy, permissions -----------------------------------------------------------


def test_the_channel_is_asked_for_only_when_it_is_not_obvious(api_client, company):
    body = fixture("android_12h.txt")
    assert "channel" in send(api_client, body).data  # none yet

    first = WhatsAppChannelFactory(company=company, phone_number="+15550001111")
    second = WhatsAppChannelFactory(company=company, phone_number="+15550002222")
    assert "channel" in send(api_client, body).data  # two to choose from

    response = send(api_client, body, channel=second.id)
    assert response.status_code == 201
    assert response.data["channel"] == second.id
    assert not first.chats.exists()


def test_another_company_cannot_import_into_this_one(
    api_client, company, line, other_user
):
    mine = send(api_client, fixture("android_12h.txt")).data
    theirs_channel = WhatsAppChannelFactory(company=other_user.company)
    client = client_as(other_user)

    into_mine = send(client, fixture("android_12h.txt"), channel=line.id)
    theirs = send(client, fixture("android_12h.txt"))

    assert into_mine.status_code == 400 and "channel" in into_mine.data
    assert theirs.status_code == 201
    assert theirs.data["id"] != mine["id"]
    assert theirs.data["channel"] == theirs_channel.id
    assert Chat.objects.get(id=mine["id"]).messages.count() == 8
    assert Contact.objects.filter(phone="+14155550134").count() == 2


def test_needs_chats_reply(company, line):
    body = fixture("android_12h.txt")

    assert send(client_as(user_with(company, "helpdesk.view")), body).status_code == 403
    agent = client_as(UserFactory(company=company, role_name="agent"))
    assert send(agent, body).status_code == 201


# --- The parser on its own ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line_text", "sent_at", "text"),
    [
        ("12/31/23, 9:15 p. m. - Ana: hola", datetime(2023, 12, 31, 21, 15), "hola"),
        ("[12/31/23, 9:15:07 AM] Ana: hi", datetime(2023, 12, 31, 9, 15, 7), "hi"),
        ("2023-12-31, 21:15 - Ana: hi", datetime(2023, 12, 31, 21, 15), "hi"),
        ("31.12.23, 21:15 - Ana: hallo", datetime(2023, 12, 31, 21, 15), "hallo"),
        ("1/2/24, 12:05 AM - Ana: midnight", datetime(2024, 1, 2, 0, 5), "midnight"),
    ],
)
def test_parser_reads_locale_variants(line_text, sent_at, text):
    (message,) = parse_text(line_text, max_messages=10).messages

    assert (message.author, message.sent_at, message.text) == ("Ana", sent_at, text)


def test_parser_day_first_unless_told_or_shown_otherwise():
    ambiguous = "01/02/2024, 10:00 - Ana: hi"

    assert parse_text(ambiguous, max_messages=5).messages[0].sent_at.month == 2
    assert (
        parse_text(ambiguous, max_messages=5, date_order="mdy")
        .messages[0]
        .sent_at.month
        == 1
    )
    month_first = ambiguous + "\n01/13/2024, 10:00 - Ana: later"
    assert parse_text(month_first, max_messages=5).messages[0].sent_at.month == 1


def test_parser_spanish_attachment_and_omitted_media():
    export = parse_text(
        "31/12/23, 21:15 - Ana: IMG-20231231-WA0001.jpg (archivo adjunto)\n"
        "31/12/23, 21:16 - Ana: <Multimedia omitido>\n",
        max_messages=5,
    )

    attached, omitted = export.messages
    assert attached.attachment == "IMG-20231231-WA0001.jpg"
    assert omitted.media_omitted and not omitted.text
