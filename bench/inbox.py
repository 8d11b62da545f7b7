"""The inbound WhatsApp webhook under load, from the POST to the agent's socket.

    python bench/inbox.py [--webhooks N] [--senders N] [--only embedded|postgres]
                          [--baseline GIT_REF]                    (or: make bench)

One daphne process serves Mostrador (tests/servers.py) in two configurations, one
after the other:

    embedded      the defaults: SQLite in a temporary directory, the in-memory
                  channel layer, Celery eager (each event is processed in its request)
    postgres      PostgreSQL (a fresh `bench_inbox` database, dropped afterwards) and
                  Redis (database 13 only, flushed before and after) as channel layer,
                  cache and broker, with a real `celery -A project worker` (prefork,
                  2 processes) processing the events

For each: a company, a channel with a known webhook secret, an agent with a JWT whose
inbox socket (ws/inbox/) is read by a process of its own; then up to N signed
`whatsapp.inbound_message.received` webhooks (10% re-send an event already sent, the
others carry unique wamids, from 500 customers) from 50 concurrent senders, each on a
keep-alive loopback connection, after an unmeasured warm-up. A burst stops taking new
deliveries after BURST_SECONDS, and the wait for the worker after DRAIN_TIMEOUT, so
that a slow machine still finishes in about 3 minutes. The same load first goes to a
bare Django view that only parses the JSON, served the same way (one daphne process).

Reported: webhooks accepted per second, against the bare view's; p50 and p99 latency
of a webhook; the messages stored once the worker has drained (they must equal the
unique events: none lost, none twice); p50 and p99 of the delay from a webhook's POST
to its `message.created` frame on the socket (a frame that never came counts as
lost); CPU per webhook of daphne, the worker and this load generator; exceptions the
servers logged. Then the targets, as PASS or MISS. Timing never makes it fail. With
--baseline, the project at GIT_REF is measured too, in the same run.
"""

import argparse
import asyncio
import dataclasses
import io
import json
import math
import os
import random
import re
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402

from tests.celery_worker import redis_db_url, run_celery_worker  # noqa: E402
from tests.fakes.ycloud_webhooks import (  # noqa: E402
    BUSINESS_NUMBER,
    inbound_event,
    signed_delivery,
)
from tests.servers import DaphneServer, django_env, manage, run_daphne  # noqa: E402

WEBHOOKS = 5_000
SENDERS = 50
WARM_UP = 200
DUPLICATE_SHARE = 0.10
CUSTOMERS = 500
SECRET = "whsec_bench_inbox_0123456789abcdef"
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
BENCH_DATABASE = "bench_inbox"
POSTGRES = "PostgreSQL + Redis"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
BENCH_REDIS_DB = 13  # only this database is flushed
TIMEOUT = 30.0
# Bounds that keep a full run within about 3 minutes on a slow machine: a burst stops
# taking new deliveries after BURST_SECONDS, and the wait for the worker to process
# what is queued after it gives up after DRAIN_TIMEOUT.
BURST_SECONDS = 40.0
DRAIN_TIMEOUT = 45.0
FRAME_QUIET = 5.0  # the socket listener stops after this long without a frame
WEBHOOK_PATH = "/api/webhooks/ycloud/{token}"


# --- The baseline: a bare Django view, served by daphne ------------------------------


def bare_webhook(request: HttpRequest, token: str) -> JsonResponse:
    json.loads(request.body)
    return JsonResponse({"status": "received"})


urlpatterns = [path(WEBHOOK_PATH.format(token="<str:token>").lstrip("/"), bare_webhook)]


def bare_application():
    """Django with no app, middleware or database, and the view above."""
    from django.conf import settings
    from django.core.asgi import get_asgi_application

    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-bare",
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[],
        MIDDLEWARE=[],
        DATABASES={},
    )
    return get_asgi_application()


