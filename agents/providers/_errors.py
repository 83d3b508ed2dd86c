"""What an HTTP failure means for a provider call, shared by the SDK translations.

Each provider module translates its SDK's exceptions in one context manager; this module
decides, from the status code alone, which polos error that is and whether it is retried.
"""

from __future__ import annotations

from agents._errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRateLimitError,
    ProviderResponseError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)
from agents.providers._retry import RetryableError

_RETRIED_STATUSES = frozenset({408, 409, 429})


def status_error(
    provider: str,
    status: int,
    detail: str,
    *,
    retry_after: float | None = None,
    retry: bool = True,
) -> ProviderError | RetryableError:
    """The exception to raise for an HTTP error answer.

    Args:
        provider: ``"openai"`` or ``"anthropic"``.
        status: The HTTP status code.
        detail: The server's error message.
        retry_after: The wait the server asked for, in seconds.
        retry: False when the body says retrying cannot help (e.g. an exhausted quota).

    Returns:
        A :class:`RetryableError` for transient statuses (408, 409, 429, 5xx), else the
        final :class:`ProviderError`.
    """
    if status in (401, 403):
        return ProviderAuthError(
            provider,
            f"invalid API key for {provider} (HTTP {status}: {detail})",
            status_code=status,
        )
    error: ProviderError
    if status == 429:
        error = ProviderRateLimitError(
            provider, f"{provider} rate limit (HTTP 429): {detail}", status_code=status
        )
    elif status == 408:
        error = ProviderTimeoutError(
            provider, f"{provider} request timed out (HTTP 408): {detail}", status_code=status
        )
    elif status >= 500 or status in _RETRIED_STATUSES:
        error = ProviderUnavailableError(
            provider, f"{provider} is unavailable (HTTP {status}): {detail}", status_code=status
        )
    else:
        return ProviderResponseError(
            provider,
            f"{provider} refused the request (HTTP {status}): {detail}",
            status_code=status,
        )
    if retry and (status >= 500 or status in _RETRIED_STATUSES):
        return RetryableError(error, retry_after=retry_after)
    return error


def timeout_error(provider: str, timeout: float) -> RetryableError:
    """A retryable timeout: nothing arrived for ``timeout`` seconds."""
    return RetryableError(
        ProviderTimeoutError(
            provider, f"{provider} sent nothing for {timeout:g} s (timeout={timeout:g})"
        )
    )


def connection_error(provider: str, detail: str) -> RetryableError:
    """A retryable connection failure (refused, reset, or a stream cut midway)."""
    return RetryableError(
        ProviderUnavailableError(provider, f"{provider} connection failed: {detail}")
    )


def incomplete_stream_error(provider: str) -> RetryableError:
    """A retryable stream that ended cleanly but before the response was complete."""
    return RetryableError(
        ProviderUnavailableError(
            provider, f"{provider} stream ended before the response was complete"
        )
    )
