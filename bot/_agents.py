"""The agents the bot offers: built-in ones and those of the user's module."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from agents import Agent, UserError
from sandbox import (
    DockerEnvironmentConfig,
    LocalEnvironmentConfig,
    SandboxToolsConfig,
    sandbox_tools,
)

ASSISTANT_PROMPT = (
    "You are polos, a helpful assistant in a Slack workspace. Answer clearly and briefly; "
    "use Markdown."
)
CODING_PROMPT = (
    "You are a coding assistant working in a sandbox. Use the tools to write, run and check "
    "code in /workspace; use host_exec only for commands that must run on the host (each one "
    "needs a person's approval). Report what you did and what you found."
)


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """Which provider and model the built-in agents use."""

    provider: str
    model: str
    api_key: str | None = None
    base_url: str | None = None


def builtin_agents(choice: ModelChoice, *, sandbox_image: str, host_cwd: Path) -> list[Agent]:
    """``assistant`` (general) and ``coding_agent`` (a Docker sandbox per thread, plus
    ``host_exec`` on the host behind approval)."""
    options = {
        "provider": choice.provider,
        "model": choice.model,
        "api_key": choice.api_key,
        "base_url": choice.base_url,
    }
    container = sandbox_tools(
        SandboxToolsConfig(
            env="docker", scope="session", docker=DockerEnvironmentConfig(image=sandbox_image)
        )
    )
    host = sandbox_tools(
        SandboxToolsConfig(env="local", local=LocalEnvironmentConfig(cwd=host_cwd)),
        prefix="host_",
    )
    host_exec = [t for t in host if t.name == "host_exec"]
    return [
        Agent(
            id="assistant",
            system_prompt=ASSISTANT_PROMPT,
            description="a general assistant",
            **options,  # type: ignore[arg-type]
        ),
        Agent(
            id="coding_agent",
            system_prompt=CODING_PROMPT,
            tools=[*container, *host_exec],
            description="writes and runs code in a sandbox",
            **options,  # type: ignore[arg-type]
        ),
    ]


def agents_of_module(module_name: str) -> list[Agent]:
    """Every :class:`Agent` defined at the top level of ``module_name``."""
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UserError(
            f"cannot import the agents module {module_name!r} (POLOS_AGENTS): {exc}"
        ) from None
    found = [value for value in vars(module).values() if isinstance(value, Agent)]
    if not found:
        raise UserError(f"module {module_name!r} (POLOS_AGENTS) defines no Agent")
    return found


class AgentDirectory:
    """The agents by id; later ones replace earlier ones with the same id (so a user's
    module can override a built-in)."""

    def __init__(self, agents: Iterable[Agent], *, default: str) -> None:
        self._agents = {agent.id: agent for agent in agents}
        if default not in self._agents:
            raise UserError(
                f"the default agent {default!r} (POLOS_DEFAULT_AGENT) is not one of: "
                f"{', '.join(self.ids)}"
            )
        self.default = default

    @property
    def ids(self) -> list[str]:
        """Agent ids, sorted."""
        return sorted(self._agents)

    def get(self, agent_id: str) -> Agent | None:
        """The agent with that id, if any."""
        return self._agents.get(agent_id)

    def __iter__(self) -> Iterator[Agent]:
        return iter(self._agents.values())

    def describe(self) -> str:
        """One line an agent, for help texts."""
        return "\n".join(
            f"• `@{agent.id}`: {agent.description[:120] or agent.model}"
            + (" (default)" if agent.id == self.default else "")
            for agent in self._agents.values()
        )
