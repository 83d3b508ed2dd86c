"""One command in a running container through the Docker exec API, read as it streams.

Blocking (the docker SDK is synchronous): call it with ``asyncio.to_thread``. The exec
socket is read frame by frame into capped buffers, so a command printing gigabytes costs
at most the cap in memory; stdin, when given, is written then half-closed so the command
sees its end.
"""

from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass
from typing import Any

from sandbox._output import CappedBuffer

_HEADER = struct.Struct(">BxxxL")
_STDERR = 2
_CHUNK = 65536


@dataclass
class RawExec:
    """What came back from one exec: exit code (``None`` if still running) and the streams."""

    exit_code: int | None
    stdout: CappedBuffer
    stderr: CappedBuffer
    started: float
    finished: float
    deadline_passed: bool = False


def raw_socket(sock: Any) -> socket.socket:
    """The socket under what ``exec_start(socket=True)`` returns."""
    # Unix sockets come wrapped in a SocketIO; TLS sockets are already the real thing.
    raw = getattr(sock, "_sock", sock)
    assert isinstance(raw, socket.socket)
    return raw


def _pump(raw: socket.socket, out: CappedBuffer, err: CappedBuffer, deadline: float | None) -> bool:
    """Read multiplexed frames until EOF; False if ``deadline`` passed first."""
    pending = bytearray()
    remaining = 0
    stream = 1
    while True:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            raw.settimeout(left)
        try:
            chunk = raw.recv(_CHUNK)
        except TimeoutError:
            return False
        if not chunk:
            return True
        pending += chunk
        while pending:
            if remaining == 0:
                if len(pending) < _HEADER.size:
                    break
                stream, remaining = _HEADER.unpack_from(pending)
                del pending[: _HEADER.size]
                continue
            take = bytes(pending[:remaining])
            del pending[: len(take)]
            remaining -= len(take)
            (err if stream == _STDERR else out).feed(take)


def _exit_code(api: Any, exec_id: str) -> int | None:
    # The stream ends when the process has exited; the daemon may need a moment to record it.
    for _ in range(200):
        info = api.exec_inspect(exec_id)
        if not info.get("Running"):
            code = info.get("ExitCode")
            return int(code) if code is not None else None
        time.sleep(0.01)
    return None


def run_exec(
    api: Any,
    container_id: str,
    argv: list[str],
    *,
    stdin: bytes | None = None,
    limit: int,
    deadline: float | None = None,
    user: str | None = None,
) -> RawExec:
    """Run ``argv`` in the container and collect its capped output and exit code.

    ``deadline`` (a ``time.monotonic()`` value) bounds how long the output is read; the
    command itself is expected to end on its own (the scripts enforce their timeouts).
    """
    started = time.time()
    exec_id = api.exec_create(
        container_id, argv, stdin=stdin is not None, stdout=True, stderr=True, user=user or ""
    )["Id"]
    sock = api.exec_start(exec_id, socket=True)
    out, err = CappedBuffer(limit), CappedBuffer(limit)
    try:
        raw = raw_socket(sock)
        if stdin is not None:
            raw.sendall(stdin)
            raw.shutdown(socket.SHUT_WR)
        finished_stream = _pump(raw, out, err, deadline)
    finally:
        sock.close()
    code = _exit_code(api, exec_id) if finished_stream else None
    return RawExec(
        exit_code=code,
        stdout=out,
        stderr=err,
        started=started,
        finished=time.time(),
        deadline_passed=not finished_stream,
    )


def oom_killed_since(api: Any, container_id: str, since: float) -> bool:
    """Whether the daemon recorded an OOM kill in the container since ``since`` (epoch s).

    ``State.OOMKilled`` only covers the container's main process, and stays set; the
    daemon's ``oom`` events cover any process of the container, at a given time.
    """
    # The event can be recorded a moment after the killed process's exit is seen.
    for attempt in range(5):
        found = api.events(
            since=f"{since:.9f}",
            until=f"{time.time():.9f}",
            filters={"container": container_id, "event": "oom"},
            decode=True,
        )
        if any(True for _ in found):
            return True
        time.sleep(0.1 * (attempt + 1))
    return False
