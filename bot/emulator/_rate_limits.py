"""Per-method rate limits (token buckets) and injected faults for the Web API."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from ._config import RateLimit
from ._errors import SlackApiFailure


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """Answers HTTP 429 with ``Retry-After`` once a method's budget is spent."""

    def __init__(self, limits: dict[str, RateLimit]) -> None:
        self.limits = dict(limits)
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    def check(self, method: str, channel: str | None) -> None:
        """Spend one call of ``method``'s budget or raise ``ratelimited``."""
        limit = self.limits.get(method)
        if limit is None:
            return
        key = (method, (channel or "") if limit.scope == "channel" else "")
        now = time.monotonic()
        rate = limit.per_minute / 60.0
        bucket = self._buckets.setdefault(key, _Bucket(float(limit.burst), now))
        bucket.tokens = min(float(limit.burst), bucket.tokens + (now - bucket.stamp) * rate)
        bucket.stamp = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return
        wait = max(1, math.ceil((1.0 - bucket.tokens) / rate))
        raise SlackApiFailure("ratelimited", status=429, headers={"Retry-After": str(wait)})


@dataclass
class _Fault:
    status: int
    remaining: int
    retry_after: int


@dataclass
class Faults:
    """Failures injected by the driver: forced statuses per method and dropped acks."""

    _methods: dict[str, list[_Fault]] = field(default_factory=dict)
    dropped_acks: int = 0

    def fail_method(self, method: str, *, status: int, times: int, retry_after: int) -> None:
        """Make the next ``times`` calls of ``method`` answer ``status``."""
        self._methods.setdefault(method, []).append(_Fault(status, times, retry_after))

    def check(self, method: str) -> None:
        """Raise the injected failure for ``method``, if one is pending."""
        pending = self._methods.get(method)
        if not pending:
            return
        fault = pending[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            pending.pop(0)
        if fault.status == 429:
            raise SlackApiFailure(
                "ratelimited", status=429, headers={"Retry-After": str(fault.retry_after)}
            )
        raise SlackApiFailure("internal_error", status=fault.status)

    def take_dropped_ack(self) -> bool:
        """Whether to ignore the ack that just arrived."""
        if self.dropped_acks > 0:
            self.dropped_acks -= 1
            return True
        return False