@contextmanager
def bare_server(workdir: Path) -> Iterator[DaphneServer]:
    """run_daphne serves `project.asgi:application` of a tree: here, of a tree whose
    only module is a `project/asgi.py` that returns bare_application()."""
    tree = workdir / "bare"
    (tree / "project").mkdir(parents=True)
    (tree / "project" / "__init__.py").write_text("")
    (tree / "project" / "asgi.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        f"from {Path(__file__).stem} import bare_application\n"
        "application = bare_application()\n"
    )
    with run_daphne(django_env(), root=tree) as server:
        yield server


# --- Mostrador, in daphne ------------------------------------------------------------

SETUP = """
import json
from accounts.models import Role
from accounts.services import company_create, tokens_for_user, user_create
from messaging.models import WhatsAppChannel
company = company_create(name="Bench inbox")
agent = user_create(
    company=company,
    username="bench-agent",
    role_id=Role.objects.get(company=company, name="agent").id,
)
channel = WhatsAppChannel.objects.create(
    company=company, phone_number={number!r}, api_key="bench", webhook_secret={secret!r}
)
print(json.dumps({{"token": channel.webhook_token, "access": tokens_for_user(user=agent)["access"]}}))
"""

COUNTS = """
import json
from django.db.models import Count
from messaging.models import Chat, Contact, Message, WebhookEvent
events = dict(WebhookEvent.objects.values_list("state").annotate(n=Count("id")))
print(json.dumps({
    "messages": Message.objects.count(),
    "wamids": Message.objects.values("wamid").distinct().count(),
    "contacts": Contact.objects.count(),
    "chats": Chat.objects.count(),
    "events": events,
}))
"""


def shell(code: str, *, env: dict, root: Path) -> dict:
    """What `code`, run by `manage.py shell`, prints as JSON."""
    return json.loads(manage("shell", "--verbosity=0", "-c", code, env=env, root=root))


@dataclass(frozen=True)
class Tree:
    """The project's source measured: this one, or another commit's (--baseline)."""

    root: Path
    label: str = ""  # "" for this tree, else "@<ref>"


def baseline_tree(ref: str, workdir: Path) -> Tree:
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    root = workdir / "baseline"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(root, filter="data")
    return Tree(root, f"@{ref}")


@dataclass
class Target:
    """One configuration of Mostrador, serving and ready for webhooks."""

    name: str
    server: DaphneServer
    token: str
    access: str
    env: dict
    root: Path
    worker_pid: int | None = None
    worker_log: Path | None = None
    database: str = ""

    @property
    def webhook_url(self) -> str:
        return self.server.url(WEBHOOK_PATH.format(token=self.token))

    def counts(self) -> dict:
        return shell(COUNTS, env=self.env, root=self.root)

    def events_waiting(self) -> int:
        """Stored events the worker has not processed yet."""
        sql = "SELECT count(*) FROM messaging_webhookevent WHERE state = 'received'"
        if self.database.startswith("postgres"):
            import psycopg

            with psycopg.connect(self.database) as conn:
                return conn.execute(sql).fetchone()[0]
        import sqlite3

        with sqlite3.connect(self.database.removeprefix("sqlite:///")) as conn:
            return conn.execute(sql).fetchone()[0]


def base_env(**overrides: str) -> dict:
    env = django_env(DEBUG="false", LOG_LEVEL="WARNING", **overrides)
    for name in (
        "DJANGO_PROFILE",
        "CELERY_BROKER_URL",
        "CELERY_RESULT_BACKEND",
        "CELERY_TASK_ALWAYS_EAGER",
    ):
        env.pop(name, None)
    return env


def prepared(name: str, env: dict, server: DaphneServer, tree: Tree, **extra) -> Target:
    setup = SETUP.format(number=BUSINESS_NUMBER, secret=SECRET)
    made = shell(setup, env=env, root=tree.root)
    return Target(
        name=name,
        server=server,
        token=made["token"],
        access=made["access"],
        env=env,
        root=tree.root,
        database=env["DATABASE_URL"],
        **extra,
    )


