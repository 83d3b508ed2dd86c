"""``sandbox_tools()``: six durable agent tools (exec, read, write, edit, glob, grep) over one
shared environment (a Docker container per session, or the host behind approvals)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Literal

from pydantic import BaseModel, Field

from agents import Tool, ToolError, WorkflowContext, tool
from agents._agent_loop import approval_timeout
from agents._grants import approval_grants, grant_approval
from sandbox._config import SandboxToolsConfig
from sandbox._environment import Environment
from sandbox._policy import command_key
from sandbox._provider import SandboxEnvironments
from sandbox._reaper import reap_containers
from sandbox._render import render_edit, render_exec, render_glob, render_grep, render_read

log = logging.getLogger("polos.sandbox")

REAP_EVERY_SECONDS = 600.0


class ExecInput(BaseModel):
    """Arguments of ``exec``."""

    command: str = Field(min_length=1, description="Shell command to run (sh -c).")
    timeout: float | None = Field(default=None, description="Seconds before it is killed.")
    cwd: str | None = Field(default=None, description="Directory, relative to the workspace.")


class ReadInput(BaseModel):
    """Arguments of ``read``."""

    path: str = Field(description="File path, relative to the workspace.")
    offset: int = Field(default=0, ge=0, description="First line to show (0-based).")
    limit: int = Field(default=2000, ge=1, le=10000, description="How many lines.")


class WriteInput(BaseModel):
    """Arguments of ``write``."""

    path: str = Field(description="File path, relative to the workspace.")
    content: str = Field(description="The whole new content of the file.")


class EditInput(BaseModel):
    """Arguments of ``edit``."""

    path: str
    old: str = Field(min_length=1, description="Exact text to replace (must be unique).")
    new: str = Field(description="Replacement text.")
    replace_all: bool = Field(default=False, description="Replace every occurrence.")


class GlobInput(BaseModel):
    """Arguments of ``glob``."""

    pattern: str = Field(min_length=1, description="Glob such as **/*.py.")
    path: str | None = Field(default=None, description="Directory to search from.")


class GrepInput(BaseModel):
    """Arguments of ``grep``."""

    pattern: str = Field(min_length=1, description="Regular expression (extended).")
    path: str | None = None
    glob: str | None = Field(default=None, description="Only files matching this glob.")
    mode: Literal["files", "content", "count"] = "files"
    ignore_case: bool = False


def session_of(ctx: WorkflowContext) -> str | None:
    """The conversation a tool call belongs to (a Slack thread): its container and its
    remembered approvals are shared by every run of the conversation."""
    metadata = ctx.metadata
    value = metadata.get("session_id") or metadata.get("conversation_id")
    return str(value) if value else None


class _SandboxTools:
    """The shared state of one ``sandbox_tools()`` call."""

    def __init__(self, config: SandboxToolsConfig) -> None:
        self.config = config
        self.environments = SandboxEnvironments(config)
        self._reaper: asyncio.Task[None] | None = None

    async def environment(self, ctx: WorkflowContext) -> Environment:
        self._start_reaper()
        return await self.environments.get(run_id=ctx.run_id, session_id=session_of(ctx))

    def _start_reaper(self) -> None:
        if self.config.env != "docker" or (self._reaper is not None and not self._reaper.done()):
            return
        self._reaper = asyncio.create_task(self._reap_forever(), name="polos-sandbox-reaper")

    async def _reap_forever(self) -> None:
        docker = self.config.docker
        assert docker is not None
        while True:
            with contextlib.suppress(Exception):
                removed = await reap_containers(
                    idle_timeout=docker.idle_timeout, max_age=docker.max_age
                )
                if removed:
                    log.info("removed %d stale sandbox containers", len(removed))
            await asyncio.sleep(REAP_EVERY_SECONDS)

    async def approve_exec(self, ctx: WorkflowContext, command: str, *, tool_name: str) -> None:
        """Suspend for a person's approval when the policy asks for it; raise a
        :class:`ToolError` with the denial."""
        scope = session_of(ctx) or ctx.run_id
        remembered = await ctx.step.run("allowed", approval_grants, ctx, f"exec:{scope}")
        if self.environments.exec_decision(command, remembered=remembered) == "allow":
            return
        key = command_key(command)
        answer = await ctx.step.suspend(
            "approve",
            timeout=approval_timeout(ctx),
            data={
                "kind": "exec",
                "tool": tool_name,
                "command": command,
                "cwd": str(self.config.local.cwd) if self.config.local else None,
                "always_allow_key": key,
            },
        )
        if answer.get("expired"):
            raise ToolError("nobody approved this command in time; it was not run")
        decision = answer.get("data") or {}
        if not (isinstance(decision, dict) and decision.get("approved")):
            who = answer.get("by") or "a reviewer"
            reason = (decision.get("reason") if isinstance(decision, dict) else None) or "no reason"
            raise ToolError(f"denied by {who}: {reason}")
        if decision.get("always"):
            await ctx.step.run(
                "remember", grant_approval, ctx, f"exec:{scope}", key, answer.get("by")
            )


def sandbox_tools(config: SandboxToolsConfig | None = None, *, prefix: str = "") -> list[Tool]:
    """Six tools that share one environment: ``exec``, ``read``, ``write``, ``edit``,
    ``glob`` and ``grep`` (each name preceded by ``prefix``, so one agent can hold two sets,
    e.g. a container's and ``host_`` ones).

    With ``env="docker"`` every conversation (``scope="session"``) or run (``"run"``) gets a
    hardened container; with ``env="local"`` commands run on the host in ``local.cwd``, each
    behind a person's approval by default. Each call is a durable step: after a crash a
    completed command is not run again.

    Example::

        tools = sandbox_tools(SandboxToolsConfig(
            env="docker",
            scope="session",
            docker=DockerEnvironmentConfig(image="node:20-slim"),
        ))
    """
    state = _SandboxTools(config or SandboxToolsConfig())

    @tool(
        name=f"{prefix}exec", description="Run a shell command in the workspace and see its output."
    )
    async def exec_tool(ctx: WorkflowContext, input: ExecInput) -> str:
        env = await state.environment(ctx)
        await state.approve_exec(ctx, input.command, tool_name=f"{prefix}exec")
        timeout = state.environments.exec_timeout(input.timeout)
        return render_exec(await env.exec(input.command, timeout=timeout, cwd=input.cwd))

    @tool(name=f"{prefix}read", description="Read a text file, with line numbers.")
    async def read_tool(ctx: WorkflowContext, input: ReadInput) -> str:
        env = await state.environment(ctx)
        return render_read(await env.read(input.path, offset=input.offset, limit=input.limit))

    @tool(
        name=f"{prefix}write",
        description="Create or overwrite a file (parent folders are created).",
    )
    async def write_tool(ctx: WorkflowContext, input: WriteInput) -> str:
        env = await state.environment(ctx)
        result = await env.write(input.path, input.content)
        verb = "created" if result.created else "overwrote"
        return f"{verb} {result.path} ({result.bytes_written} bytes)"

    @tool(name=f"{prefix}edit", description="Replace an exact, unique piece of text in a file.")
    async def edit_tool(ctx: WorkflowContext, input: EditInput) -> str:
        env = await state.environment(ctx)
        result = await env.edit(input.path, input.old, input.new, replace_all=input.replace_all)
        return render_edit(result)

    @tool(name=f"{prefix}glob", description="List files matching a glob pattern, sorted.")
    async def glob_tool(ctx: WorkflowContext, input: GlobInput) -> str:
        env = await state.environment(ctx)
        return render_glob(await env.glob(input.pattern, path=input.path))

    @tool(name=f"{prefix}grep", description="Search file contents with a regular expression.")
    async def grep_tool(ctx: WorkflowContext, input: GrepInput) -> str:
        env = await state.environment(ctx)
        result = await env.grep(
            input.pattern,
            path=input.path,
            glob=input.glob,
            mode=input.mode,
            ignore_case=input.ignore_case,
        )
        return render_grep(result)

    return [exec_tool, read_tool, write_tool, edit_tool, glob_tool, grep_tool]
