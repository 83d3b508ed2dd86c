"""HTTP delivery: POSTs to the app's request URL, signed as Slack signs them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from ._delivery import AttemptResult, Delivery, Json


def sign(secret: str, timestamp: str, body: str) -> str:
    """The ``X-Slack-Signature`` value: ``v0=`` + HMAC-SHA256 of ``v0:timestamp:body``."""
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    assert signature is not None
    return signature


def encode_body(delivery: Delivery) -> tuple[str, str]:
    """The request body and content type Slack uses for each kind of delivery."""
    if delivery.kind == "events_api":
        return json.dumps(delivery.payload), "application/json"
    if delivery.kind == "interactive":
        return urlencode({"payload": json.dumps(delivery.payload)}), (
            "application/x-www-form-urlencoded"
        )
    fields = {k: str(v) for k, v in delivery.payload.items()}
    return urlencode(fields), "application/x-www-form-urlencoded"


class HttpDelivery:
    """Posts deliveries to ``request_url``; ``settings`` is read on every attempt."""

    def __init__(self, settings: Callable[[], tuple[str, str, float]]) -> None:
        # settings() -> (request_url, signing_secret, clock skew in seconds)
        self._settings = settings
        self._session: aiohttp.ClientSession | None = None

    async def attempt(self, delivery: Delivery, retry_num: int, timeout: float) -> AttemptResult:
        """POST once; a 2xx within ``timeout`` is an ack, its body the app's response."""
        url, secret, skew = self._settings()
        body, content_type = encode_body(delivery)
        timestamp = str(int(time.time() + skew))
        headers = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sign(secret, timestamp, body),
        }
        if retry_num:
            previous = delivery.attempts[-1].outcome if delivery.attempts else "timeout"
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = (
                "http_timeout" if previous == "timeout" else "http_error"
            )
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        try:
            async with self._session.post(
                url, data=body.encode(), headers=headers, timeout=aiohttp.ClientTimeout(timeout)
            ) as response:
                text = await response.text()
                status = response.status
        except TimeoutError:
            return AttemptResult("timeout")
        except aiohttp.ClientError:
            return AttemptResult("http_error")
        if status >= 500:
            return AttemptResult("http_error", status)
        if status >= 300:
            return AttemptResult("rejected", status)
        return AttemptResult("acked", status, _parse_response(text))

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()


def _parse_response(text: str) -> Json | None:
    if not text.strip():
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return {"text": text}
    return parsed if isinstance(parsed, dict) else {"text": text}
