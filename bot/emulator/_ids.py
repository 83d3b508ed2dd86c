"""Identifiers that look like Slack's: message timestamps, event ids, trigger ids."""

from __future__ import annotations

import secrets
import string
import time

_ALNUM = string.ascii_uppercase + string.digits


def random_id(prefix: str, length: int = 10) -> str:
    """An id such as ``Ev08ABC12345`` or ``F0ZZ12AB34``: a prefix and upper-case characters."""
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(length))


class IdFactory:
    """Hands out ids; message timestamps are unique and strictly increasing."""

    def __init__(self) -> None:
        self._last_micros = 0

    def ts(self) -> str:
        """A message timestamp like ``"1732420000.000100"``, larger than every earlier one."""
        micros = max(int(time.time() * 1_000_000), self._last_micros + 1)
        self._last_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    @staticmethod
    def event_id() -> str:
        """An Events API id (``Ev`` followed by ten characters)."""
        return random_id("Ev", 10)

    @staticmethod
    def envelope_id() -> str:
        """A Socket Mode envelope id (a UUID, as Slack sends)."""
        import uuid

        return str(uuid.uuid4())

    @staticmethod
    def trigger_id() -> str:
        """A trigger id in Slack's three-part shape."""
        return f"{secrets.randbelow(10**13)}.{secrets.randbelow(10**13)}.{secrets.token_hex(16)}"
