"""A real `celery -A project worker` for end-to-end tests and benchmarks, in a
subprocess of its own process group, always stopped on the way out."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.servers import ROOT

WORKER_START_TIMEOUT_SECONDS = 30.0
WORKER_STOP_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class CeleryWorker:
    pid: int
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def redis_db_url(url: str, db: int) -> str:
    """`url` (redis://host:port/n) pointing at database number `db` instead."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


def _wait_ready(process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if process.poll() is not None:
            raise RuntimeError(f"celery exited with {process.returncode}:\n{text}")
        if " ready." in text:
            return
        time.sleep(0.05)
    raise RuntimeError(f"celery was not ready within {timeout}s:\n{log.read_text()}")


def _stop(process: subprocess.Popen, timeout: float) -> None:
    """SIGTERM (a warm shutdown), then SIGKILL to the worker's own process group, so
    that no pool child outlives it."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@contextmanager
def run_celery_worker(
    env: Mapping[str, str],
    *,
    concurrency: int = 2,
    pool: str = "prefork",
    purge: bool = True,
    root: Path = ROOT,
    timeout: float = WORKER_START_TIMEOUT_SECONDS,
) -> Iterator[CeleryWorker]:
    """A worker of the project at `root` with `env`, consuming when this yields.

    `purge` drops the messages already queued on the broker first: they were left
    by an earlier run and name rows of a database that no longer exists.
    """
    celery = Path(sys.executable).parent / "celery"
    command = [str(celery), "-A", "project", "worker", f"--pool={pool}"]
    command += [f"--concurrency={concurrency}", "--loglevel=INFO"]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
    if purge:
        command.append("--purge")
    with tempfile.TemporaryDirectory(prefix="celery-") as tmp:
        log = Path(tmp) / "worker.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=root,
                env=dict(env),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_ready(process, log, timeout)
            yield CeleryWorker(pid=process.pid, log=log)
        finally:
            _stop(process, WORKER_STOP_TIMEOUT_SECONDS)
