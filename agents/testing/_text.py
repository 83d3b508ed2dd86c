"""Helpers shared by the wire formats: chunking and rough token counts."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

SSEEvent = tuple[str | None, str]
"""One server-sent event: (event name or ``None``, data line)."""

_WORDS = re.compile(r"\S+\s*|\s+")


def text_chunks(text: str) -> list[str]:
    """``text`` split after each word (whitespace kept), so it streams in several chunks."""
    return _WORDS.findall(text)


def fragments(text: str, size: int = 7) -> list[str]:
    """``text`` cut into pieces of ``size`` characters, like streamed JSON arguments."""
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def arguments_json(arguments: dict[str, Any] | str) -> str:
    """A tool call's arguments as the JSON string a model would produce."""
    return arguments if isinstance(arguments, str) else json.dumps(arguments)


def new_id(prefix: str) -> str:
    """A random id in the provider's style, e.g. ``call_...`` or ``toolu_...``."""
    return f"{prefix}{uuid.uuid4().hex[:24]}"


def count_words(value: Any) -> int:
    """Words in every string inside ``value``: a stand-in for input tokens."""
    if isinstance(value, str):
        return len(value.split())
    if isinstance(value, dict):
        return sum(count_words(item) for key, item in value.items() if key not in ("type", "role"))
    if isinstance(value, list):
        return sum(count_words(item) for item in value)
    return 0


def encode_sse(event: SSEEvent) -> bytes:
    """The bytes of one event, framed as the real APIs do."""
    name, data = event
    head = f"event: {name}\n" if name is not None else ""
    return f"{head}data: {data}\n\n".encode()
