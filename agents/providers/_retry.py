"""Retries for provider calls: exponential backoff that honours ``Retry-After``.

The SDKs' own retries are turned off (``max_retries=0``) because they cannot retry a
stream that is cut after the response started; one loop here retries every transient
failure the same way, for both providers.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from agents._errors import ProviderError

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class ProviderRetryPolicy:
    """How often and how patiently a provider call is retried.

    Attributes:
        max_retries: Retries after the first attempt (0 disables retries).
        initial_delay: Backoff before the first retry, in seconds.
        max_delay: Upper bound of the exponential backoff, in seconds.
        multiplier: Backoff growth per retry.
        jitter: Random spread added to the backoff, as a fraction of it.
        max_retry_after: A ``Retry-After`` longer than this (seconds) is not waited for:
            the call fails at once instead of blocking a worker for minutes.
    """

    max_retries: int = 3
    initial_delay: float = 0.5
    max_delay: float = 8.0
    multiplier: float = 2.0
    jitter: float = 0.25
    max_retry_after: float = 60.0

    def backoff(self, retry: int) -> float:
        """The delay before retry number ``retry`` (0-based) when the server gave no hint."""
        base = min(self.max_delay, self.initial_delay * self.multiplier**retry)
        return base * (1 + self.jitter * random.random())


class RetryableError(Exception):
    """Internal: a transient failure, with the error to raise once retries run out.

    Raised by the providers' error translation and caught by :func:`call_with_retries`;
    it never leaves a provider.
    """

    def __init__(self, error: ProviderError, *, retry_after: float | None = None) -> None:
        self.error = error
        self.retry_after = retry_after
        super().__init__(str(error))


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The wait a response asks for: ``retry-after-ms``, else ``Retry-After``.

    ``Retry-After`` may be seconds (fractions accepted) or an HTTP date.
    """
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


async def call_with_retries(
    attempt: Callable[[], Awaitable[T]],
    *,
    policy: ProviderRetryPolicy,
    on_retry: Callable[[], None] | None = None,
) -> T:
    """Run ``attempt`` until it succeeds, retrying :class:`RetryableError` failures.

    Args:
        attempt: One complete call (request plus the whole stream).
        policy: How many retries and how long to wait.
        on_retry: Called just before each retry starts, so a caller that already
            received text deltas can discard them.

    Raises:
        ProviderError: The last failure's error, once retries run out or the server asks
            for a wait longer than ``policy.max_retry_after``.
    """
    retry = 0
    while True:
        try:
            return await attempt()
        except RetryableError as exc:
            wait = exc.retry_after if exc.retry_after is not None else policy.backoff(retry)
            if retry >= policy.max_retries or wait > policy.max_retry_after:
                raise exc.error from exc.__cause__
        await asyncio.sleep(wait)
        retry += 1
        if on_retry is not None:
            on_retry()
