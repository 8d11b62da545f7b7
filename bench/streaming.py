"""What Mostrador adds to a streamed LLM reply, compared with the LLM alone.

    python bench/streaming.py [--baseline GIT_REF] [--quick]     (or: make bench)

A fake OpenAI-compatible upstream, in its own process, streams 40 tokens: the first
after 50 ms, the others 5 ms apart. One daphne process serves Mostrador in the
embedded profile (SQLite in a temporary directory, in-memory channel layer, DEBUG off)
with the `openai` provider pointed at the fake. This process generates the load, at 1,
10 and 200 concurrent streams, for four scenarios:

    direct        the fake itself, with the same HTTP client (the floor)
    SSE ask       POST /api/assistant/ask, stream: true
    SSE conv      POST /api/assistant/conversations/<id>/messages, stream: true
    WebSocket     chat.message on ws/assistant/

It prints time to first token (TTFT) and to the end of the reply (the `done` event,
or the upstream's `[DONE]`), what Mostrador adds to them, the tail (last token to
`done`, median), daphne's CPU time per stream, and whether every stream got every
token in order; then the targets, as PASS or MISS. Timing never makes it fail. With --baseline, a second daphne serves the
project as it was at GIT_REF, measured in the same run, interleaved with the first.
"""

import argparse
import asyncio
import io
import json
import math
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import websockets  # noqa: E402

from tests.servers import (  # noqa: E402
    DaphneServer,
    django_env,
    manage,
    run_daphne,
    stop_process,
)

TOKENS = [f" tok{i}" for i in range(40)]
FIRST_TOKEN_DELAY = 0.050
TOKEN_DELAY = 0.005
# Concurrent streams: (unmeasured warm-up rounds, measured rounds), each round one
# stream per slot. The first remote call imports the SDK, so every level warms up.
LEVELS = {1: (3, 30), 10: (1, 5), 200: (1, 1)}
QUICK_LEVELS = {1: (2, 10), 10: (1, 2), 200: (1, 1)}
TIMEOUT = 60.0
# A general question: one about tickets or chats would send the agent to GLPI first.
PROMPT = "Write a short greeting for a customer."


# --- The fake upstream, in its own process ---------------------------------------------


def serve_upstream() -> None:
    """`--upstream`: serves the scripted reply, prints the port, stops at stdin's EOF."""
    from tests.fakes.openai_server import FakeLLMServer

    with FakeLLMServer() as server:
        server.tokens = TOKENS
        server.first_token_delay = FIRST_TOKEN_DELAY
        server.token_delay = TOKEN_DELAY
        print(server.port, flush=True)
        sys.stdin.read()


