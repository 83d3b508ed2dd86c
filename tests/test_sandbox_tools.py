"""sandbox_tools(): the six tools through a real agent, in a real container or on the host
behind approvals. The model is the local LLM test server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import wait_status

from agents.testing import LLMServer, Reply, ToolCallReply
from polos import (
    Agent,
    ApprovalRequested,
    DockerEnvironmentConfig,
    PolosClient,
    SandboxToolsConfig,
    sandbox_tools,
)
from sandbox import LocalEnvironmentConfig


def call(name: str, **arguments: Any) -> ToolCallReply:
    return ToolCallReply(name=name, arguments=arguments)


def coding_agent(tools: list[Any], agent_id: str = "coding_agent") -> Agent:
    return Agent(
        id=agent_id,
        provider="openai",
        model="test-model",
        system_prompt="You are a coding assistant.",
        tools=tools,
    )


@pytest.mark.docker
async def test_the_six_tools_work_together_in_a_container(
    llm: LLMServer, sqlite_client: PolosClient, docker_config: DockerEnvironmentConfig
) -> None:
    tools = sandbox_tools(SandboxToolsConfig(env="docker", scope="run", docker=docker_config))
    llm.script(
        [
            Reply(tool_calls=[call("write", path="app/main.py", content="print('hi')\nx = 1\n")]),
            Reply(tool_calls=[call("edit", path="app/main.py", old="x = 1", new="x = 2")]),
            Reply(tool_calls=[call("read", path="app/main.py")]),
            Reply(tool_calls=[call("glob", pattern="**/*.py")]),
            Reply(tool_calls=[call("grep", pattern="x = [0-9]", mode="content")]),
            Reply(tool_calls=[call("exec", command="cat app/main.py | wc -l")]),
            Reply(text="done"),
        ]
    )
    result = await coding_agent(tools).run(sqlite_client, "write a tiny app")
    outputs = [c.result for c in result.tool_calls]
    assert [c.is_error for c in result.tool_calls] == [False] * 6
    assert outputs[0] == "created app/main.py (18 bytes)"
    assert outputs[1] == "replaced 1 occurrence in app/main.py"
    assert "x = 2" in outputs[2] and "1" in outputs[2].splitlines()[0]
    assert outputs[3] == "app/main.py"
    assert outputs[4] == "app/main.py:2:x = 2"
    assert outputs[5].startswith("exit code 0") and "2" in outputs[5]


@pytest.mark.docker
async def test_a_tool_error_reaches_the_model_as_an_error_it_can_fix(
    llm: LLMServer, sqlite_client: PolosClient, docker_config: DockerEnvironmentConfig
) -> None:
    tools = sandbox_tools(SandboxToolsConfig(env="docker", scope="run", docker=docker_config))
    llm.script(
        [
            Reply(tool_calls=[call("read", path="../../etc/passwd")]),
            Reply(tool_calls=[call("read", path="missing.txt")]),
            Reply(text="ok"),
        ]
    )
    result = await coding_agent(tools).run(sqlite_client, "read things")
    escape, missing = result.tool_calls
    assert escape.is_error and "outside the workspace" in escape.result
    assert missing.is_error and "missing.txt" in missing.result
    # The model got the message itself, not a Python exception name.
    assert not escape.result.startswith("SandboxToolError")


@pytest.mark.docker
async def test_runs_of_one_conversation_share_the_container(
    llm: LLMServer, sqlite_client: PolosClient, docker_config: DockerEnvironmentConfig
) -> None:
    tools = sandbox_tools(SandboxToolsConfig(env="docker", scope="session", docker=docker_config))
    agent = coding_agent(tools)
    llm.script(
        [
            Reply(tool_calls=[call("exec", command="echo remembered > note.txt")]),
            Reply(text="saved"),
            Reply(tool_calls=[call("exec", command="cat note.txt")]),
            Reply(text="read"),
        ]
    )
    await agent.run(sqlite_client, "save a note", conversation_id="thread-1")
    second = await agent.run(sqlite_client, "read the note", conversation_id="thread-1")
    assert "remembered" in second.tool_calls[0].result


# -- local environment and approvals -------------------------------------------------------


def local_tools(tmp_path: Path, **options: Any) -> list[Any]:
    return sandbox_tools(
        SandboxToolsConfig(env="local", local=LocalEnvironmentConfig(cwd=tmp_path, **options))
    )


async def _approval(stream: Any) -> ApprovalRequested:
    async for event in stream.events:
        if isinstance(event, ApprovalRequested):
            return event
    raise AssertionError("no approval was requested")


async def test_local_exec_waits_for_approval_and_runs_once_approved(
    llm: LLMServer, sqlite_client: PolosClient, tmp_path: Path
) -> None:
    llm.script([Reply(tool_calls=[call("exec", command="echo hello > out.txt")]), Reply(text="ok")])
    stream = await coding_agent(local_tools(tmp_path)).stream(sqlite_client, "write out.txt")
    request = await _approval(stream)
    assert request.data["kind"] == "exec" and request.data["command"] == "echo hello > out.txt"
    assert not (tmp_path / "out.txt").exists()
    await wait_status(sqlite_client, stream.run_id, "suspended")
    await sqlite_client.resume(stream.run_id, request.step_key, {"approved": True}, by="U1")
    result = await stream.result()
    assert result.tool_calls[0].result.startswith("exit code 0")
    assert (tmp_path / "out.txt").read_text() == "hello\n"


async def test_a_denied_local_command_does_not_run_and_the_model_hears_why(
    llm: LLMServer, sqlite_client: PolosClient, tmp_path: Path
) -> None:
    llm.script([Reply(tool_calls=[call("exec", command="rm -rf data")]), Reply(text="ok")])
    (tmp_path / "data").mkdir()
    stream = await coding_agent(local_tools(tmp_path)).stream(sqlite_client, "clean up")
    request = await _approval(stream)
    await wait_status(sqlite_client, stream.run_id, "suspended")
    await sqlite_client.resume(
        stream.run_id, request.step_key, {"approved": False, "reason": "keep data"}, by="U9"
    )
    result = await stream.result()
    assert result.tool_calls[0].result == "denied by U9: keep data"
    assert (tmp_path / "data").is_dir()
    assert "denied by U9: keep data" in json.dumps(llm.calls[1].body)


async def test_always_allow_is_remembered_for_the_conversation(
    llm: LLMServer, sqlite_client: PolosClient, tmp_path: Path
) -> None:
    agent = coding_agent(local_tools(tmp_path))
    llm.script(
        [
            Reply(tool_calls=[call("exec", command="ls")]),
            Reply(text="first"),
            Reply(tool_calls=[call("exec", command="ls")]),
            Reply(text="second"),
        ]
    )
    stream = await agent.stream(sqlite_client, "list", conversation_id="thread-7")
    request = await _approval(stream)
    await wait_status(sqlite_client, stream.run_id, "suspended")
    await sqlite_client.resume(
        stream.run_id, request.step_key, {"approved": True, "always": True}, by="U1"
    )
    await stream.result()
    second = await agent.run(sqlite_client, "list again", conversation_id="thread-7")
    assert second.tool_calls[0].result.startswith("exit code 0")
    assert await sqlite_client.list_suspensions(status="pending") == []


async def test_allowlisted_commands_run_without_approval_but_chained_ones_ask(
    llm: LLMServer, sqlite_client: PolosClient, tmp_path: Path
) -> None:
    tools = local_tools(tmp_path, exec_security="allowlist", allowlist=["echo"])
    llm.script(
        [
            Reply(tool_calls=[call("exec", command="echo safe")]),
            Reply(tool_calls=[call("exec", command="echo safe; rm -rf /tmp/x")]),
            Reply(text="ok"),
        ]
    )
    stream = await coding_agent(tools).stream(sqlite_client, "go")
    request = await _approval(stream)
    assert request.data["command"] == "echo safe; rm -rf /tmp/x"
    await wait_status(sqlite_client, stream.run_id, "suspended")
    first_step = await sqlite_client.list_steps(stream.run_id)
    assert any(step.key.startswith("tool-1-") and step.output for step in first_step)
    await sqlite_client.resume(stream.run_id, request.step_key, {"approved": False}, by="U1")
    result = await stream.result()
    assert result.tool_calls[0].result.startswith("exit code 0")
    assert result.tool_calls[1].result.startswith("denied by U1")
