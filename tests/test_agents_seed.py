"""Every example of the seed page runs, against both providers' wire formats where it
applies (the agents are built exactly as on the page; only the provider name is swapped)."""

from __future__ import annotations

import uuid
from typing import Any

from helpers import wait_status
from pydantic import BaseModel, Field

from agents.testing import LLMServer, Reply, ToolCallReply
from polos import (
    Agent,
    MaxStepsConfig,
    MaxTokensConfig,
    PolosClient,
    WorkflowContext,
    max_steps,
    max_tokens,
    tool,
    workflow,
)


class WeatherInput(BaseModel):
    city: str


class FakeWeatherApi:
    def __init__(self) -> None:
        self.calls: list[str] = []

    async def get(self, city: str) -> dict[str, Any]:
        self.calls.append(city)
        return {"city": city, "forecast": "sunny", "temperature_c": 21}


def weather_agent_for(provider: str, api: FakeWeatherApi) -> Agent:
    @tool(description="Get weather for a city")
    async def get_weather(ctx: WorkflowContext, input: WeatherInput):  # type: ignore[no-untyped-def]
        return await api.get(input.city)

    return Agent(
        id=f"weather-agent-{provider}",
        provider=provider,
        model="gpt-4o",
        system_prompt="You are a helpful weather assistant.",
        tools=[get_weather],
    )


