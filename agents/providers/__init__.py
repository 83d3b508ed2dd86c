"""LLM providers behind one small interface.

``get_provider("openai" | "anthropic", model=...)`` returns a :class:`Provider` whose one
method, :meth:`Provider.request`, streams a model call and returns the whole response.
Providers raise only :mod:`agents._errors` types; SDK exceptions never leave this package.

Example:
    >>> provider = get_provider("anthropic", model="claude-sonnet-4")  # doctest: +SKIP
    >>> response = await provider.request(  # doctest: +SKIP
    ...     ModelRequest(messages=[UserMessage(content="Hi")]), on_text=print
    ... )
"""

from __future__ import annotations

from agents._errors import UserError
from agents.providers._anthropic import AnthropicProvider
from agents.providers._base import Provider, RetryCallback, TextCallback
from agents.providers._openai import OpenAIProvider
from agents.providers._retry import ProviderRetryPolicy

__all__ = [
    "AnthropicProvider",
    "OpenAIProvider",
    "Provider",
    "ProviderRetryPolicy",
    "RetryCallback",
    "TextCallback",
    "get_provider",
]

_PROVIDERS: dict[str, type[OpenAIProvider] | type[AnthropicProvider]] = {
    "anthropic": AnthropicProvider,
    "openai": OpenAIProvider,
}


def get_provider(
    name: str,
    *,
    model: str,
    api_key: str | None = None,
    base_url: str | None = None,
    timeout: float = 120.0,
    max_retries: int = 3,
    retry_backoff: float = 0.5,
) -> Provider:
    """A provider by name.

    Args:
        name: ``"openai"`` (also any OpenAI-compatible server) or ``"anthropic"``.
        model: The default model for requests that name none.
        api_key: Defaults to ``OPENAI_API_KEY`` / ``ANTHROPIC_API_KEY``; a missing key
            raises ``UserError`` on the first request, naming the variable to set.
        base_url: Defaults to ``OPENAI_BASE_URL`` / ``ANTHROPIC_BASE_URL``, then the
            provider's public API.
        timeout: Seconds to wait for the connection, the first byte and each next chunk.
        max_retries: Retries of transient failures (429, 5xx, connection errors, cut
            streams, timeouts).
        retry_backoff: The first retry's backoff in seconds (doubling up to 8 s) when the
            server sends no ``Retry-After``.

    Raises:
        UserError: Unknown provider name.
    """
    cls = _PROVIDERS.get(name)
    if cls is None:
        known = ", ".join(sorted(_PROVIDERS))
        raise UserError(f"unknown provider {name!r}; use one of: {known}")
    retry = ProviderRetryPolicy(
        max_retries=max_retries,
        initial_delay=retry_backoff,
        max_delay=max(8.0, retry_backoff),
    )
    return cls(model=model, api_key=api_key, base_url=base_url, timeout=timeout, retry=retry)