@contextmanager
def embedded(workdir: Path, tree: Tree) -> Iterator[Target]:
    database = workdir / f"inbox{tree.label.replace('@', '-')}.sqlite3"
    env = base_env(DATABASE_URL=f"sqlite:///{database}", REDIS_URL="")
    manage("migrate", "--no-input", env=env, root=tree.root)
    with run_daphne(env, root=tree.root) as server:
        yield prepared("embedded" + tree.label, env, server, tree)


def postgres_available() -> str | None:
    """Why the PostgreSQL + Redis configuration cannot run, or None."""
    try:
        import psycopg
        import redis

        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
        redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping()
    except Exception as exc:  # any reason at all: the bench reports it and goes on
        return f"{type(exc).__name__}: {exc}"
    return None


def _postgres_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql)


def _redis_flush(url: str) -> None:
    import redis

    with redis.Redis.from_url(url) as client:
        client.flushdb()


@contextmanager
def postgres_redis(workdir: Path, tree: Tree) -> Iterator[Target]:
    database_url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + BENCH_DATABASE
    redis_url = redis_db_url(REDIS_URL, BENCH_REDIS_DB)
    env = base_env(DATABASE_URL=database_url, REDIS_URL=redis_url)
    _postgres_admin(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
    _postgres_admin(f'CREATE DATABASE "{BENCH_DATABASE}"')
    _redis_flush(redis_url)
    try:
        manage("migrate", "--no-input", env=env, root=tree.root)
        with (
            run_celery_worker(env, concurrency=2, root=tree.root) as worker,
            run_daphne(env, root=tree.root) as server,
        ):
            name = POSTGRES + tree.label
            yield prepared(
                name, env, server, tree, worker_pid=worker.pid, worker_log=worker.log
            )
    finally:
        _postgres_admin(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        _redis_flush(redis_url)


# --- The socket listener, in a process of its own ------------------------------------


def listen(url: str, origin: str) -> None:
    """`--listen`: connects, prints `ready`, then records when each frame arrives
    until it has the number of `message.created` frames read from stdin, or until no
    frame came for FRAME_QUIET seconds after that number; prints what it got."""
    asyncio.run(_listen(url, origin))


async def _listen(url: str, origin: str) -> None:
    arrivals: list[tuple[float, str]] = []
    loop = asyncio.get_running_loop()
    async with websockets.connect(
        url, origin=origin, open_timeout=TIMEOUT, max_size=None
    ) as socket:
        print("ready", flush=True)
        told = loop.run_in_executor(None, sys.stdin.readline)
        expected, created = None, 0
        while expected is None or created < expected:
            if expected is None and told.done():
                expected = int(told.result() or 0)
                continue
            try:
                wait = 0.2 if expected is None else FRAME_QUIET
                raw = await asyncio.wait_for(socket.recv(), wait)
            except TimeoutError:
                if expected is not None:
                    break
                continue
            except websockets.ConnectionClosed as exc:  # what came so far still counts
                print(f"the inbox socket closed: {exc}", file=sys.stderr)
                break
            arrivals.append((time.monotonic(), raw))
            created += '"message.created"' in raw
    frames = []
    for at, raw in arrivals:
        frame = json.loads(raw)
        if frame.get("type") == "message.created":
            message = frame["message"]
            frames.append([message["text"], message["id"], at])
        else:
            frames.append([frame.get("type"), None, at])
    json.dump(frames, sys.stdout)


class Listener:
    """The agent's inbox socket, read by a `--listen` subprocess so that the load
    generator does not delay the frames' arrival times."""

    def __init__(self, target: Target) -> None:
        url = target.server.ws_url(f"/ws/inbox/?token={target.access}")
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--listen", url, target.server.origin],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if self.process.stdout.readline().strip() != "ready":
            self.stop()
            raise RuntimeError("the inbox socket did not open")

    def frames(self, expected: int) -> list[list]:
        """[text or frame type, message id, arrival time] of every frame."""
        out, _ = self.process.communicate(f"{expected}\n", timeout=DRAIN_TIMEOUT * 2)
        try:
            return json.loads(out)
        except ValueError:  # the listener died: its traceback is above
            print("the socket listener failed; its frames count as lost")
            return []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=5)


# --- The load ------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    key: str  # the message text, unique per event
    body: bytes
    headers: dict
    duplicate: bool


def deliveries(count: int, *, prefix: str, rng: random.Random) -> list[Delivery]:
    """`count` signed deliveries; DUPLICATE_SHARE of them re-send, later on, an event
    already in the list."""
    duplicates = round(count * DUPLICATE_SHARE)
    unique = count - duplicates
    ordered: list[tuple[float, Delivery]] = []
    for n in range(unique):
        key = f"{prefix} {n}"
        phone = f"+3462{rng.randrange(CUSTOMERS):07d}"
        event = inbound_event(from_number=phone, content={"body": key})
        body, headers = signed_delivery(SECRET, event)
        ordered.append((n, Delivery(key, body, headers, duplicate=False)))
    for _ in range(duplicates):
        n = rng.randrange(unique)
        original = ordered[n][1]
        again = dataclasses.replace(original, duplicate=True)
        ordered.append((rng.uniform(n + 1, unique), again))
    return [delivery for _, delivery in sorted(ordered, key=lambda pair: pair[0])]


@dataclass
class Sent:
    delivery: Delivery
    started: float
    seconds: float
    status: int
    state: str  # the webhook's answer: received, duplicate, ...


@dataclass
class Burst:
    sent: list[Sent]
    seconds: float
    cpu: dict[str, float]  # CPU seconds of each process during the burst

    @property
    def accepted(self) -> int:
        return sum(s.status == 200 for s in self.sent)

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds

    def latency(self, q: float) -> float:
        return percentile([s.seconds for s in self.sent], q)


class Connection:
    """One keep-alive HTTP/1.1 connection that POSTs a body and reads the answer.

    httpx spent about 5 ms of CPU per request here: on a 2-CPU machine the load
    generator then takes as much CPU as the server it measures. This parses only
    what the answers need (status, Content-Length or chunks, Connection: close)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.head = f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes, headers: dict) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(
                self.host, self.port
            )
        lines = [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        head = self.head + "\r\n".join(lines) + "\r\n\r\n"
        self.writer.write(head.encode() + body)
        try:
            status, fields = self._parse(await self.reader.readuntil(b"\r\n\r\n"))
            if fields.get("transfer-encoding") == "chunked":
                content = b""
                while size := int((await self.reader.readline()).split(b";")[0], 16):
                    content += (await self.reader.readexactly(size + 2))[:-2]
                await self.reader.readline()
            else:
                length = int(fields.get("content-length", 0))
                content = await self.reader.readexactly(length)
        except BaseException:
            self.close()
            raise
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, content

    @staticmethod
    def _parse(head: bytes) -> tuple[int, dict[str, str]]:
        status_line, *lines = head.decode("latin-1").split("\r\n")
        fields = (line.partition(":") for line in lines if line)
        return int(status_line.split()[1]), {
            name.lower(): value.strip() for name, _, value in fields
        }

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Load:
    """`senders` concurrent senders, each on a connection of its own kept for the
    whole run (the warm-up opens them)."""

    def __init__(self, url: str, senders: int) -> None:
        self.connections = [Connection(url) for _ in range(senders)]

    async def send(
        self, batch: list[Delivery], *, seconds: float = math.inf
    ) -> list[Sent]:
        """Sends `batch`, or as much of it as starts within `seconds`."""
        pending = iter(batch)
        sent: list[Sent] = []
        deadline = time.monotonic() + seconds

        async def sender(connection: Connection) -> None:
            for delivery in pending:  # shared: each delivery goes out once
                started = time.monotonic()
                if started > deadline:
                    return
                try:
                    async with asyncio.timeout(TIMEOUT):
                        status, content = await connection.post(
                            delivery.body, delivery.headers
                        )
                    state = (
                        json.loads(content).get("status", "") if status == 200 else ""
                    )
                except (
                    OSError,
                    ValueError,
                    TimeoutError,
                    asyncio.IncompleteReadError,
                ) as exc:
                    status, state = 0, type(exc).__name__
                sent.append(
                    Sent(delivery, started, time.monotonic() - started, status, state)
                )

        await asyncio.gather(*(sender(c) for c in self.connections))
        return sent

    async def burst(self, batch: list[Delivery], pids: dict[str, int]) -> Burst:
        """Sends `batch`; `pids` names the processes whose CPU time is taken, a
        negative pid meaning the whole process group."""
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        started = time.monotonic()
        sent = await self.send(batch, seconds=BURST_SECONDS)
        seconds = time.monotonic() - started
        cpu = {name: cpu_seconds(pid) - before[name] for name, pid in pids.items()}
        return Burst(sent, seconds, cpu)

    def close(self) -> None:
        for connection in self.connections:
            connection.close()


async def warmed_burst(
    url: str, senders: int, warm_up: list[Delivery], batch: list[Delivery], pids
) -> Burst:
    load = Load(url, senders)
    try:
        await load.send(warm_up)
        return await load.burst(batch, pids)
    finally:
        load.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, or with a negative pid of every live
    process of the group -pid (Linux /proc); NaN elsewhere."""
    total, found = 0.0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if (int(fields[2]) == -pid) if pid < 0 else (int(stat.parent.name) == pid):
            total += int(fields[11]) + int(fields[12])  # utime, stime
            found = True
    return total / os.sysconf("SC_CLK_TCK") if found else math.nan


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(math.ceil(q / 100 * len(ordered)) - 1, 0)]


