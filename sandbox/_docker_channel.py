"""A long-lived shell inside the container, driven over one exec socket.

``docker exec`` costs about 50 ms per command (a new process through runc); a request to
this shell costs a fork inside the container and a few milliseconds. Requests are single
lines (arguments quoted for the shell, newlines spliced in as ``$NL``); the reply is the
request's stdout and stderr, each ended by a marker holding a fresh nonce and the exit code.
Commands never read this shell's stdin (they get ``/dev/null``), so they cannot eat requests.

Blocking, like the docker SDK: call it from a worker thread, one request at a time.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import shlex
import time
from typing import Any

from sandbox._docker_exec import RawExec, raw_socket
from sandbox._output import CappedBuffer
from sandbox._scripts import SERVER

_HEADER_SIZE = 8
_SEND_TIMEOUT = 30.0
_STDERR = 2
_TOKEN = re.compile(rb"(S|-?\d+)\x1e")


class ChannelClosed(Exception):
    """The shell went away (the container stopped or was removed).

    ``started`` says whether it had begun the request: if not, sending it again is safe.
    """

    def __init__(self, *, started: bool) -> None:
        self.started = started
        super().__init__("the sandbox shell closed")


def quote(arg: str) -> str:
    """One shell word for ``arg`` that fits on a single request line."""
    return shlex.quote(arg).replace("\n", "'\"$NL\"'")


class _Until:
    """Feeds a stream into a buffer up to the request's end marker, then keeps its code.

    Markers look like ``\x1e<nonce>:<token>\x1e``: token ``S`` when the shell starts the
    request (sent on stderr only), the exit code when it is done; both are cut out.
    """

    def __init__(self, buffer: CappedBuffer, marker: bytes) -> None:
        self.buffer = buffer
        self.marker = marker
        self.held = b""
        self.started = False
        self.code: int | None = None
        self.done = False

    def feed(self, data: bytes) -> None:
        if self.done:
            return  # late output of a detached process: not this request's
        data = self.held + data
        self.held = b""
        while (at := data.find(self.marker)) >= 0:
            self.buffer.feed(data[:at])
            found = _TOKEN.match(data, at + len(self.marker))
            if found is None:
                self.held = data[at:]  # the rest of the marker is still on its way
                return
            data = data[found.end() :]
            if found.group(1) == b"S":
                self.started = True
                continue
            self.code = int(found.group(1))
            self.done = True
            return
        # Hold back a possible beginning of the marker.
        cut = max(0, len(data) - (len(self.marker) + 12))
        self.buffer.feed(data[:cut])
        self.held = data[cut:]

    def flush(self) -> None:
        self.buffer.feed(self.held)
        self.held = b""


class ShellChannel:
    """One shell server process in a container and the exec socket that drives it."""

    def __init__(self, api: Any, container_id: str) -> None:
        self._api = api
        self.container_id = container_id
        exec_id = api.exec_create(container_id, ["sh", "-c", SERVER], stdin=True)["Id"]
        self._sock = api.exec_start(exec_id, socket=True)
        self._raw = raw_socket(self._sock)
        self._pending = bytearray()
        self._remaining = 0
        self._stream = 1

    def close(self) -> None:
        """Close the socket; the shell reads end-of-input and exits."""
        with contextlib.suppress(OSError):
            self._sock.close()

    def request(self, script: str, args: list[str], *, limit: int, deadline: float) -> RawExec:
        """Run ``sh -c $S_<script> polos ARGS...`` in the container and collect its output.

        Raises:
            ChannelClosed: the shell is gone; ``started`` says whether it began the request.
        """
        nonce = secrets.token_hex(12)
        words = " ".join(quote(arg) for arg in args)
        line = (
            f'polos_start {nonce}; sh -c "$S_{script}" polos {words} </dev/null; '
            f"polos_done {nonce} $?\n"
        )
        marker = b"\x1e" + nonce.encode() + b":"
        out, err = CappedBuffer(limit), CappedBuffer(limit)
        sinks = {1: _Until(out, marker), _STDERR: _Until(err, marker)}
        started = time.time()
        try:
            self._raw.settimeout(_SEND_TIMEOUT)
            self._raw.sendall(line.encode())
        except OSError as exc:
            raise ChannelClosed(started=False) from exc
        finished = self._read(sinks, deadline)
        for sink in sinks.values():
            if not sink.done:
                sink.flush()
        return RawExec(
            exit_code=sinks[1].code if finished else None,
            stdout=out,
            stderr=err,
            started=started,
            finished=time.time(),
            deadline_passed=not finished,
        )

    def _read(self, sinks: dict[int, _Until], deadline: float) -> bool:
        """Read frames until both streams ended; False if ``deadline`` passed first."""
        while not all(sink.done for sink in sinks.values()):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._raw.settimeout(left)
            try:
                chunk = self._raw.recv(65536)
            except TimeoutError:
                return False
            except OSError as exc:
                raise ChannelClosed(started=sinks[_STDERR].started) from exc
            if not chunk:
                raise ChannelClosed(started=sinks[_STDERR].started)
            self._pending += chunk
            self._split(sinks)
        return True

    def _split(self, sinks: dict[int, _Until]) -> None:
        pending = self._pending
        while pending:
            if self._remaining == 0:
                if len(pending) < _HEADER_SIZE:
                    return
                self._stream = pending[0]
                self._remaining = int.from_bytes(pending[4:8], "big")
                del pending[:_HEADER_SIZE]
                continue
            take = bytes(pending[: self._remaining])
            del pending[: len(take)]
            self._remaining -= len(take)
            sinks[_STDERR if self._stream == _STDERR else 1].feed(take)
