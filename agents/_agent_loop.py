"""The agent loop, run as a durable workflow: model call -> tool calls -> model call -> ...

Each model call is the step ``llm-<turn>`` (its output is the model's response only, never
the conversation); each tool call is the step ``tool-<turn>-<call id>``; approvals are
suspensions ``approve-<turn>-<call id>``. Replay rebuilds the conversation from those
outputs, so a crash repeats at most the call in flight.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from agents._agent_events import TEXT_DELTA, TEXT_RESET, TOOL_FINISHED, TOOL_STARTED
from agents._agent_result import AgentInput, AgentResult, AgentStep, ToolCallRecord
from agents._errors import OutputValidationError, SuspendRun, ToolError
from agents._messages import (
    Message,
    ModelRequest,
    ModelResponse,
    OutputSchema,
    ToolCall,
    ToolResultMessage,
    Usage,
    UserMessage,
)
from agents._stop import AgentState, StopCondition
from agents._tools import Tool, ToolInputError, ToolOutcome, render_output

if TYPE_CHECKING:
    from agents._agent import Agent
    from agents._context import WorkflowContext
    from agents.providers import Provider

_MESSAGE = TypeAdapter[Message](Message)
_FENCED_JSON = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


async def call_model(
    ctx: WorkflowContext, provider: Provider, request: ModelRequest, turn: int
) -> ModelResponse:
    """One model call, streaming its text to the run's subscribers."""
    return await provider.request(
        request,
        on_text=lambda delta: ctx.emit(TEXT_DELTA, {"text": delta, "turn": turn}),
        on_retry=lambda: ctx.emit(TEXT_RESET, {"turn": turn}),
    )


async def remember_messages(
    ctx: WorkflowContext, conversation_id: str, run_id: str, bodies: list[tuple[str, str]]
) -> int:
    """Append this run's messages to its conversation (idempotent)."""
    return await ctx._x.store.messages.append(conversation_id, run_id, bodies)


async def conversation_bound(ctx: WorkflowContext, conversation_id: str) -> int:
    """The last message of the conversation when this run started."""
    return await ctx._x.store.messages.last_seq(conversation_id)


def estimate_tokens(message: Message) -> int:
    """A rough token count (4 characters a token) for bounding the history."""
    return len(message.model_dump_json()) // 4 + 4


def bound_history(history: list[Message], budget: int) -> list[Message]:
    """The newest whole turns (each starting at a user message) that fit ``budget`` tokens;
    older turns are dropped from the prompt but stay in the store."""
    turns: list[list[Message]] = []
    for message in history:
        if message.role == "user" or not turns:
            turns.append([])
        turns[-1].append(message)
    kept: list[list[Message]] = []
    used = 0
    for turn in reversed(turns):
        cost = sum(estimate_tokens(message) for message in turn)
        if kept and used + cost > budget:
            break
        kept.append(turn)
        used += cost
    return [message for turn in reversed(kept) for message in turn]