# --- One configuration ---------------------------------------------------------------


@dataclass
class Result:
    name: str
    burst: Burst
    unique: int  # unique events sent in the whole run, warm-up included
    counts: dict = field(default_factory=dict)
    drain_seconds: float = math.nan
    socket_delays: list[float] = field(default_factory=list)
    frames_created: int = 0
    frames_repeated: int = 0
    errors: Counter = field(default_factory=Counter)


def wait_drained(target: Target) -> float:
    """Seconds until no stored event waits for the worker (bounded)."""
    started = time.monotonic()
    while target.events_waiting() and time.monotonic() - started < DRAIN_TIMEOUT:
        time.sleep(0.1)
    return time.monotonic() - started


def measure(target: Target, count: int, senders: int, rng: random.Random) -> Result:
    listener = Listener(target)
    try:
        warm_up = deliveries(WARM_UP, prefix="warm", rng=rng)
        batch = deliveries(count, prefix="bench", rng=rng)
        pids = {"daphne": target.server.pid, "client": os.getpid()}
        if target.worker_pid:
            pids["worker"] = -target.worker_pid  # its own group: the pool too
        measured = asyncio.run(
            warmed_burst(target.webhook_url, senders, warm_up, batch, pids)
        )
        sent = warm_up + [s.delivery for s in measured.sent]
        unique = sum(not d.duplicate for d in sent)
        result = Result(target.name, measured, unique)
        result.drain_seconds = wait_drained(target) + measured.seconds
        frames = listener.frames(unique)
    finally:
        listener.stop()
    result.counts = target.counts()
    result.errors = log_errors(target.server.log) + log_errors(target.worker_log)
    first_sent: dict[str, float] = {}
    for sent in measured.sent:
        if not sent.delivery.duplicate:
            first_sent[sent.delivery.key] = sent.started
    seen: Counter = Counter()
    for text, message_id, at in frames:
        if message_id is None:
            continue
        seen[message_id] += 1
        if seen[message_id] == 1 and text in first_sent:
            result.socket_delays.append(at - first_sent.pop(text))
    # A message whose frame never came is infinitely late.
    result.socket_delays += [math.inf] * len(first_sent)
    result.frames_created = len(seen)
    result.frames_repeated = sum(n - 1 for n in seen.values())
    return result


