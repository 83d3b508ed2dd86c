"""The interface each wire format (OpenAI, Anthropic) implements for the test server."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from agents.testing._replies import Api, ErrorReply, Reply
from agents.testing._text import SSEEvent

Problem = tuple[int, dict[str, Any]]
"""An error answer: (HTTP status, JSON body in the provider's error shape)."""


class Wire(ABC):
    """One provider's wire format: auth, validation, error shapes, answers."""

    api: ClassVar[Api]

    @abstractmethod
    def check_auth(self, headers: Mapping[str, str], api_key: str | None) -> Problem | None:
        """The 401 answer when the key is missing or differs from ``api_key``."""

    @abstractmethod
    def validate(self, headers: Mapping[str, str], body: object) -> Problem | None:
        """The 400 answer when the request is invalid, as the real API would give it."""

    @abstractmethod
    def error(self, injected: ErrorReply) -> Problem:
        """An injected error in the real error shape."""

    @abstractmethod
    def stream(self, reply: Reply, body: dict[str, Any]) -> list[SSEEvent]:
        """The server-sent events of a streamed answer, in order."""

    @abstractmethod
    def stream_error(self, kind: str) -> SSEEvent:
        """An error event sent inside a stream that already answered 200."""

    @abstractmethod
    def complete(self, reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
        """The JSON body of a non-streamed answer."""

    def response_headers(self) -> dict[str, str]:
        """Headers sent with every answer (request id and the like)."""
        return {}