class AgentLoop:
    """One execution of an agent run."""

    def __init__(self, agent: Agent, ctx: WorkflowContext, input: AgentInput) -> None:
        self.agent = agent
        self.ctx = ctx
        self.input = input
        self.tools: dict[str, Tool] = {tool.name: tool for tool in agent.tools}
        self.usage = Usage()
        self.steps: list[AgentStep] = []
        self.tool_calls: list[ToolCallRecord] = []
        self.new_messages: list[Message] = []

    async def run(self) -> AgentResult:
        """Call the model and its tools until an answer, a stop condition, or a suspension."""
        messages = await self._history()
        self._add(messages, UserMessage(content=self.input.prompt))
        stop_reason: str | None = None
        structured: Any = None
        text = ""
        repaired = False
        while True:
            stop_reason = self._stop_reason(text)
            if stop_reason is not None:
                break
            turn = len(self.steps) + 1
            response = await self.ctx.step.run(
                f"llm-{turn}",
                call_model,
                self.ctx,
                self.agent.provider,
                self._request(messages),
                turn,
            )
            self.usage = self.usage + response.usage
            self._add(messages, response.message)
            text = response.text
            self.steps.append(
                AgentStep(
                    turn=turn,
                    text=text,
                    tool_calls=[call.name for call in response.tool_calls],
                    usage=response.usage,
                )
            )
            if response.tool_calls:
                outcomes = await self._run_tools(turn, response.tool_calls)
                for call, outcome in zip(response.tool_calls, outcomes, strict=True):
                    self._add(
                        messages,
                        ToolResultMessage(
                            tool_call_id=call.id,
                            tool_name=call.name,
                            content=outcome.content,
                            is_error=outcome.is_error,
                        ),
                    )
                continue
            if self.agent.output_schema is None:
                break
            try:
                structured = self._parse_structured(text)
                break
            except ValidationError as exc:
                if repaired:
                    raise OutputValidationError(
                        f"the model's answer does not match {self.agent.output_schema.__name__}"
                        f" after one repair turn: {exc}"
                    ) from None
                repaired = True
                self._add(
                    messages,
                    UserMessage(
                        content="Your answer does not match the required JSON schema: "
                        f"{exc}. Answer again with only a JSON object that matches it."
                    ),
                )
        await self._remember()
        return AgentResult(
            result=structured if self.agent.output_schema is not None else text,
            text=text,
            usage=self.usage,
            steps=self.steps,
            tool_calls=self.tool_calls,
            run_id=self.ctx.run_id,
            conversation_id=self.input.conversation_id,
            stop_reason=stop_reason,
        )

    def _add(self, messages: list[Message], message: Message) -> None:
        messages.append(message)
        self.new_messages.append(message)

    def _stop_reason(self, last_text: str) -> str | None:
        if not self.steps:
            return None
        called = tuple(record.name for record in self.tool_calls)
        state = AgentState(
            llm_calls=len(self.steps),
            usage=self.usage,
            tools_called=called,
            last_text=last_text,
            tool_calls_by_name={name: called.count(name) for name in set(called)},
        )
        conditions: list[StopCondition] = self.agent.effective_stop_conditions
        for condition in conditions:
            reason = condition.reason(state)
            if reason is not None:
                return reason
        return None

    def _request(self, messages: list[Message]) -> ModelRequest:
        schema = self.agent.output_schema
        return ModelRequest(
            model=self.agent.model,
            system_prompt=self.agent.system_prompt or None,
            messages=list(messages),
            tools=[tool.spec() for tool in self.agent.tools],
            output_schema=OutputSchema(
                name=re.sub(r"[^A-Za-z0-9_-]", "_", schema.__name__),
                json_schema=schema.model_json_schema(),
            )
            if schema is not None
            else None,
            temperature=self.agent.temperature,
            max_output_tokens=self.agent.max_output_tokens,
            reasoning=self.input.reasoning,
        )

    def _parse_structured(self, text: str) -> BaseModel:
        assert self.agent.output_schema is not None
        fenced = _FENCED_JSON.match(text)
        return self.agent.output_schema.model_validate_json(fenced.group(1) if fenced else text)

    async def _history(self) -> list[Message]:
        conversation = self.input.conversation_id
        if conversation is None:
            return []
        bound = await self.ctx.step.run("memory", conversation_bound, self.ctx, conversation)
        bodies = await self.ctx._x.store.messages.load(conversation, up_to=int(bound))
        history = [_MESSAGE.validate_json(body) for body in bodies]
        return bound_history(history, self.agent.memory_token_budget)

    async def _remember(self) -> None:
        conversation = self.input.conversation_id
        if conversation is None:
            return
        bodies = [(message.role, message.model_dump_json()) for message in self.new_messages]
        await self.ctx.step.run(
            "remember", remember_messages, self.ctx, conversation, self.ctx.run_id, bodies
        )

    async def _run_tools(self, turn: int, calls: list[ToolCall]) -> list[ToolOutcome]:
        # Parallel calls run concurrently; each is its own step, so one suspending for
        # approval does not stop the others from completing and being recorded.
        results = await asyncio.gather(
            *(self._run_tool(turn, call) for call in calls), return_exceptions=True
        )
        interrupts = [r for r in results if isinstance(r, BaseException)]
        if interrupts:
            others = [r for r in interrupts if not isinstance(r, SuspendRun)]
            raise (others or interrupts)[0]
        outcomes = [r for r in results if isinstance(r, ToolOutcome)]
        for call, outcome in zip(calls, outcomes, strict=True):
            self.tool_calls.append(
                ToolCallRecord(
                    id=call.id,
                    name=call.name,
                    arguments=call.arguments,
                    result=outcome.content,
                    is_error=outcome.is_error,
                    turn=turn,
                )
            )
        return outcomes

    async def _run_tool(self, turn: int, call: ToolCall) -> ToolOutcome:
        tool = self.tools.get(call.name)
        if tool is None:
            available = ", ".join(sorted(self.tools)) or "none"
            return ToolOutcome(
                content=f"unknown tool {call.name!r}; the tools are: {available}", is_error=True
            )
        try:
            parsed = tool.parse(call.arguments)
        except ToolInputError as exc:
            return ToolOutcome(content=str(exc), is_error=True)
        arguments = parsed.model_dump(mode="json") if parsed is not None else {}
        if await tool.needs_approval(parsed):
            denial = await self._approval(turn, call, tool, arguments)
            if denial is not None:
                return denial
        key = f"tool-{turn}-{call.id}"
        scoped = self.ctx.scoped(f"{key}/")

        async def execute() -> ToolOutcome:
            self.ctx.emit(
                TOOL_STARTED, {"call_id": call.id, "name": tool.name, "arguments": arguments}
            )
            try:
                outcome = ToolOutcome(content=render_output(await tool(scoped, parsed)))
            except ToolError as exc:
                outcome = ToolOutcome(content=str(exc), is_error=True)
            except Exception as exc:
                outcome = ToolOutcome(content=f"{type(exc).__name__}: {exc}", is_error=True)
            self.ctx.emit(
                TOOL_FINISHED,
                {
                    "call_id": call.id,
                    "name": tool.name,
                    "result": outcome.content,
                    "is_error": outcome.is_error,
                },
            )
            return outcome

        result = await self.ctx.step._run_named(key, f"tool:{tool.name}", execute)
        assert isinstance(result, ToolOutcome)
        return result

    async def _approval(
        self, turn: int, call: ToolCall, tool: Tool, arguments: dict[str, Any]
    ) -> ToolOutcome | None:
        """Suspend until a person decides; None when approved, else the denial."""
        answer = await self.ctx.step.suspend(
            f"approve-{turn}-{call.id}",
            timeout=approval_timeout(self.ctx),
            data={
                "kind": "tool",
                "tool": tool.name,
                "arguments": arguments,
                "call_id": call.id,
                "description": tool.description,
            },
        )
        if answer.get("expired"):
            return ToolOutcome(content="nobody approved this call in time", is_error=True)
        decision = answer.get("data") or {}
        if isinstance(decision, dict) and decision.get("approved"):
            return None
        who = answer.get("by") or "a reviewer"
        reason = (decision.get("reason") if isinstance(decision, dict) else None) or "no reason"
        return ToolOutcome(content=f"denied by {who}: {reason}", is_error=True)


def approval_timeout(ctx: WorkflowContext) -> float | None:
    """How long a person has to answer an approval: ``approval_timeout`` in the run's
    metadata (the Slack bot sets it), else no limit."""
    value = ctx.metadata.get("approval_timeout")
    return float(value) if isinstance(value, int | float) and value > 0 else None


def prompt_from(value: Any) -> str:
    """Turn what ``agent.with_input(x)`` is given into the user prompt."""
    if isinstance(value, str):
        return value
    if isinstance(value, AgentResult):
        result = value.result
        if isinstance(result, BaseModel):
            return result.model_dump_json()
        return result if isinstance(result, str) else json.dumps(result, default=str)
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    return json.dumps(value, default=str)