def log_errors(log: Path | None) -> Counter:
    """Exceptions named in a server's log, by name, and the channel layer's
    reports of sockets whose queue was full (their events are dropped)."""
    if log is None or not log.exists():
        return Counter()
    text = log.read_text(errors="replace")
    found = Counter(re.findall(r"^((?:\w+\.)*\w+(?:Error|Exception)): ", text, re.M))
    if full := len(re.findall(r"channels over capacity in group", text)):
        found["group sends that found a socket's queue full"] = full
    return found


def measure_bare(server: DaphneServer, count: int, senders: int, rng) -> Burst:
    url = server.url(WEBHOOK_PATH.format(token="bare"))
    warm_up = deliveries(WARM_UP, prefix="warm", rng=rng)
    batch = deliveries(count, prefix="bench", rng=rng)
    pids = {"daphne": server.pid, "client": os.getpid()}
    return asyncio.run(warmed_burst(url, senders, warm_up, batch, pids))


# --- Report --------------------------------------------------------------------------


def ms(seconds: float) -> str:
    if math.isinf(seconds):
        return "lost"
    return "·" if math.isnan(seconds) else f"{seconds * 1000:.1f}"


def per_webhook(burst: Burst, name: str) -> str:
    cpu = burst.cpu.get(name)
    return "·" if cpu is None else f"{cpu / len(burst.sent) * 1000:.2f}"


