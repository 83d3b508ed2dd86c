"""Capped capture of a byte stream: keep the head and the tail, count what was cut.

Output is fed chunk by chunk as it arrives, so 10 MB of output never sits in memory whole:
at most ``limit`` bytes are held per stream.
"""

from __future__ import annotations


class CappedBuffer:
    """Keeps the first and last ``limit // 2`` bytes of everything fed to it."""

    def __init__(self, limit: int) -> None:
        self._head_limit = limit // 2
        self._tail_limit = limit - self._head_limit
        self._head = bytearray()
        self._tail = bytearray()
        self.total = 0

    def feed(self, data: bytes) -> None:
        """Add a chunk of output."""
        self.total += len(data)
        room = self._head_limit - len(self._head)
        if room > 0:
            self._head += data[:room]
            data = data[room:]
        if not data:
            return
        self._tail += data
        excess = len(self._tail) - self._tail_limit
        if excess > 0:
            del self._tail[:excess]

    @property
    def cut(self) -> int:
        """Bytes dropped from the middle."""
        return self.total - len(self._head) - len(self._tail)

    def text(self) -> str:
        """The kept output as text, with a marker where the middle was cut."""
        head = bytes(self._head).decode("utf-8", errors="replace")
        tail = bytes(self._tail).decode("utf-8", errors="replace")
        if not self.cut:
            return head + tail
        marker = f"\n\n[... {self.cut:,} bytes of output cut; {self.total:,} in all ...]\n\n"
        return head + marker + tail

    def head(self) -> str:
        """Only the kept head, ending at its last complete line when something was cut."""
        data = bytes(self._head) + (bytes(self._tail) if not self.cut else b"")
        if self.cut:
            data = data[: data.rfind(b"\n") + 1]
        return data.decode("utf-8", errors="replace")
