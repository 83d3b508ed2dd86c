"""``Agent``: an LLM with tools, run as a durable workflow."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from agents._agent_loop import AgentLoop, prompt_from
from agents._agent_result import AgentInput, AgentResult
from agents._agent_stream import AgentStream
from agents._errors import UserError
from agents._stop import DEFAULT_MAX_STEPS, MaxStepsConfig, StopCondition, max_steps
from agents._tools import Tool
from agents._workflow import Invocation, Workflow

if TYPE_CHECKING:
    from agents._client import PolosClient, RunHandle
    from agents._context import WorkflowContext
    from agents.providers import Provider

PROVIDERS = ("openai", "anthropic")


class _AgentWorkflow(Workflow[AgentInput, AgentResult]):
    """The workflow behind an agent: rebuilds structured output when results are read."""

    agent: Agent

    def decode_result(self, value: Any) -> Any:
        return self.agent.decode_result(value)


class Agent:
    """An LLM that reasons, calls tools and answers, durably.

    Each model call and each tool call is a checkpointed step: a crashed run resumes where
    it stopped, without calling the model or a tool again for work already done.

    Example::

        weather_agent = Agent(
            id="weather-agent",
            provider="openai",
            model="gpt-4o",
            system_prompt="You are a helpful weather assistant.",
            tools=[get_weather],
        )
        response = await weather_agent.run(client, "What's the weather in NYC?")
        print(response.result)

    Args:
        id: The agent's id (also its workflow id, and what Slack users mention).
        provider: ``"openai"`` (or any OpenAI-compatible server through ``base_url``) or
            ``"anthropic"``.
        model: The model name.
        system_prompt: Instructions for the model.
        tools: Tools made with ``@tool`` (or ``sandbox_tools()``).
        output_schema: A pydantic model: the answer is validated into it (native
            structured output), with one repair turn if it does not match.
        stop_conditions: When to stop early; ``max_steps`` defaults to 50 model calls.
        temperature: Sampling temperature.
        max_output_tokens: Cap on each model call's output.
        base_url: API address (default ``OPENAI_BASE_URL`` / ``ANTHROPIC_BASE_URL``).
        api_key: API key (default ``OPENAI_API_KEY`` / ``ANTHROPIC_API_KEY``).
        timeout: Seconds to wait for the provider (per read).
        max_retries: Retries of 429, 5xx, cut streams and timeouts (with backoff).
        memory_token_budget: How much of a conversation's history is sent to the model;
            the oldest turns are dropped first (they stay in the store).
        description: What the agent does (shown to Slack users).
    """

    def __init__(
        self,
        id: str,
        provider: str,
        model: str,
        system_prompt: str = "",
        tools: Sequence[Tool] = (),
        output_schema: type[BaseModel] | None = None,
        stop_conditions: Sequence[StopCondition] = (),
        *,
        temperature: float | None = None,
        max_output_tokens: int | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 120.0,
        max_retries: int = 3,
        memory_token_budget: int = 50_000,
        description: str = "",
    ) -> None:
        if not id or not isinstance(id, str):
            raise UserError("an Agent needs an id (a non-empty string)")
        if provider not in PROVIDERS:
            raise UserError(
                f"unknown provider {provider!r} for agent {id!r}; use one of "
                f"{', '.join(PROVIDERS)} (any OpenAI-compatible server works as 'openai' "
                "with base_url)"
            )
        for t in tools:
            if not isinstance(t, Tool):
                raise UserError(f"agent {id!r}: {t!r} is not a tool; decorate it with @tool")
        names = [t.name for t in tools]
        if len(set(names)) != len(names):
            raise UserError(f"agent {id!r} has two tools with the same name: {names}")
        if output_schema is not None and not (
            isinstance(output_schema, type) and issubclass(output_schema, BaseModel)
        ):
            raise UserError(f"agent {id!r}: output_schema must be a pydantic model class")
        self.id = id
        self.provider_name = provider
        self.model = model
        self.system_prompt = system_prompt
        self.tools = list(tools)
        self.output_schema = output_schema
        self.stop_conditions = list(stop_conditions)
        self.temperature = temperature
        self.max_output_tokens = max_output_tokens
        self.base_url = base_url
        self.api_key = api_key
        self.timeout = timeout
        self.max_retries = max_retries
        self.memory_token_budget = memory_token_budget
        self.description = description or system_prompt
        self._provider: Provider | None = None
        workflow = _AgentWorkflow(self._execute, id=id, input_type=AgentInput)
        workflow.agent = self
        self.workflow: Workflow[AgentInput, AgentResult] = workflow

    @property
    def effective_stop_conditions(self) -> list[StopCondition]:
        """The agent's stop conditions plus the default cap on model calls."""
        if any(condition.name == "max_steps" for condition in self.stop_conditions):
            return self.stop_conditions
        return [*self.stop_conditions, max_steps(MaxStepsConfig(limit=DEFAULT_MAX_STEPS))]

    @property
    def provider(self) -> Provider:
        """The provider client, made on first use (a missing API key is reported then)."""
        if self._provider is None:
            from agents.providers import get_provider

            self._provider = get_provider(
                self.provider_name,
                model=self.model,
                api_key=self.api_key,
                base_url=self.base_url,
                timeout=self.timeout,
                max_retries=self.max_retries,
            )
        return self._provider

    async def _execute(self, ctx: WorkflowContext, input: AgentInput) -> AgentResult:
        return await AgentLoop(self, ctx, input).run()

    def decode_result(self, value: Any) -> Any:
        """Rebuild the structured answer of a stored result."""
        if (
            isinstance(value, AgentResult)
            and self.output_schema is not None
            and isinstance(value.result, dict)
        ):
            return value.model_copy(
                update={"result": self.output_schema.model_validate(value.result)}
            )
        return value

    def _input(
        self, input: Any, conversation_id: Any, reasoning: dict[str, Any] | None
    ) -> AgentInput:
        effort = None
        if reasoning is not None:
            effort = reasoning.get("effort") if isinstance(reasoning, dict) else None
            if effort not in ("low", "medium", "high"):
                raise UserError(
                    f"reasoning must look like {{'effort': 'low' | 'medium' | 'high'}}, "
                    f"not {reasoning!r}"
                )
        try:
            return AgentInput(
                prompt=prompt_from(input),
                conversation_id=str(conversation_id) if conversation_id is not None else None,
                reasoning=effort,
            )
        except ValidationError:
            raise UserError(f"agent {self.id!r} needs a non-empty input") from None

    async def start(
        self,
        client: PolosClient,
        input: Any,
        *,
        conversation_id: str | uuid.UUID | None = None,
        reasoning: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        metadata: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> RunHandle[AgentResult]:
        """Start a run and return its handle. Runs of one conversation execute one at a time,
        in order."""
        agent_input = self._input(input, conversation_id, reasoning)
        if agent_input.conversation_id is not None:
            # Tools find their session (a sandbox container, remembered approvals) here.
            metadata = {"conversation_id": agent_input.conversation_id, **(metadata or {})}
        return await client.start(
            self.workflow,
            agent_input,
            idempotency_key=idempotency_key,
            metadata=metadata,
            concurrency_key=f"conversation:{agent_input.conversation_id}"
            if agent_input.conversation_id is not None
            else None,
            timeout=timeout,
        )

    async def run(
        self,
        client: PolosClient,
        input: Any,
        *,
        conversation_id: str | uuid.UUID | None = None,
        reasoning: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        metadata: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> AgentResult:
        """Run the agent on ``input`` and return its result (see :class:`AgentResult`)."""
        handle = await self.start(
            client,
            input,
            conversation_id=conversation_id,
            reasoning=reasoning,
            idempotency_key=idempotency_key,
            metadata=metadata,
            timeout=timeout,
        )
        result: AgentResult = self.decode_result(await handle.result())
        return result

    async def stream(
        self,
        client: PolosClient,
        input: Any,
        *,
        conversation_id: str | uuid.UUID | None = None,
        reasoning: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> AgentStream:
        """Start a run and stream it: ``async for chunk in stream.text_chunks``, or
        ``stream.events`` for tool calls and approvals too; ``await stream.result()``."""
        subscription = client.events.subscribe()
        try:
            handle = await self.start(
                client,
                input,
                conversation_id=conversation_id,
                reasoning=reasoning,
                idempotency_key=idempotency_key,
                metadata=metadata,
            )
        except BaseException:
            subscription.close()
            raise
        return AgentStream(self, handle, subscription)

    def with_input(
        self,
        input: Any,
        *,
        conversation_id: str | None = None,
        reasoning: dict[str, Any] | None = None,
    ) -> Invocation[AgentResult]:
        """This agent with ``input`` (text, another agent's result, a model), to run as a
        child: ``await ctx.step.agent_invoke_and_wait("key", agent.with_input(x))``."""
        return self.workflow.with_input(self._input(input, conversation_id, reasoning))

    def __repr__(self) -> str:
        return f"<Agent {self.id!r} {self.provider_name}:{self.model}>"