def stored_intact(result: Result) -> tuple[bool, str]:
    """Every delivery acknowledged, every unique message stored once."""
    counts, sent = result.counts, result.burst.sent
    refused = Counter(f"{s.status} {s.state}".strip() for s in sent if s.status != 200)
    waiting = counts["events"].get("received", 0)
    problems = [f"{n} × {answer}" for answer, n in refused.most_common(3)]
    if counts["messages"] != result.unique:
        problems.append(f"{counts['messages']} stored of {result.unique}")
    if counts["wamids"] != counts["messages"]:
        problems.append(f"{counts['messages'] - counts['wamids']} stored twice")
    if waiting:
        problems.append(f"{waiting} events still queued after the drain wait")
    if counts["events"].get("failed"):
        problems.append(f"{counts['events']['failed']} events failed")
    duplicates = sum(s.state == "duplicate" for s in sent)
    summary = ", ".join(problems) or (
        f"{counts['messages']} stored = {result.unique} unique, "
        f"{duplicates} re-deliveries answered `duplicate`"
    )
    return not problems, summary


def report(bare: Burst, results: list[Result], count: int, senders: int) -> None:
    print(
        f"\nUp to {count} webhooks per configuration ({DUPLICATE_SHARE:.0%} "
        f"re-deliveries) for at most {BURST_SECONDS:.0f} s, {senders} concurrent "
        "senders; times in ms, CPU in ms per webhook"
    )
    print(
        f"  {'configuration':<24} {'sent':>5} {'webhooks/s':>10} {'×bare':>6} "
        f"{'p50':>6} {'p99':>6} {'socket p50':>10} {'p99':>7} {'drained s':>9} "
        f"{'daphne':>6} {'worker':>6} {'client':>6}"
    )
    print(
        f"  {'bare Django view':<24} {len(bare.sent):5} {bare.rate:10.0f} {'·':>6} "
        f"{ms(bare.latency(50)):>6} {ms(bare.latency(99)):>6} {'·':>10} {'·':>7} "
        f"{'·':>9} {per_webhook(bare, 'daphne'):>6} {'·':>6} "
        f"{per_webhook(bare, 'client'):>6}"
    )
    for r in results:
        b = r.burst
        print(
            f"  {r.name:<24} {len(b.sent):5} {b.rate:10.0f} {b.rate / bare.rate:6.2f} "
            f"{ms(b.latency(50)):>6} {ms(b.latency(99)):>6} "
            f"{ms(percentile(r.socket_delays, 50)):>10} "
            f"{ms(percentile(r.socket_delays, 99)):>7} {r.drain_seconds:9.1f} "
            f"{per_webhook(b, 'daphne'):>6} {per_webhook(b, 'worker'):>6} "
            f"{per_webhook(b, 'client'):>6}"
        )
    for r in results:
        c = r.counts
        print(
            f"  {r.name}: {stored_intact(r)[1]}; {c['contacts']} contacts, "
            f"{c['chats']} chats; message.created pushed for {r.frames_created} of "
            f"{r.unique}"
            + (f", {r.frames_repeated} twice" if r.frames_repeated else "")
        )
        if r.errors:
            named = ", ".join(f"{n} × {name}" for name, n in r.errors.most_common(3))
            print(f"    logged: {named}")
    print("\nTargets (reported, never enforced)")
    for r in results:
        b = r.burst
        p99 = b.latency(99) * 1000
        socket_p99 = percentile(r.socket_delays, 99) * 1000
        pushed = r.frames_created == r.unique and not r.frames_repeated
        checks = [
            (
                f"≥ 0.5× the bare view's rate ({b.rate / bare.rate:.2f}×)",
                b.rate >= 0.5 * bare.rate,
            ),
            (
                f"p99 webhook latency ≤ 100 ms at {senders} concurrent ({p99:.0f} ms)",
                p99 <= 100,
            ),
            ("zero lost or duplicated messages (stored)", stored_intact(r)[0]),
            (
                f"p99 webhook-to-socket ≤ 50 ms ({socket_p99:.0f} ms"
                + ("" if pushed else ", counting frames never pushed as lost")
                + ")",
                socket_p99 <= 50,
            ),
        ]
        if r.name.startswith(POSTGRES):
            checks.insert(1, (f"≥ 320 webhooks/s ({b.rate:.0f}/s)", b.rate >= 320))
        for text, ok in checks:
            print(f"  {'PASS' if ok else 'MISS'}  {r.name}: {text}")


