"""`streamlit run` on a free port for the browser tests and the benchmark: started from the
repository (so its .streamlit/config.toml applies), polled until `/_stcore/health` answers, and
always stopped."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ANSWER_WITHIN_SECONDS = 120  # a first start on a loaded two-core machine imports plotly and pandas


class ServerFailed(RuntimeError):
    """The server exited or never answered; the message ends with its log."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(script: Path, log_path: Path, env: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """`streamlit run script --server.headless true` with `env` over this process's environment;
    yields (base URL, server pid) once it answers, and raises ServerFailed if it never does."""
    port = free_port()
    with open(log_path, "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                                   "--server.headless", "true"],
                                  cwd=REPO, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
        log.write(f"server pid {server.pid}\n")  # for tests that look at the server process itself
        log.flush()
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + ANSWER_WITHIN_SECONDS
            while True:
                if server.poll() is not None:
                    raise ServerFailed(f"streamlit exited with {server.returncode}: {log_path.read_text()[-2000:]}")
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise ServerFailed(f"streamlit did not answer /_stcore/health within {ANSWER_WITHIN_SECONDS} s: "
                                       f"{log_path.read_text()[-2000:]}")
                time.sleep(0.1)  # polling the health check, before any timing
            yield base, server.pid
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