async def test_weather_agent_calls_its_tool_and_answers(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    api = FakeWeatherApi()
    weather_agent = weather_agent_for(provider, api)
    llm.script(
        [
            Reply(tool_calls=[ToolCallReply(name="get_weather", arguments={"city": "NYC"})]),
            Reply(text="It's sunny and 21°C in NYC."),
        ]
    )
    response = await weather_agent.run(sqlite_client, "What's the weather in NYC?")
    assert response.result == "It's sunny and 21°C in NYC."
    assert api.calls == ["NYC"]
    assert llm.calls[0].tool_names == ["get_weather"]
    # The second model call saw the tool result.
    assert "sunny" in str(llm.calls[1].messages)


async def test_direct_execution_runs_parallel_tool_calls_with_reasoning(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    api = FakeWeatherApi()
    weather_agent = weather_agent_for(provider, api)
    llm.script(
        [
            Reply(
                tool_calls=[
                    ToolCallReply(name="get_weather", arguments={"city": "NYC"}),
                    ToolCallReply(name="get_weather", arguments={"city": "London"}),
                ]
            ),
            Reply(text="Both are sunny."),
        ]
    )
    response = await weather_agent.run(
        sqlite_client, "Compare the weather in NYC and London", reasoning={"effort": "medium"}
    )
    assert response.result == "Both are sunny."
    assert sorted(api.calls) == ["London", "NYC"]
    assert [call.name for call in response.tool_calls] == ["get_weather", "get_weather"]
    body = llm.calls[0].body
    assert body.get("reasoning_effort") == "medium" or "thinking" in body


async def test_streaming_yields_text_chunks_as_they_arrive(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    weather_agent = weather_agent_for(provider, FakeWeatherApi())
    answer = "Tokyo is cloudy today, with light rain in the evening."
    llm.script([Reply(text=answer)])
    result = await weather_agent.stream(sqlite_client, "What's the weather in Tokyo?")
    chunks = [chunk async for chunk in result.text_chunks]
    assert len(chunks) > 1
    assert "".join(chunks) == answer
    assert (await result.result()).result == answer


class SearchInput(BaseModel):
    query: str


class SearchOutput(BaseModel):
    results: list[str]


class EmailInput(BaseModel):
    to: str
    subject: str
    body: str


class EmailOutput(BaseModel):
    status: str


async def test_research_agent_uses_two_tools(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    sent: list[EmailInput] = []

    @tool(description="Search the web")
    async def search_web(ctx: WorkflowContext, input: SearchInput) -> SearchOutput:
        results = [f"{input.query} result {i}" for i in range(8)]
        return SearchOutput(results=results[:5])

    @tool(description="Send an email")
    async def send_email(ctx: WorkflowContext, input: EmailInput) -> EmailOutput:
        sent.append(input)
        return EmailOutput(status="sent")

    research_agent = Agent(
        id=f"research-agent-{provider}",
        provider=provider,
        model="claude-sonnet-4",
        system_prompt="You are a research assistant. Search for information and email summaries.",
        tools=[search_web, send_email],
    )
    llm.script(
        [
            Reply(tool_calls=[ToolCallReply(name="search_web", arguments={"query": "durable"})]),
            Reply(
                tool_calls=[
                    ToolCallReply(
                        name="send_email",
                        arguments={"to": "a@example.com", "subject": "Summary", "body": "..."},
                    )
                ]
            ),
            Reply(text="Done: I emailed the summary."),
        ]
    )
    response = await research_agent.run(sqlite_client, "Research durable execution")
    assert response.result == "Done: I emailed the summary."
    assert [s.to for s in sent] == ["a@example.com"]
    assert (
        response.tool_calls[0].result
        == SearchOutput(results=[f"durable result {i}" for i in range(5)]).model_dump_json()
    )
    assert {t["name"] for t in _tools_sent(llm.calls[0].body)} == {"search_web", "send_email"}


def _tools_sent(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [t.get("function", t) for t in body.get("tools", [])]


class PersonInfo(BaseModel):
    name: str = Field(description="Full name")
    age: int = Field(description="Age in years", ge=0, le=130)
    email: str = Field(description="Email address")
    location: str = Field(description="City")


async def test_structured_output_returns_an_instance_of_the_schema(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    person_extractor = Agent(
        id=f"person-extractor-{provider}",
        provider=provider,
        model="gpt-4o",
        system_prompt="Extract person information from text.",
        output_schema=PersonInfo,
    )
    llm.script(
        [Reply(output={"name": "Alice", "age": 28, "email": "alice@example.com", "location": "SF"})]
    )
    response = await person_extractor.run(
        sqlite_client, "Hi, I'm Alice, 28 years old, living in SF. Email: alice@example.com"
    )
    assert isinstance(response.result, PersonInfo)
    assert (response.result.name, response.result.age, response.result.location) == (
        "Alice",
        28,
        "SF",
    )


async def test_stop_conditions_end_a_run_that_keeps_calling_tools(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    @tool(description="Search the web")
    async def search_web(ctx: WorkflowContext, input: SearchInput) -> SearchOutput:
        return SearchOutput(results=["more"])

    @tool(description="Read an article")
    async def read_article(ctx: WorkflowContext, input: SearchInput) -> str:
        return "article text"

    research_agent = Agent(
        id=f"bounded-research-{provider}",
        provider=provider,
        model="gpt-4o",
        system_prompt="Research topics thoroughly.",
        tools=[search_web, read_article],
        stop_conditions=[
            max_steps(MaxStepsConfig(limit=15)),
            max_tokens(MaxTokensConfig(limit=50000)),
        ],
    )
    llm.script(
        lambda body: Reply(
            text="still searching",
            tool_calls=[ToolCallReply(name="search_web", arguments={"query": "more"})],
        )
    )
    response = await research_agent.run(sqlite_client, "Research everything")
    assert llm.call_count == 15
    assert response.stop_reason == "reached max_steps (15 model calls)"
    assert len(response.steps) == 15


async def test_conversation_memory_carries_context_between_runs(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    chat_agent = Agent(
        id=f"chat-agent-{provider}",
        provider=provider,
        model="gpt-4o",
        system_prompt="You are a helpful assistant.",
    )
    llm.script([Reply(text="Sunny in NYC."), Reply(text="Tomorrow NYC will be rainy.")])
    conversation_id = uuid.uuid4()
    response1 = await chat_agent.run(
        sqlite_client, "What's the weather in NYC?", conversation_id=conversation_id
    )
    response2 = await chat_agent.run(
        sqlite_client, "How about tomorrow?", conversation_id=conversation_id
    )
    assert (response1.result, response2.result) == ("Sunny in NYC.", "Tomorrow NYC will be rainy.")
    second_request = str(llm.calls[1].messages)
    assert "What's the weather in NYC?" in second_request and "Sunny in NYC." in second_request


async def test_agents_compose_in_workflows_with_agent_invoke_and_wait(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    logged: list[str] = []
    emailed: list[tuple[str, str]] = []

    class CustomerSupportInput(BaseModel):
        question: str
        customer_email: str

    customer_support_agent = Agent(
        id=f"customer_support_agent-{provider}",
        provider=provider,
        model="gpt-4o",
        system_prompt="You answer customer questions.",
    )

    def log_interaction(response: Any) -> None:
        logged.append(response.result)

    def send_followup(email: str, response: Any) -> None:
        emailed.append((email, response.result))

    @workflow(id=f"customer_support-{provider}")
    async def customer_support(ctx: WorkflowContext, input: CustomerSupportInput):  # type: ignore[no-untyped-def]
        # Agent handles the customer query
        response = await ctx.step.agent_invoke_and_wait(
            "customer_support_agent",  # step key
            customer_support_agent.with_input(input.question),
        )

        # Update your customer support software with the interaction
        await ctx.step.run("log", log_interaction, response)

        # Send follow-up email
        await ctx.step.run("email", send_followup, input.customer_email, response)

        return response

    llm.script([Reply(text="Reset it from the settings page.")])
    response = await customer_support.run(
        sqlite_client,
        CustomerSupportInput(question="How do I reset my password?", customer_email="c@x.io"),
    )
    assert response.result == "Reset it from the settings page."
    assert logged == ["Reset it from the settings page."]
    assert emailed == [("c@x.io", "Reset it from the settings page.")]


async def test_the_approval_workflow_suspends_for_a_human_and_resumes(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    planning_agent = Agent(
        id=f"planner-{provider}", provider=provider, model="gpt-4o", system_prompt="Plan."
    )
    executor_agent = Agent(
        id=f"executor-{provider}", provider=provider, model="gpt-4o", system_prompt="Execute."
    )

    @workflow(id=f"approval_workflow-{provider}")
    async def approval_workflow(ctx: WorkflowContext, input: dict):  # type: ignore[no-untyped-def,type-arg]
        # Agent generates a plan
        plan = await ctx.step.agent_invoke_and_wait(
            "generate_plan", planning_agent.with_input(input["task"])
        )

        # Suspend the workflow and wait for human approval
        resume_data = await ctx.step.suspend("suspend_step", data={"plan": plan})

        # Resumes here when the decision is received
        decision = resume_data.get("data", {})
        if decision.get("approved"):
            # Execute the approved plan
            result = await ctx.step.agent_invoke_and_wait(
                "execute", executor_agent.with_input(plan)
            )
            return result
        else:
            return None

    llm.script([Reply(text="1. back up 2. migrate"), Reply(text="Migrated.")])
    handle = await approval_workflow.start(sqlite_client, {"task": "migrate the database"})
    await wait_status(sqlite_client, handle.run_id, "suspended")
    [pending] = await sqlite_client.list_suspensions(run_id=handle.run_id)
    assert pending.data["plan"].result == "1. back up 2. migrate"
    await sqlite_client.resume(handle.run_id, "suspend_step", {"approved": True}, by="U1")
    result = await handle.result(timeout=10)
    assert result.result == "Migrated."
    # The executor was given the plan as its prompt.
    assert "1. back up 2. migrate" in str(llm.calls[1].messages)