# --- Main ----------------------------------------------------------------------------


def raise_open_file_limit(wanted: int = 8192) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--webhooks", type=int, default=WEBHOOKS)
    parser.add_argument("--senders", type=int, default=SENDERS)
    parser.add_argument("--only", choices=["embedded", "postgres"])
    parser.add_argument("--baseline", help="also measure the project at this git ref")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    if args.listen:
        listen(*args.listen)
        return 0
    raise_open_file_limit()
    rng = random.Random(args.seed)
    started = time.monotonic()
    print(
        f"Inbox webhook bench: {args.webhooks} webhooks, {args.senders} senders; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-inbox-") as tmp:
        workdir = Path(tmp)
        with bare_server(workdir) as server:
            bare = measure_bare(server, args.webhooks, args.senders, rng)
        trees = [Tree(ROOT)]
        if args.baseline:
            trees.append(baseline_tree(args.baseline, workdir))
        configurations = []
        if args.only != "postgres":
            configurations.append(embedded)
        if args.only != "embedded":
            problem = postgres_available()
            if problem:
                print(f"{POSTGRES} skipped: {problem}")
            else:
                configurations.append(postgres_redis)
        for configuration in configurations:
            for tree in trees:  # one after the other, so both see the same machine
                with configuration(workdir, tree) as target:
                    results.append(measure(target, args.webhooks, args.senders, rng))
    report(bare, results, args.webhooks, args.senders)
    print(
        f"\nDone in {time.monotonic() - started:.0f} s "
        f"(load average {os.getloadavg()[0]:.2f}: other work skews the figures)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
