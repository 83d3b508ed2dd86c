"""What an agent run takes and gives back (stored as the run's input and output)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from agents._messages import ReasoningEffort, Usage


class AgentInput(BaseModel):
    """The input of an agent run."""

    prompt: str = Field(min_length=1)
    conversation_id: str | None = None
    reasoning: ReasoningEffort | None = None


class AgentStep(BaseModel):
    """One model call of a run."""

    turn: int
    text: str
    tool_calls: list[str]
    usage: Usage


class ToolCallRecord(BaseModel):
    """One tool call of a run and what the model was told."""

    id: str
    name: str
    arguments: str
    result: str
    is_error: bool
    turn: int


class AgentResult(BaseModel):
    """The outcome of ``agent.run()``.

    Attributes:
        result: The answer: text, or an instance of the agent's ``output_schema``.
        text: The last text the model produced.
        usage: Tokens used by every model call of the run.
        steps: One entry per model call.
        tool_calls: Every tool call, in order, with its result.
        run_id: The durable run.
        conversation_id: The conversation the run belongs to, if any.
        stop_reason: Why the run stopped early (a stop condition), else None.
    """

    result: Any
    text: str = ""
    usage: Usage = Field(default_factory=Usage)
    steps: list[AgentStep] = Field(default_factory=list)
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    run_id: str = ""
    conversation_id: str | None = None
    stop_reason: str | None = None
