"""What the tool layer holds: the environment for a tool call, opened once and reused.

Example (inside a tool, ``ctx`` giving the run id and the conversation)::

    environments = SandboxEnvironments(config)          # once, in sandbox_tools()
    env = await environments.get(run_id=ctx.run_id, session_id=thread_key)
    if environments.exec_decision(command, remembered=keys) == "needs_approval":
        ...  # suspend the run and ask; remember command_key(command) on "always allow"
    result = await env.exec(command, timeout=environments.exec_timeout(requested))
    ...
    await environments.release_run(ctx.run_id)           # when the run ends
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any

from sandbox._config import SandboxToolsConfig
from sandbox._docker import DockerEnvironment
from sandbox._environment import Environment
from sandbox._local import LocalEnvironment
from sandbox._policy import ExecDecision, exec_policy


class SandboxEnvironments:
    """Opens (and caches per process) the environment of each session or run.

    Docker, ``scope="session"``: one container per ``session_id``, found again by any
    process; without a ``session_id`` the run gets its own. ``scope="run"``: one per run,
    removed by :meth:`release_run`. Local: the one configured folder for everything.
    """

    def __init__(self, config: SandboxToolsConfig, *, docker_client: Any = None) -> None:
        self.config = config
        self._docker_client = docker_client
        self._open: dict[tuple[str, str], Environment] = {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._local: LocalEnvironment | None = None

    def exec_timeout(self, requested: float | None = None) -> float:
        """The timeout for one command: what was asked for, never above ``exec_timeout``."""
        limit = float(self.config.exec_timeout)
        return limit if requested is None or requested <= 0 else min(requested, limit)

    def exec_decision(self, command: str, *, remembered: Collection[str] = ()) -> ExecDecision:
        """Whether ``command`` may run now: always in Docker; by the approval policy locally."""
        if self.config.env == "docker" or self.config.local is None:
            return "allow"
        local = self.config.local
        return exec_policy(command, local.exec_security, local.allowlist, remembered=remembered)

    def _key(self, run_id: str, session_id: str | None) -> tuple[str, str]:
        if self.config.scope == "session" and session_id:
            return "session", session_id
        return "run", run_id

    async def get(self, *, run_id: str, session_id: str | None = None) -> Environment:
        """The environment a tool call of this run works in (created on first use)."""
        if self.config.env == "local":
            if self._local is None:
                assert self.config.local is not None
                self._local = LocalEnvironment(
                    self.config.local, output_limit=self.config.output_limit
                )
            return self._local
        key = self._key(run_id, session_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:  # concurrent tool calls of one run open one container
            if key not in self._open:
                assert self.config.docker is not None
                self._open[key] = await DockerEnvironment.open(
                    self.config.docker,
                    scope=key[0],
                    key=key[1],
                    output_limit=self.config.output_limit,
                    client=self._docker_client,
                )
            return self._open[key]

    async def release_run(self, run_id: str) -> None:
        """Remove the run's own container, if it has one (session containers stay)."""
        env = self._open.pop(("run", run_id), None)
        self._locks.pop(("run", run_id), None)
        if isinstance(env, DockerEnvironment):
            await env.destroy()

    async def close(self) -> None:
        """Close the shell channels this process holds (containers stay for their sessions)."""
        for env in list(self._open.values()):
            await env.close()
        self._open.clear()
