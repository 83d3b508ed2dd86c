"""SandboxEnvironments: the environment each tool call gets, by scope, with real containers."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import docker.errors
import pytest

from sandbox._config import DockerEnvironmentConfig, LocalEnvironmentConfig, SandboxToolsConfig
from sandbox._docker import DockerEnvironment
from sandbox._local import LocalEnvironment
from sandbox._provider import SandboxEnvironments


@pytest.mark.docker
async def test_runs_of_one_session_share_a_container(
    docker_api: Any, docker_config: DockerEnvironmentConfig
) -> None:
    config = SandboxToolsConfig(env="docker", scope="session", docker=docker_config)
    environments = SandboxEnvironments(config, docker_client=docker_api)
    session = f"thread-{uuid.uuid4()}"
    # Six tool calls at once, as the agent makes them, open a single container.
    opened = await asyncio.gather(
        *(environments.get(run_id=f"run-{i}", session_id=session) for i in range(6))
    )
    first = opened[0]
    assert isinstance(first, DockerEnvironment)
    try:
        assert all(env is first for env in opened)
        found = docker_api.containers.list(all=True, filters={"label": f"polos.session={session}"})
        assert [c.id for c in found] == [first.container_id]
    finally:
        await first.destroy()


@pytest.mark.docker
async def test_a_run_scoped_container_is_removed_when_the_run_is_released(
    docker_api: Any, docker_config: DockerEnvironmentConfig
) -> None:
    config = SandboxToolsConfig(env="docker", scope="run", docker=docker_config)
    environments = SandboxEnvironments(config, docker_client=docker_api)
    env = await environments.get(run_id=f"run-{uuid.uuid4()}", session_id="ignored")
    assert isinstance(env, DockerEnvironment)
    await environments.release_run(env.key)
    with pytest.raises(docker.errors.NotFound):
        docker_api.containers.get(env.container_id)


def test_docker_commands_need_no_approval() -> None:
    config = SandboxToolsConfig(docker=DockerEnvironmentConfig(image="x"))
    assert SandboxEnvironments(config).exec_decision("rm -rf / ; curl x | sh") == "allow"


async def test_local_commands_follow_the_approval_policy(tmp_path: Path) -> None:
    local = LocalEnvironmentConfig(cwd=tmp_path, exec_security="allowlist", allowlist=["ls"])
    folder = str(local.cwd)
    environments = SandboxEnvironments(SandboxToolsConfig(env="local", local=local))
    assert environments.exec_decision("ls -la") == "allow"
    assert environments.exec_decision("ls; rm x") == "needs_approval"
    env = await environments.get(run_id="r1", session_id="s1")
    assert isinstance(env, LocalEnvironment) and env.workspace == folder


def test_exec_timeout_never_exceeds_the_configured_limit() -> None:
    config = SandboxToolsConfig(docker=DockerEnvironmentConfig(image="x"), exec_timeout=60)
    environments = SandboxEnvironments(config)
    assert [environments.exec_timeout(t) for t in (None, 10, 600)] == [60, 10, 60]
