"""Test helpers: a local LLM server that speaks the OpenAI and Anthropic wire formats.

See :mod:`agents.testing.llm_server` for an example.
"""

from __future__ import annotations

from agents.testing._replies import (
    ErrorReply,
    RecordedCall,
    Reply,
    ReplyFunction,
    ScriptItem,
    ToolCallReply,
)
from agents.testing._server import LLMServer

__all__ = [
    "ErrorReply",
    "LLMServer",
    "RecordedCall",
    "Reply",
    "ReplyFunction",
    "ScriptItem",
    "ToolCallReply",
]
