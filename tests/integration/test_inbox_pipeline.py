"""The whole inbound path on the real backends: a signed YCloud webhook posted to
daphne, its event processed by a real Celery worker through Redis, the message pushed
to the company's inbox socket. Rows are committed (transactional tests), so that the
two subprocesses see them."""

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
import requests
import websockets
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

from accounts.services import tokens_for_user
from messaging.models import Chat, Contact, Message, WebhookEvent
from tests.celery_worker import CeleryWorker, run_celery_worker
from tests.fakes.ycloud_webhooks import inbound_event, signed_delivery
from tests.integration.conftest import database_url
from tests.messaging.factories import WhatsAppChannelFactory
from tests.servers import DaphneServer, django_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TIMEOUT = 10.0
QUIET = 0.5  # how long a socket must stay silent to count as having nothing more
Frame = dict


@dataclass(frozen=True)
class Pipeline:
    server: DaphneServer
    worker: CeleryWorker

    def logs(self) -> str:
        return (
            f"--- daphne\n{self.server.log_tail()}\n"
            f"--- celery\n{self.worker.log_tail()}"
        )


@pytest.fixture(scope="module")
def celery_worker(django_db_setup) -> Iterator[CeleryWorker]:
    """A real worker (two prefork processes, not eager) in daphne's environment: the
    test database, and Redis as broker. Stopped before pytest-django drops the
    database."""
    env = django_env(
        DATABASE_URL=database_url(),
        REDIS_URL=settings.REDIS_URL,
        CELERY_TASK_ALWAYS_EAGER="false",
    )
    with run_celery_worker(env, concurrency=2) as worker:
        yield worker


@pytest.fixture(scope="module")
def pipeline(celery_worker, daphne_server) -> Pipeline:
    return Pipeline(server=daphne_server, worker=celery_worker)


@pytest.fixture
def show_logs_on_failure(pipeline) -> Iterator[None]:
    """The servers' last log lines, which pytest shows only when the test fails."""
    yield
    print(pipeline.logs())


@pytest.fixture
async def orm_thread_closed() -> AsyncIterator[None]:
    """An async test reaches the ORM through asgiref's executor thread: that thread's
    connection is closed afterwards, or pytest-django could not drop the database."""
    yield
    await sync_to_async(connections.close_all)()


@pytest.fixture
def channel(company):
    return WhatsAppChannelFactory(company=company)


@pytest.fixture
def token(user) -> str:
    return tokens_for_user(user=user)["access"]


@pytest.fixture
def other_token(other_user) -> str:
    return tokens_for_user(user=other_user)["access"]


def webhook_url(server: DaphneServer, channel) -> str:
    return server.url(f"/api/webhooks/ycloud/{channel.webhook_token}")


async def deliver(
    http: httpx.AsyncClient,
    server: DaphneServer,
    channel,
    event: dict,
    *,
    timestamp: int | None = None,
) -> httpx.Response:
    body, headers = signed_delivery(channel.webhook_secret, event, timestamp=timestamp)
    return await http.post(webhook_url(server, channel), content=body, headers=headers)


@asynccontextmanager
async def inbox_socket(server: DaphneServer, token: str) -> AsyncIterator:
    url = server.ws_url(f"/ws/inbox/?token={token}")
    async with websockets.connect(
        url, origin=server.origin, open_timeout=TIMEOUT
    ) as socket:
        # The consumer joins the company's group before it accepts: it listens now.
        yield socket


async def frames_until_quiet(socket, *, first_within: float = QUIET) -> list[Frame]:
    """Every frame the socket receives until it has been silent for QUIET seconds
    (waiting up to `first_within` for the first one)."""
    frames: list[Frame] = []
    wait = first_within
    while True:
        try:
            frames.append(json.loads(await asyncio.wait_for(socket.recv(), wait)))
        except TimeoutError:
            return frames
        wait = QUIET


def wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s: {condition.__name__}")
        time.sleep(0.05)


def events_settled(channel) -> Callable[[], bool]:
    """True once the worker has taken every stored event of `channel` out of
    `received`."""

    def no_event_waiting() -> bool:
        return not WebhookEvent.objects.filter(
            channel=channel, state=WebhookEvent.State.RECEIVED
        ).exists()

    return no_event_waiting


def of_type(frames: list[Frame], kind: str) -> list[Frame]:
    return [frame for frame in frames if frame.get("type") == kind]


