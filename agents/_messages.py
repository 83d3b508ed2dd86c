"""The one message format the agent layer and every provider share.

Every model here is stored as JSON in durable step checkpoints, so each one round-trips
through ``model_dump(mode="json")`` and ``model_validate`` unchanged. Providers translate
these models to and from their wire formats; nothing above the providers sees an SDK type.

A conversation is a list of :data:`Message`, a union told apart by ``role``::

    SystemMessage     role="system"     extra instructions, in order
    UserMessage       role="user"       what the person said
    AssistantMessage  role="assistant"  text, tool calls and (Anthropic) thinking blocks
    ToolResultMessage role="tool"       the answer to one tool call, by call id

Example:
    >>> request = ModelRequest(
    ...     system_prompt="Be brief.",
    ...     messages=[UserMessage(content="Hi")],
    ... )
    >>> ModelRequest.model_validate(request.model_dump(mode="json")) == request
    True
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ReasoningEffort = Literal["low", "medium", "high"]
"""How hard a reasoning model should think before it answers."""

StopReason = Literal["end_turn", "tool_calls", "max_tokens", "refusal"]
"""Why the model stopped, normalised across providers.

``end_turn``: a final answer (also a stop sequence). ``tool_calls``: the model wants the
tools in ``message.tool_calls`` run. ``max_tokens``: the output (or context) limit cut the
answer short. ``refusal``: the model or a content filter declined to answer.
"""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class ToolCall(_Model):
    """One tool call the model asked for.

    Attributes:
        id: The provider's call id; the matching :class:`ToolResultMessage` repeats it.
        name: The tool's name.
        arguments: The raw JSON arguments exactly as the model produced them (they may be
            invalid JSON; the agent layer parses and validates them).
    """

    id: str
    name: str
    arguments: str = "{}"


class ThinkingBlock(_Model):
    """A block of reasoning the model produced (Anthropic extended thinking).

    Kept so it can be sent back unchanged: Anthropic requires the thinking blocks of the
    last assistant turn when that turn called tools.

    Attributes:
        text: The thinking text ("" for a redacted block).
        signature: The provider's signature over ``text``.
        redacted_data: The opaque payload of a redacted block, else ``None``.
    """

    text: str = ""
    signature: str | None = None
    redacted_data: str | None = None


class SystemMessage(_Model):
    """Instructions for the model, placed where they occur in the conversation."""

    role: Literal["system"] = "system"
    content: str


class UserMessage(_Model):
    """What the person said."""

    role: Literal["user"] = "user"
    content: str


class AssistantMessage(_Model):
    """What the model answered: text, tool calls, or both.

    Attributes:
        text: The answer text (for structured output: the JSON document).
        tool_calls: The tools the model asked to run, in the order it asked.
        thinking: Reasoning blocks to send back on the next request (Anthropic only).
    """

    role: Literal["assistant"] = "assistant"
    text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    thinking: list[ThinkingBlock] = Field(default_factory=list)


class ToolResultMessage(_Model):
    """The result of one tool call, sent back to the model.

    Attributes:
        tool_call_id: The :attr:`ToolCall.id` this answers.
        tool_name: The tool's name.
        content: The result as text (JSON or prose).
        is_error: True when the tool failed and ``content`` describes the error.
    """

    role: Literal["tool"] = "tool"
    tool_call_id: str
    tool_name: str
    content: str
    is_error: bool = False


Message = Annotated[
    SystemMessage | UserMessage | AssistantMessage | ToolResultMessage,
    Field(discriminator="role"),
]
"""Any message of a conversation, told apart by its ``role``."""


class ToolSpec(_Model):
    """A tool the model may call.

    Attributes:
        name: The tool's name (what the model calls).
        description: What the tool does, for the model.
        parameters: The JSON schema of the arguments object.
    """

    name: str
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})


class OutputSchema(_Model):
    """Native structured output: the answer must be a JSON document of this schema.

    Attributes:
        name: A short name for the schema (OpenAI ``json_schema.name``, the Anthropic
            output tool's name); letters, digits, ``_`` and ``-``.
        json_schema: The JSON schema of the answer.
        strict: OpenAI strict mode. Only valid when the schema follows OpenAI's strict
            subset (every property required, ``additionalProperties: false``).
    """

    name: str
    json_schema: dict[str, Any]
    strict: bool = False


class Usage(_Model):
    """Tokens one model call consumed.

    Attributes:
        input_tokens: Prompt tokens, cached ones included.
        output_tokens: Generated tokens, reasoning included.
    """

    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
        )


class ModelRequest(_Model):
    """Everything one model call needs, independent of the provider.

    Attributes:
        model: The model name; ``None`` uses the provider's default model.
        system_prompt: Instructions placed before the conversation.
        messages: The conversation so far.
        tools: The tools the model may call.
        output_schema: Ask for a JSON answer of this schema (native structured output).
        temperature: Sampling temperature; ``None`` leaves the provider's default. Ignored
            by Anthropic when ``reasoning`` is set (thinking requires the default).
        max_output_tokens: Cap on generated tokens; ``None`` leaves the provider's default
            (Anthropic requires one, so its provider uses 4096).
        reasoning: Reasoning effort for reasoning models; ``None`` turns it off.
    """

    model: str | None = None
    system_prompt: str | None = None
    messages: list[Message] = Field(default_factory=list)
    tools: list[ToolSpec] = Field(default_factory=list)
    output_schema: OutputSchema | None = None
    temperature: float | None = None
    max_output_tokens: int | None = None
    reasoning: ReasoningEffort | None = None


class ModelResponse(_Model):
    """The complete answer of one model call.

    Attributes:
        message: The assistant message (text, tool calls, thinking).
        usage: Tokens consumed.
        stop_reason: Why the model stopped, normalised (see :data:`StopReason`).
        provider: ``"openai"`` or ``"anthropic"``.
        model: The model that answered, as the provider reported it.
    """

    message: AssistantMessage
    usage: Usage = Field(default_factory=Usage)
    stop_reason: StopReason = "end_turn"
    provider: str
    model: str

    @property
    def text(self) -> str:
        """The answer text."""
        return self.message.text

    @property
    def tool_calls(self) -> list[ToolCall]:
        """The tool calls the model asked for."""
        return self.message.tool_calls
