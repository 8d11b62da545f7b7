"""What Mostrador adds to reading a large GLPI, compared with a bare client.

    python bench/helpdesk.py [--tickets N] [--latency SECONDS]     (or: make bench)

A fake GLPI 10 (tests/fakes/glpi_server.py), in its own process so that it does not
compete with the client for the interpreter, holds 10,000 tickets and answers every
request after 5 ms. In one run this measures:

    bare fetch     requests + initSession + /search/Ticket pages walked by hand
    Mostrador      helpdesk.selectors.ticket_iter_all(status=open): the same pages,
                   plus session reuse, error mapping and the mapping to clean tickets
    statistics     helpdesk.selectors.statistics(): counts by status, priority, type
                   and category, and the mean time to solve

and prints time, GLPI requests, bytes read and the peak memory while paging, then the
targets as PASS or MISS. Timing never makes it fail.
"""

import argparse
import math
import multiprocessing
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from accounts.services import company_create  # noqa: E402
from helpdesk.mapping import TICKET_COLUMNS  # noqa: E402
from helpdesk.models import GlpiConnection  # noqa: E402
from helpdesk.selectors import statistics, ticket_iter_all  # noqa: E402
from tests.fakes.glpi_server import APP_TOKEN, USER_TOKEN, FakeGlpiServer  # noqa: E402

ROUNDS = 3


def bare_fetch(url: str, page: int) -> tuple[int, int]:
    """Every open ticket, page by page, with nothing but requests: (rows, bytes)."""
    http = requests.Session()
    headers = {"App-Token": APP_TOKEN}
    token = http.get(
        f"{url}/initSession",
        headers={**headers, "Authorization": f"user_token {USER_TOKEN}"},
    ).json()["session_token"]
    headers["Session-Token"] = token
    params: dict = {
        "criteria[0][field]": 12,
        "criteria[0][searchtype]": "equals",
        "criteria[0][value]": "notold",
        "sort": TICKET_COLUMNS["id"],
        "order": "ASC",
    }
    for n, column in enumerate(TICKET_COLUMNS.values()):
        params[f"forcedisplay[{n}]"] = column
    rows = size = start = 0
    while True:
        response = http.get(
            f"{url}/search/Ticket",
            headers=headers,
            params={**params, "range": f"{start}-{start + page - 1}"},
        )
        body = response.json()
        size += len(response.content)
        received = len(body.get("data", []))
        rows += received
        start += received
        if not received or start >= body["totalcount"]:
            return rows, size


def through_mostrador(company) -> int:
    return sum(1 for _ in ticket_iter_all(company=company, filters={"status": "open"}))


def serve_glpi(tickets: int, latency: float, commands) -> None:
    """The fake GLPI's process: answers `commands` until told to stop."""
    with FakeGlpiServer(latency=latency) as glpi:
        glpi.seed(tickets=tickets, computers=100)
        commands.send(glpi.url)
        while (command := commands.recv()) != "stop":
            commands.send(
                len(glpi.requests) if command == "requests" else glpi.init_sessions
            )


class RemoteGlpi:
    def __init__(self, tickets: int, latency: float) -> None:
        self.commands, theirs = multiprocessing.Pipe()
        self.process = multiprocessing.Process(
            target=serve_glpi, args=(tickets, latency, theirs)
        )
        self.process.start()
        self.url = self.commands.recv()

    def ask(self, command: str) -> int:
        self.commands.send(command)
        return self.commands.recv()

    def stop(self) -> None:
        self.commands.send("stop")
        self.process.join(timeout=10)


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.005)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    settings.HELPDESK_CACHE_SECONDS = 0  # measure GLPI, not the cache
    page = settings.GLPI_PAGE_SIZE

    glpi = RemoteGlpi(options.tickets, options.latency)
    try:
        company = company_create(name="Bench")
        GlpiConnection.objects.create(
            company=company, url=glpi.url, app_token=APP_TOKEN, user_token=USER_TOKEN
        )
        bare_times, ours_times = [], []
        for _ in range(ROUNDS):  # interleaved, so both see the same machine
            seconds, (open_rows, bare_bytes) = timed(bare_fetch, glpi.url, page)
            bare_times.append(seconds)
            before = glpi.ask("requests")
            seconds, our_rows = timed(through_mostrador, company)
            ours_times.append(seconds)
            list_requests = glpi.ask("requests") - before

        tracemalloc.start()
        through_mostrador(company)
        _, peak_bytes = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        before = glpi.ask("requests")
        stats_seconds, stats = timed(lambda: statistics(company=company))
        stats_requests = glpi.ask("requests") - before
        init_sessions = glpi.ask("init_sessions")
    finally:
        glpi.stop()

    expected_pages = math.ceil(open_rows / page)
    full_download = math.ceil(options.tickets / page)
    ratio = median(ours_times) / median(bare_times)
    print(
        f"GLPI: {options.tickets} tickets ({open_rows} open), {options.latency * 1000:.0f} ms per request, page {page}"
    )
    print(
        f"  bare fetch      {median(bare_times) * 1000:8.1f} ms   {expected_pages} requests   {bare_bytes / 1e6:.1f} MB"
    )
    print(
        f"  Mostrador       {median(ours_times) * 1000:8.1f} ms   {list_requests} requests   ratio {ratio:.3f}x   peak memory {peak_bytes / 1e6:.1f} MB"
    )
    print(
        f"  statistics      {stats_seconds * 1000:8.1f} ms   {stats_requests} requests (a full download: {full_download} at page {page}, {math.ceil(options.tickets / 15)} at GLPI's default page of 15)"
    )
    print(
        f"                  total {stats['total']}, open {stats['open']}, mean time to solve {stats['mean_time_to_solve_hours']} h"
    )
    print(
        f"  initSession     {init_sessions} (Mostrador's, for the whole run; the bare fetch opens one per round)"
    )
    checks = [
        ("open tickets through Mostrador <= 1.05x the bare fetch", ratio <= 1.05),
        (
            f"exactly ceil(N / page) = {expected_pages} list requests",
            list_requests == expected_pages,
        ),
        ("every open ticket seen", our_rows == open_rows),
        (
            f"statistics in fewer requests than a full download ({stats_requests} vs {full_download})",
            stats_requests < full_download,
        ),
        ("one initSession for the run", init_sessions - ROUNDS == 1),
        ("memory bounded while paging (peak < 10 MB)", peak_bytes < 10e6),
    ]
    print("\nTargets:")
    for label, ok in checks:
        print(f"  {'PASS' if ok else 'MISS'}  {label}")


if __name__ == "__main__":
    main()
