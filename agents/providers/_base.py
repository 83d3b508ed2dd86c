"""The provider interface: one abstract method that streams one model call."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar, Generic, TypeVar

from agents._messages import ModelRequest, ModelResponse

TextCallback = Callable[[str], None]
"""Receives each text delta as it arrives."""

RetryCallback = Callable[[], None]
"""Called before a failed call is retried from the start."""

ClientT = TypeVar("ClientT")


class Provider(ABC):
    """An LLM provider: turns a :class:`ModelRequest` into a :class:`ModelResponse`.

    Implementations always stream, call ``on_text`` for every text delta in order, and
    return the complete response assembled from the stream. They raise only
    :class:`agents._errors.ProviderError` subclasses (and ``UserError`` for
    configuration mistakes), never SDK exceptions.

    Attributes:
        name: The provider's name, e.g. ``"openai"``.
        model: The default model, used when ``ModelRequest.model`` is ``None``.

    Example:
        >>> provider = get_provider("openai", model="gpt-4o")  # doctest: +SKIP
        >>> response = await provider.request(  # doctest: +SKIP
        ...     ModelRequest(messages=[UserMessage(content="Hi")]),
        ...     on_text=lambda delta: print(delta, end=""),
        ... )
    """

    name: ClassVar[str]
    model: str

    @abstractmethod
    async def request(
        self,
        request: ModelRequest,
        *,
        on_text: TextCallback | None = None,
        on_retry: RetryCallback | None = None,
    ) -> ModelResponse:
        """Make one model call, streaming.

        A transient failure (429, 5xx, connection error, timeout, a stream cut midway)
        retries the whole call. Text deltas delivered before the failure are delivered
        again by the retry, so ``on_retry`` is called first: a caller that shows deltas
        live should discard what it received when it is called.

        Args:
            request: What to send.
            on_text: Called with each text delta, in order, as it arrives.
            on_retry: Called before the call is retried from the start.

        Returns:
            The complete response: text, tool calls, usage, normalised stop reason.

        Raises:
            ProviderAuthError: The API key was refused (401/403).
            ProviderRateLimitError: Still rate limited (429) after all retries.
            ProviderUnavailableError: 5xx, connection errors or cut streams after all
                retries.
            ProviderTimeoutError: No answer within the timeout, after all retries.
            ProviderResponseError: The request was refused (other 4xx) or the answer
                cannot be used.
            UserError: Missing API key or an invalid request for this provider.
        """

    async def aclose(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Release network resources; the provider stays usable (it reconnects)."""


class LoopBoundClient(Generic[ClientT]):
    """One SDK client per event loop.

    An SDK client pools connections that belong to the loop that opened them; a provider
    may outlive a loop (``asyncio.run`` twice, one loop per test), so the client is
    rebuilt when the running loop changes.
    """

    def __init__(self, factory: Callable[[], ClientT]) -> None:
        self._factory = factory
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: ClientT | None = None

    def get(self) -> ClientT:
        """The client for the running loop, created on first use."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = self._factory()
            self._loop = loop
        return self._client

    def take(self) -> ClientT | None:
        """The client of the running loop (if any), forgotten so the next call rebuilds it."""
        client, self._client = self._client, None
        loop, self._loop = self._loop, None
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            return None
        return client if loop is running else None