@contextmanager
def upstream_process():
    process = subprocess.Popen(
        [sys.executable, __file__, "--upstream"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.stdin.close()  # it stops at EOF
        stop_process(process)


# --- Mostrador, in daphne ----------------------------------------------------------------


@dataclass(frozen=True)
class Mostrador:
    label: str  # "" for the tree this script is in, else "@<ref>"
    server: DaphneServer
    access: str


@contextmanager
def mostrador(label: str, root: Path, upstream: str, workdir: Path):
    database = workdir / f"bench{label.replace('@', '-')}.sqlite3"
    env = django_env(
        DATABASE_URL=f"sqlite:///{database}",
        REDIS_URL="",
        DEBUG="false",
        ALLOW_SIGNUP="true",
        LOG_LEVEL="WARNING",
        LLM_PROVIDER="openai",
        LLM_MODEL="",
        OPENAI_BASE_URL=f"{upstream}/v1",
        OPENAI_API_KEY="sk-bench",
    )
    env.pop("DJANGO_PROFILE", None)
    manage("migrate", "--no-input", env=env, root=root)
    with run_daphne(env, root=root) as server:
        response = httpx.post(
            server.url("/api/auth/register"),
            json={
                "username": "bench",
                "email": "bench@example.com",
                "password": "bench-streaming-2024",
                "company_name": "Bench",
            },
            timeout=TIMEOUT,
        )
        response.raise_for_status()
        yield Mostrador(label, server, response.json()["access"])


def baseline_tree(ref: str, workdir: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    tree = workdir / "baseline"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    return tree


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), or NaN elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return math.nan
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- A lean HTTP/1.1 client ---------------------------------------------------------------


class HttpResponse:
    def __init__(self, reader: asyncio.StreamReader, status: int, headers: dict):
        self.reader = reader
        self.status = status
        self.headers = headers
        self.complete = False

    async def lines(self) -> AsyncIterator[str]:
        """The body's lines (without line ends), each as soon as it has arrived."""
        pending = b""
        async for data in self._body():
            pending += data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                yield line.rstrip(b"\r").decode()
        if pending:
            yield pending.decode()

    async def json(self) -> Any:
        return json.loads(b"".join([data async for data in self._body()]))

    async def _body(self) -> AsyncIterator[bytes]:
        reader = self.reader
        if self.headers.get("transfer-encoding") == "chunked":
            while size := int((await reader.readline()).split(b";")[0], 16):
                yield (await reader.readexactly(size + 2))[:-2]
            await reader.readline()  # no trailers: the blank line after the last chunk
        elif length := int(self.headers.get("content-length", 0)):
            yield await reader.readexactly(length)
        self.complete = True


class HttpClient:
    """Keep-alive connections per host, requests with JSON bodies, bodies read as they
    arrive. httpx's pool scans every connection on each request and chunk, which makes
    the load generator the bottleneck at 200 streams; this does nothing per chunk but
    parse it, and serves the direct and the Mostrador scenarios alike."""

    def __init__(self) -> None:
        self.idle: dict[str, list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]
        self.idle = {}

    @asynccontextmanager
    async def stream(
        self, url: str, body: dict, headers: dict | None = None
    ) -> AsyncIterator[HttpResponse]:
        parts = urlsplit(url)
        idle = self.idle.setdefault(parts.netloc, [])
        if idle:
            reader, writer = idle.pop()
        else:
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        payload = json.dumps(body).encode()
        head = [
            f"POST {parts.path} HTTP/1.1",
            f"Host: {parts.netloc}",
            "Content-Type: application/json",
            f"Content-Length: {len(payload)}",
            *(f"{name}: {value}" for name, value in (headers or {}).items()),
        ]
        writer.write("\r\n".join(head).encode() + b"\r\n\r\n" + payload)
        response = None
        try:
            status_line, *lines = (
                (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            )
            fields = (line.partition(":") for line in lines if line)
            response = HttpResponse(
                reader,
                int(status_line.split()[1]),
                {name.lower(): value.strip() for name, _, value in fields},
            )
            yield response
        finally:
            if response is not None and response.complete:
                idle.append((reader, writer))
            else:
                writer.close()

    async def post_json(self, url: str, body: dict, headers: dict) -> Any:
        async with self.stream(url, body, headers) as response:
            if response.status >= 300:
                raise RuntimeError(f"POST {url}: HTTP {response.status}")
            return await response.json()

    def close(self) -> None:
        for connections in self.idle.values():
            for _, writer in connections:
                writer.close()
        self.idle.clear()


# --- Streams -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    ttft: float  # seconds from the request to the first token
    total: float  # seconds from the request to the end of the reply
    tail: float  # seconds from the last token to the end of the reply
    problem: str = ""  # why not every token arrived, once, in order

    @property
    def intact(self) -> bool:
        return not self.problem


class Stopwatch:
    """One stream's times, in seconds from its request."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.first = self.last = self.end = math.nan
        self.parts: list[str] = []

    def token(self, text: str) -> None:
        self.last = time.perf_counter() - self.started
        if not self.parts:
            self.first = self.last
        self.parts.append(text)

    def done(self) -> None:
        self.end = time.perf_counter() - self.started

    def sample(self, problem: str = "") -> Sample:
        if self.parts != TOKENS and not problem:
            problem = f"{len(self.parts)} of {len(TOKENS)} tokens, or out of order"
        return Sample(self.first, self.end, self.end - self.last, problem)


class Scenario:
    name: str

    def __init__(self, client: HttpClient) -> None:
        self.client = client

    async def prepare(self, streams: int) -> list[object]:
        """One argument per stream of the next round (untimed)."""
        return [None] * streams

    async def stream(self, slot: object) -> Sample:
        raise NotImplementedError

    async def close(self) -> None:
        pass


class Direct(Scenario):
    name = "direct"

    def __init__(self, client: HttpClient, upstream: str, pid: int) -> None:
        super().__init__(client)
        self.url = f"{upstream}/v1/chat/completions"
        self.pid = pid
        self.label = ""

    async def stream(self, slot: object) -> Sample:
        body = {
            "model": "fake-model",
            "messages": [{"role": "user", "content": PROMPT}],
            "stream": True,
        }
        watch = Stopwatch()
        async with self.client.stream(self.url, body) as response:
            if response.status != 200:
                return watch.sample(f"HTTP {response.status}")
            async for line in response.lines():
                if not line.startswith("data: "):
                    continue
                data = line.removeprefix("data: ")
                if data == "[DONE]":
                    watch.done()
                    continue
                choices = json.loads(data)["choices"]
                text = choices[0]["delta"].get("content") if choices else None
                if text:
                    watch.token(text)
        return watch.sample()


class ThroughMostrador(Scenario):
    def __init__(self, client: HttpClient, target: Mostrador) -> None:
        super().__init__(client)
        self.target = target
        self.server = target.server
        self.pid = target.server.pid
        self.label = target.label
        self.headers = {"Authorization": f"Bearer {target.access}"}

    async def conversations(self, count: int) -> list[int]:
        async def create() -> int:
            url = self.server.url("/api/assistant/conversations")
            return (await self.client.post_json(url, {}, self.headers))["id"]

        return list(await asyncio.gather(*(create() for _ in range(count))))

    async def sse(self, path: str, body: dict) -> Sample:
        name = problem = ""
        watch = Stopwatch()
        async with self.client.stream(
            self.server.url(path), body, self.headers
        ) as response:
            if response.status != 200:
                return watch.sample(f"HTTP {response.status}")
            async for line in response.lines():
                if line.startswith("event: "):
                    name = line.removeprefix("event: ")
                elif not line.startswith("data: "):
                    continue
                elif name == "token":
                    watch.token(json.loads(line.removeprefix("data: "))["delta"])
                elif name == "done":
                    watch.done()
                elif name == "error":
                    problem = line.removeprefix("data: ")
        return watch.sample(problem)


class SseAsk(ThroughMostrador):
    name = "SSE ask"

    async def stream(self, slot: object) -> Sample:
        return await self.sse("/api/assistant/ask", {"prompt": PROMPT, "stream": True})


class SseConversation(ThroughMostrador):
    name = "SSE conv"

    async def prepare(self, streams: int) -> list[object]:
        return await self.conversations(streams)

    async def stream(self, slot: object) -> Sample:
        path = f"/api/assistant/conversations/{slot}/messages"
        return await self.sse(path, {"content": PROMPT, "stream": True})


class WebSocket(ThroughMostrador):
    name = "WebSocket"

    def __init__(self, client: HttpClient, target: Mostrador) -> None:
        super().__init__(client, target)
        self.sockets: list = []

    async def prepare(self, streams: int) -> list[object]:
        url = self.server.ws_url(f"/ws/assistant/?token={self.target.access}")
        while len(self.sockets) < streams:
            self.sockets.append(
                await websockets.connect(
                    url, origin=self.server.origin, open_timeout=TIMEOUT
                )
            )
        return list(zip(self.sockets, await self.conversations(streams), strict=False))

    async def stream(self, slot: object) -> Sample:
        socket, conversation = slot
        frame = {"type": "chat.message", "conversation": conversation}
        watch = Stopwatch()
        await socket.send(json.dumps({**frame, "content": PROMPT}))
        while True:
            event = json.loads(await socket.recv())
            kind = event["type"]
            if kind == "chat.token":
                watch.token(event["delta"])
            elif kind == "chat.done":
                watch.done()
                return watch.sample()
            elif kind == "chat.error":
                return watch.sample(str(event.get("detail")))

    async def close(self) -> None:
        await asyncio.gather(*(socket.close() for socket in self.sockets))


# --- Measuring ---------------------------------------------------------------------------


@dataclass
class Result:
    scenario: Scenario
    streams: int
    samples: list[Sample] = field(default_factory=list)
    cpu: float = 0.0  # daphne's CPU seconds over the measured rounds

    @property
    def title(self) -> str:
        return self.scenario.name + self.scenario.label

    def values(self, attribute: str) -> list[float]:
        return [getattr(s, attribute) for s in self.samples if s.intact]

    def median(self, attribute: str) -> float:
        return percentile(self.values(attribute), 50)

    def p99(self, attribute: str) -> float:
        return percentile(self.values(attribute), 99)

    @property
    def broken(self) -> int:
        return sum(not s.intact for s in self.samples)

    @property
    def cpu_per_stream_ms(self) -> float:
        return self.cpu / max(len(self.samples), 1) * 1000


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(math.ceil(q / 100 * len(ordered)) - 1, 0)]


async def guarded(scenario: Scenario, slot: object) -> Sample:
    try:
        async with asyncio.timeout(TIMEOUT):
            return await scenario.stream(slot)
    except (
        websockets.WebSocketException,
        ValueError,
        OSError,
        TimeoutError,
    ) as exc:
        return Sample(math.nan, math.nan, math.nan, f"{type(exc).__name__}: {exc}")


async def run_round(scenario: Scenario, streams: int) -> tuple[list[Sample], float]:
    """The samples of `streams` concurrent streams, and daphne's CPU time for them."""
    slots = await scenario.prepare(streams)
    before = cpu_seconds(scenario.pid)
    if streams == 1:
        samples = [await guarded(scenario, slots[0])]
    else:
        samples = list(await asyncio.gather(*(guarded(scenario, s) for s in slots)))
    return samples, cpu_seconds(scenario.pid) - before


async def measure_level(
    scenarios: list[Scenario], streams: int, warm_up: int, rounds: int
) -> list[Result]:
    results = [Result(scenario, streams) for scenario in scenarios]
    for _ in range(warm_up):  # imports, pools, connections
        for scenario in scenarios:
            await run_round(scenario, streams)
    for _ in range(rounds):
        # Rounds interleave the scenarios, so a hiccup of the machine hits them all.
        for result in results:
            samples, cpu = await run_round(result.scenario, streams)
            result.samples += samples
            result.cpu += cpu
    return results


# --- Report ------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return "    ·" if math.isnan(seconds) else f"{seconds * 1000:5.1f}"


def print_level(results: list[Result], direct: Result) -> None:
    streams = direct.streams
    print(
        f"\n{streams} concurrent stream{'s' if streams > 1 else ''}, "
        f"{len(direct.samples)} streams per scenario (times in ms)"
    )
    print(
        f"  {'scenario':<22} {'TTFT med':>8} {'p99':>6} {'+med':>6} {'+p99':>6}  "
        f"{'total med':>9} {'p99':>6} {'×direct':>7} {'tail':>5}  {'lost':>4}  "
        f"{'CPU/stream':>10}"
    )
    for result in results:
        is_direct = result is direct
        added = (
            ("    ·", "    ·")
            if is_direct
            else (
                ms(result.median("ttft") - direct.median("ttft")),
                ms(result.p99("ttft") - direct.p99("ttft")),
            )
        )
        ratio = result.median("total") / direct.median("total")
        cpu = "         ·" if is_direct else f"{result.cpu_per_stream_ms:8.2f}ms"
        print(
            f"  {result.title:<22} {ms(result.median('ttft')):>8} "
            f"{ms(result.p99('ttft')):>6} {added[0]:>6} {added[1]:>6}  "
            f"{ms(result.median('total')):>9} {ms(result.p99('total')):>6} "
            f"{ratio:7.2f} {ms(result.median('tail')):>5}  {result.broken:>4}  {cpu:>10}"
        )
    for result in results:
        problems = Counter(s.problem[:100] for s in result.samples if s.problem)
        for problem, count in problems.most_common(3):
            print(f"    {result.title}: {count} × {problem}")


@dataclass(frozen=True)
class Target:
    text: str
    streams: int
    check: Callable[[Result, Result], tuple[float, bool]]
    unit: str = " ms"


TARGETS = [
    Target(
        "added TTFT, median, 1 stream ≤ 3 ms",
        1,
        lambda r, d: (
            added := (r.median("ttft") - d.median("ttft")) * 1000,
            added <= 3,
        ),
    ),
    Target(
        "added TTFT, p99, 10 streams ≤ 10 ms",
        10,
        lambda r, d: (added := (r.p99("ttft") - d.p99("ttft")) * 1000, added <= 10),
    ),
    Target(
        "total, median, 1 stream ≤ 1.05× direct",
        1,
        lambda r, d: (x := r.median("total") / d.median("total"), x <= 1.05),
        "×",
    ),
    Target(
        "total, median, 200 streams ≤ 1.5× direct",
        200,
        lambda r, d: (x := r.median("total") / d.median("total"), x <= 1.5),
        "×",
    ),
]


def print_targets(levels: dict[int, list[Result]]) -> None:
    print("\nTargets (reported, never enforced)")
    for target in TARGETS:
        results = levels.get(target.streams)
        if not results:
            continue
        direct, *others = results
        cells = []
        for result in others:
            value, ok = target.check(result, direct)
            shown = (
                f"{value:.1f}{target.unit}" if target.unit != "×" else f"{value:.2f}×"
            )
            cells.append(f"{result.title} {shown} {'PASS' if ok else 'MISS'}")
        print(f"  {target.text:<42} " + " | ".join(cells))
    broken = [
        f"{r.title}@{r.streams}: {r.broken}"
        for results in levels.values()
        for r in results
        if r.broken
    ]
    verdict = "PASS" if not broken else "MISS (" + ", ".join(broken) + ")"
    print(f"  {'no token lost or reordered':<42} {verdict}")


# --- Main --------------------------------------------------------------------------------


def raise_open_file_limit(wanted: int = 8192) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))


async def bench(
    upstream: str, upstream_pid: int, targets: list[Mostrador], levels
) -> None:
    # Connections stay open between rounds: a level's warm-up round opens them all.
    client = HttpClient()
    try:
        scenarios: list[Scenario] = [Direct(client, upstream, upstream_pid)]
        for target in targets:
            scenarios += [
                SseAsk(client, target),
                SseConversation(client, target),
                WebSocket(client, target),
            ]
        measured: dict[int, list[Result]] = {}
        try:
            for streams, (warm_up, rounds) in levels.items():
                results = await measure_level(scenarios, streams, warm_up, rounds)
                measured[streams] = results
                print_level(results, results[0])
        finally:
            await asyncio.gather(*(s.close() for s in scenarios))
    finally:
        client.close()
    by_target: dict[str, dict[int, list[Result]]] = {}
    for streams, results in measured.items():
        direct = results[0]
        for target in targets:
            by_target.setdefault(target.label, {})[streams] = [direct] + [
                r for r in results[1:] if r.scenario.label == target.label
            ]
    for label, levels_of_target in by_target.items():
        if len(by_target) > 1:
            print(f"\n[{label or 'this tree'}]", end="")
        print_targets(levels_of_target)


def load_average() -> str:
    return " ".join(f"{load:.1f}" for load in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--baseline", help="also measure the project at this git ref")
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument(
        "--streams",
        help="only these concurrency levels, comma-separated (default: 1,10,200)",
    )
    args = parser.parse_args()
    if args.upstream:
        serve_upstream()
        return 0
    raise_open_file_limit()
    levels = QUICK_LEVELS if args.quick else LEVELS
    if args.streams:
        wanted = {int(n) for n in args.streams.split(",")}
        levels = {n: rounds for n, rounds in levels.items() if n in wanted}
    started = time.monotonic()
    print(
        f"Streaming bench: {len(TOKENS)} tokens, first after "
        f"{FIRST_TOKEN_DELAY * 1000:.0f} ms, then every {TOKEN_DELAY * 1000:.0f} ms; "
        f"{os.cpu_count()} CPUs, load average {load_average()}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        upstream, upstream_pid = stack.enter_context(upstream_process())
        targets = [stack.enter_context(mostrador("", ROOT, upstream, workdir))]
        if args.baseline:
            tree = baseline_tree(args.baseline, workdir)
            label = f"@{args.baseline}"
            targets.append(
                stack.enter_context(mostrador(label, tree, upstream, workdir))
            )
        asyncio.run(bench(upstream, upstream_pid, targets, levels))
    print(
        f"\nDone in {time.monotonic() - started:.0f} s; load average {load_average()} "
        "(other work on the machine skews the figures)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
