"""What the SDK-backed providers share: configuration, the API key check, one client per
event loop, and the retry loop around each streamed call."""

from __future__ import annotations

import os
from abc import abstractmethod
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from agents._errors import UserError
from agents._messages import ModelRequest, ModelResponse
from agents.providers._base import LoopBoundClient, Provider, RetryCallback, TextCallback
from agents.providers._retry import ProviderRetryPolicy, call_with_retries


class _Closable(Protocol):
    async def close(self) -> Any: ...


ClientT = TypeVar("ClientT", bound=_Closable)


class SDKProvider(Provider, Generic[ClientT]):
    """A provider on an official SDK client. Subclasses say how to build the client and how
    to make one streamed attempt; retries, keys and clients are handled here.

    Args:
        model: The default model (used when the request names none).
        api_key: The API key; defaults to the environment variable ``api_key_env``.
        base_url: The API root; defaults to the SDK's own environment variable, then the
            provider's public endpoint.
        timeout: Seconds to wait for the connection, the first byte and each next chunk.
        retry: Retry policy for transient failures.
    """

    api_key_env: ClassVar[str]

    def __init__(
        self,
        *,
        model: str,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 120.0,
        retry: ProviderRetryPolicy | None = None,
    ) -> None:
        self.model = model
        self._api_key = api_key
        self._base_url = base_url
        self._timeout = timeout
        self._retry = retry or ProviderRetryPolicy()
        self._client: LoopBoundClient[ClientT] = LoopBoundClient(self._new_client)

    def _new_client(self) -> ClientT:
        api_key = self._api_key or os.environ.get(self.api_key_env)
        if not api_key:
            raise UserError(
                f"missing API key for {self.name}: set {self.api_key_env} or pass api_key= "
                "(any non-empty value works for a local server that does not check it)"
            )
        return self._make_client(api_key)

    @abstractmethod
    def _make_client(self, api_key: str) -> ClientT:
        """A new SDK client (SDK retries off: ours also cover streams cut midway)."""

    @abstractmethod
    async def _attempt(
        self, client: ClientT, request: ModelRequest, on_text: TextCallback | None
    ) -> ModelResponse:
        """One streamed call, its SDK errors translated."""

    async def request(
        self,
        request: ModelRequest,
        *,
        on_text: TextCallback | None = None,
        on_retry: RetryCallback | None = None,
    ) -> ModelResponse:
        """Make one streamed call, retried as a whole (see :meth:`Provider.request`)."""
        client = self._client.get()

        async def attempt() -> ModelResponse:
            return await self._attempt(client, request, on_text)

        return await call_with_retries(attempt, policy=self._retry, on_retry=on_retry)

    async def aclose(self) -> None:
        """Close the HTTP connections of the current event loop's client."""
        client = self._client.take()
        if client is not None:
            await client.close()
