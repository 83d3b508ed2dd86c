"""The one error type of the emulator: a Slack API error with Slack's shape.

Every handler raises :class:`SlackApiFailure`; the Web API layer turns it into
``{"ok": false, "error": "<code>"}`` with the given HTTP status and headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class SlackApiFailure(Exception):
    """A failed Web API call, answered as Slack answers it."""

    def __init__(
        self,
        error: str,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.headers: dict[str, str] = dict(headers or {})
        self.extra: dict[str, Any] = dict(extra or {})

    def body(self) -> dict[str, Any]:
        """The JSON body Slack would send."""
        return {"ok": False, "error": self.error, **self.extra}