@pytest.mark.usefixtures("show_logs_on_failure", "orm_thread_closed")
async def test_a_webhook_reaches_the_company_socket_once(
    pipeline, channel, token, other_token
):
    server = pipeline.server
    event = inbound_event(content={"body": "¿Dónde está mi pedido?"})
    wamid = event["whatsappInboundMessage"]["wamid"]
    # The same customer message again, as a new event (a provider-side replay).
    same_wamid = inbound_event(wamid=wamid, content={"body": "¿Dónde está mi pedido?"})
    async with (
        inbox_socket(server, token) as own,
        inbox_socket(server, other_token) as other,
        httpx.AsyncClient(timeout=TIMEOUT) as http,
    ):
        first = await deliver(http, server, channel, event)
        again = await deliver(http, server, channel, event)
        replay = await deliver(http, server, channel, same_wamid)

        assert (first.status_code, first.json()) == (200, {"status": "received"})
        assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
        assert (replay.status_code, replay.json()) == (200, {"status": "received"})
        frames = await frames_until_quiet(own, first_within=TIMEOUT)
        await sync_to_async(wait_until)(events_settled(channel))
        frames += await frames_until_quiet(own)
        assert await frames_until_quiet(other) == []

    message = await Message.objects.aget(channel=channel, wamid=wamid)
    created = of_type(frames, "message.created")
    assert len(created) == 1, frames
    assert created[0]["chat"] == message.chat_id
    assert created[0]["message"]["id"] == message.id
    assert created[0]["message"]["text"] == "¿Dónde está mi pedido?"
    assert [f["chat"] for f in of_type(frames, "chat.updated")] == [message.chat_id]
    assert await Message.objects.filter(channel=channel).acount() == 1
    states = {
        e.event_id: e.state async for e in WebhookEvent.objects.filter(channel=channel)
    }
    assert states == {
        event["id"]: WebhookEvent.State.PROCESSED,
        same_wamid["id"]: WebhookEvent.State.IGNORED,
    }


@pytest.mark.usefixtures("show_logs_on_failure", "orm_thread_closed")
async def test_a_stale_signature_is_refused_and_nothing_is_pushed(
    pipeline, channel, token
):
    server = pipeline.server
    event = inbound_event()
    async with (
        inbox_socket(server, token) as own,
        httpx.AsyncClient(timeout=TIMEOUT) as http,
    ):
        stale = int(time.time()) - settings.YCLOUD_WEBHOOK_TOLERANCE_SECONDS - 60
        response = await deliver(http, server, channel, event, timestamp=stale)

        assert response.status_code == 401
        assert await frames_until_quiet(own) == []
    assert not await WebhookEvent.objects.filter(channel=channel).aexists()


@pytest.mark.usefixtures("show_logs_on_failure")
def test_concurrent_first_messages_make_one_contact_and_one_chat(pipeline, channel):
    """A new customer's first two messages are posted at the same instant, so the two
    worker processes, both idle, race to create the customer's contact and chat. A
    few customers in turn, as the race is not won the same way every time."""
    url = webhook_url(pipeline.server, channel)

    def post(event: dict, start: threading.Barrier) -> int:
        body, headers = signed_delivery(channel.webhook_secret, event)
        start.wait(timeout=TIMEOUT)
        return requests.post(
            url, data=body, headers=headers, timeout=TIMEOUT
        ).status_code

    customers = [f"+3461{n:07d}" for n in range(5)]
    for phone in customers:
        events = [
            inbound_event(from_number=phone, content={"body": f"hola {n}"})
            for n in range(2)
        ]
        start = threading.Barrier(len(events))
        with ThreadPoolExecutor(len(events)) as threads:
            posted = threads.map(post, events, [start] * len(events))
            assert list(posted) == [200] * len(events)
        wait_until(events_settled(channel))

    assert set(
        WebhookEvent.objects.filter(channel=channel).values_list("state", flat=True)
    ) == {WebhookEvent.State.PROCESSED}
    for phone in customers:
        contacts = Contact.objects.filter(company=channel.company, phone=phone)
        assert contacts.count() == 1, phone
        chats = Chat.objects.filter(channel=channel, contact__phone=phone)
        assert chats.count() == 1, phone
        assert chats.get().unread_count == 2
        assert Message.objects.filter(chat__in=chats).count() == 2
