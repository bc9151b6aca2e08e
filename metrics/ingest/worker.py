"""Parsing an upload in a process of its own, under a memory limit and a time limit.

A file can be built to make a reader allocate without bound (one cell at XFD1048576 asks for
hundreds of gigabytes) or to run for minutes. Parsed in the server's process, that takes the
server down for everyone; parsed here, only the worker dies, and the person who uploaded the
file is told which limit it broke.

A small parse server (`python -m metrics.ingest.parse_server SOCKET`) is started once per process that
parses: a fresh interpreter with the readers imported, which forks one worker per upload. Forking
costs a few milliseconds, where starting an interpreter costs a second; and the server never forks
the app itself, whose threads (Tornado, DuckDB) a fork must not copy. multiprocessing's fork server
would do the same but re-imports the caller's main script in every worker (Streamlit's, pytest's).
Where fork is not available (Windows), each upload is parsed by a fresh `--once` process instead,
with the time limit only.
"""
from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import pickle
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

from .parsing import ParsedFile, parse_file

try:
    import resource
except ImportError:  # Windows
    resource = None

logger = logging.getLogger(__name__)
MEMORY_LIMIT_MB = int(os.environ.get("METRICS_PARSE_MEMORY_MB", "2048"))
TIME_LIMIT_SECONDS = float(os.environ.get("METRICS_PARSE_SECONDS", "120"))
FORK_SECONDS = 30.0  # a fork takes milliseconds; this only bounds a wait on a wedged server
CAN_FORK = hasattr(os, "fork") and hasattr(socket, "AF_UNIX") and resource is not None
_LENGTH = struct.Struct("!Q")


def parse_in_worker(path: Path, file_name: str, sheet: str | None, today: dt.date, *,
                    memory_mb: int = MEMORY_LIMIT_MB, seconds: float = TIME_LIMIT_SECONDS) -> ParsedFile:
    """`parse_file` in a worker process; a file that breaks a limit gets a message naming the limit."""
    request = (str(path), file_name, sheet, today, memory_mb)
    try:
        outcome = _ask_server(request, seconds) if CAN_FORK else _run_once(request, seconds)
    except TimeoutError:
        return ParsedFile.unreadable(
            f"读取文件“{file_name}”超过了 {seconds:.0f} 秒的时间上限，已停止，服务器和其他用户不受影响。"
            "正常的月度数据文件几秒内即可读完：请删除无关的工作表和多余的行列，另存为新的 .xlsx 后再上传。")
    if outcome in ("memory", None):  # None: the worker died without answering, as a reader that aborts on
        return ParsedFile.unreadable(  # an allocation the memory limit refused
            f"读取文件“{file_name}”超过了 {memory_mb} MB 的内存上限，已停止，服务器和其他用户不受影响。"
            "常见原因是表格的范围远大于实际数据（很远处有误填或带格式的单元格）：请在 Excel 中删除多余的行列，"
            "另存为新的 .xlsx 后再上传。")
    if not isinstance(outcome, ParsedFile):
        logger.error("parsing %s failed in its worker: %s", file_name, outcome)
        return ParsedFile.unreadable(
            f"读取文件“{file_name}”时出现内部错误，文件没有导入，服务器和其他用户不受影响。"
            "请把这个文件发给系统维护人员检查，或另存为新的 .xlsx 后再试。")
    return outcome


# ---- the caller's side -----------------------------------------------------------------------

class _ParseServer:
    """The parse server of this process, started on first use and again if it has died."""

    def __init__(self):
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._folder: str | None = None

    def address(self) -> str:
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start()
            return os.path.join(self._folder, "parse.sock")

    def _start(self) -> None:
        self._folder = self._folder or tempfile.mkdtemp(prefix="metrics-parse-")  # 0700: ours alone
        address = os.path.join(self._folder, "parse.sock")
        if os.path.exists(address):
            os.unlink(address)
        root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
               "RUST_BACKTRACE": "0"}  # a refused allocation is logged in one line, not forty
        self._process = subprocess.Popen([sys.executable, "-m", "metrics.ingest.parse_server", address, str(os.getpid())],
                                         env=env, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not os.path.exists(address):
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the parse server did not start (exit code {self._process.poll()})")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
        if self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)


_server = _ParseServer()
atexit.register(_server.stop)


def _ask_server(request: tuple, seconds: float):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(_server.address())
        connection.settimeout(FORK_SECONDS)
        _send(connection, request)
        try:
            pid, = struct.unpack("!q", _receive_exactly(connection, 8))
        except (OSError, EOFError):
            return None
        connection.settimeout(seconds)  # the limit counts from when the worker starts on the file
        try:
            return _receive(connection)
        except TimeoutError:
            _kill(pid)
            raise
        except (OSError, EOFError, pickle.UnpicklingError):
            return None


def _run_once(request: tuple, seconds: float):
    try:
        done = subprocess.run([sys.executable, "-m", "metrics.ingest.parse_server", "--once"], input=pickle.dumps(request),
                              capture_output=True, timeout=seconds)
    except subprocess.TimeoutExpired as exc:
        raise TimeoutError from exc
    try:
        return pickle.loads(done.stdout) if done.stdout else None
    except pickle.UnpicklingError:
        return None


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _send(connection: socket.socket, value) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    connection.sendall(_LENGTH.pack(len(data)) + data)


def _receive(connection: socket.socket):
    size, = _LENGTH.unpack(_receive_exactly(connection, _LENGTH.size))
    return pickle.loads(_receive_exactly(connection, size))


def _receive_exactly(connection: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = connection.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# ---- the server's side -------------------------------------------------------------------------

def serve(address: str, parent: int) -> None:
    """Accept requests, and fork one worker for each; stop when the process that started us has gone."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address + ".new")
    listener.listen(64)  # before the rename: a name that is bound but not listening refuses connections
    os.rename(address + ".new", address)  # the caller waits for this name: it appears ready to accept
    listener.settimeout(1.0)
    while os.getppid() == parent:
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            continue
        if os.fork() == 0:
            listener.close()
            _work(connection)
        connection.close()


def _work(connection: socket.socket) -> None:
    """A worker: limit its memory, parse the one file asked for, answer, and exit."""
    code = 0
    try:
        connection.settimeout(None)
        path, file_name, sheet, today, memory_mb = _receive(connection)
        connection.sendall(struct.pack("!q", os.getpid()))
        if memory_mb:
            # On top of what the worker already maps (its interpreter and libraries), so the limit is
            # what parsing this one file may use.
            limit = _address_space_bytes() + memory_mb * 2**20
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        _send(connection, _outcome(path, file_name, sheet, today))
    except BaseException:  # the caller reads a missing answer as a worker that died
        code = 1
    finally:
        os._exit(code)


def parse_once(request: tuple):
    """One request parsed in this process (the `--once` worker, where fork is not available)."""
    return _outcome(*request[:4])


def _outcome(path: str, file_name: str, sheet: str | None, today: dt.date):
    try:
        return parse_file(Path(path), file_name, sheet, today)
    except MemoryError:
        return "memory"
    except Exception:  # a reader's bug on an odd file: the caller logs the traceback
        return traceback.format_exc()


def _address_space_bytes() -> int:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):  # not Linux: count from nothing
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")
