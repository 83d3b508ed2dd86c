"""Slack's rate limits, from the bot's side: a workspace-wide budget for chat.update and
slack_sdk's retry handler for 429 answers."""

from __future__ import annotations

import asyncio
import time

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient


class EditBudget:
    """The workspace's share of chat.update (Slack's Tier 3, about 50 calls a minute).

    Share one instance between every :class:`ThreadStream` of a workspace; a 429 from one
    pauses all of them for the ``Retry-After`` Slack asked for.
    """

    def __init__(self, *, per_minute: float = 45.0, burst: int = 10) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._tokens = float(burst)
        self._stamp = time.monotonic()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait until one more chat.update fits in the budget, and spend it."""
        async with self._lock:
            while True:
                now = time.monotonic()
                if now < self._paused_until:
                    await asyncio.sleep(self._paused_until - now)
                    continue
                self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
                self._stamp = now
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return
                await asyncio.sleep((1.0 - self._tokens) / self._rate)

    def pause(self, seconds: float) -> None:
        """Hold every caller for ``seconds`` (after a 429 with ``Retry-After``)."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)


def with_rate_limit_retries(client: AsyncWebClient, *, max_retries: int = 2) -> AsyncWebClient:
    """Give ``client`` slack_sdk's handler that waits out a 429's ``Retry-After`` and retries;
    returns the same client. Does nothing if it already has one."""
    if not any(isinstance(h, AsyncRateLimitErrorRetryHandler) for h in client.retry_handlers):
        client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=max_retries))
    return client
