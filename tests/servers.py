"""Real servers for end-to-end tests and benchmarks: `daphne project.asgi:application`
in a subprocess on a free loopback port, always stopped on the way out."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAPHNE_START_TIMEOUT_SECONDS = 20.0


def free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class DaphneServer:
    host: str
    port: int
    log: Path
    pid: int

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.origin}{path}"

    def ws_url(self, path: str) -> str:
        return f"ws://{self.host}:{self.port}{path}"

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _wait_listening(
    process: subprocess.Popen, port: int, log: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"daphne exited with {process.returncode}:\n{log.read_text()}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"daphne did not listen within {timeout}s:\n{log.read_text()}")


def stop_process(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it does not exit within `timeout` seconds."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def django_env(**overrides: str) -> dict[str, str]:
    """This process's environment for a Django subprocess, with `overrides` on top."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "PYTHONUNBUFFERED": "1",
        **overrides,
    }


def manage(
    *args: str, env: Mapping[str, str], root: Path = ROOT, timeout: float = 60.0
) -> str:
    """Runs `manage.py <args>` of the project at `root` in a subprocess; its output,
    or RuntimeError."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=root,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
        )
    return result.stdout


@contextmanager
def run_daphne(
    env: Mapping[str, str],
    *,
    root: Path = ROOT,
    timeout: float = DAPHNE_START_TIMEOUT_SECONDS,
) -> Iterator[DaphneServer]:
    """A real daphne serving the project at `root` with `env`, listening when this
    yields."""
    daphne = Path(sys.executable).parent / "daphne"
    with tempfile.TemporaryDirectory(prefix="daphne-") as tmp:
        log = Path(tmp) / "daphne.log"
        port = free_loopback_port()
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(daphne), "-b", "127.0.0.1", "-p", str(port)]
                + ["project.asgi:application"],
                cwd=root,
                env=dict(env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_listening(process, port, log, timeout)
            yield DaphneServer(host="127.0.0.1", port=port, log=log, pid=process.pid)
        finally:
            stop_process(process)
