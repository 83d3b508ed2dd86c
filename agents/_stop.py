"""Stop conditions: when an agent stops calling the model (runaway costs, loops)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from agents._messages import Usage

DEFAULT_MAX_STEPS = 50
"""Every agent stops after this many model calls unless it sets its own ``max_steps``."""


@dataclass(frozen=True, slots=True)
class AgentState:
    """What a stop condition sees after each model call and its tool calls."""

    llm_calls: int
    usage: Usage
    tools_called: tuple[str, ...]
    last_text: str
    tool_calls_by_name: dict[str, int] = field(default_factory=dict)


StopCheck = Callable[[AgentState], bool | str | None]
"""Returns a truthy value to stop: a string says why."""


@dataclass(frozen=True, slots=True)
class StopCondition:
    """A named check run after each model call; the first that fires stops the agent."""

    name: str
    check: StopCheck

    def reason(self, state: AgentState) -> str | None:
        """Why the agent stops now, or None to go on."""
        verdict = self.check(state)
        if not verdict:
            return None
        return verdict if isinstance(verdict, str) else f"stopped by {self.name}"


class MaxStepsConfig(BaseModel):
    """Options of :func:`max_steps`."""

    limit: int = Field(ge=1, description="The most model calls a run may make.")


class MaxTokensConfig(BaseModel):
    """Options of :func:`max_tokens`."""

    limit: int = Field(ge=1, description="Input + output tokens after which the run stops.")


class ExecutedToolConfig(BaseModel):
    """Options of :func:`executed_tool`."""

    tool_names: list[str] = Field(min_length=1)


def max_steps(config: MaxStepsConfig) -> StopCondition:
    """Stop after ``config.limit`` model calls."""
    limit = config.limit
    return StopCondition(
        "max_steps",
        lambda state: (
            f"reached max_steps ({limit} model calls)" if state.llm_calls >= limit else None
        ),
    )


def max_tokens(config: MaxTokensConfig) -> StopCondition:
    """Stop once the run has used ``config.limit`` tokens (input + output)."""
    limit = config.limit
    return StopCondition(
        "max_tokens",
        lambda state: (
            f"reached max_tokens ({state.usage.total_tokens} >= {limit} tokens)"
            if state.usage.total_tokens >= limit
            else None
        ),
    )


def executed_tool(config: ExecutedToolConfig) -> StopCondition:
    """Stop as soon as one of ``config.tool_names`` has been called."""
    names = set(config.tool_names)
    return StopCondition(
        "executed_tool",
        lambda state: (
            f"executed tool {sorted(names & set(state.tools_called))[0]}"
            if names & set(state.tools_called)
            else None
        ),
    )


def stop_condition(check: StopCheck) -> StopCondition:
    """Make a function of :class:`AgentState` a stop condition.

    Example::

        @stop_condition
        def found_answer(state: AgentState) -> bool:
            return "FINAL ANSWER" in state.last_text
    """
    return StopCondition(getattr(check, "__name__", "custom"), check)
