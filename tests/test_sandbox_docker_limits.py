"""Hardening and limits of the Docker environment: each test proves one wall holds."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import docker
import pytest

from sandbox._config import DockerEnvironmentConfig
from sandbox._docker import DockerEnvironment
from sandbox._errors import SandboxToolError, SandboxUnavailableError

pytestmark = pytest.mark.docker


@pytest.fixture
async def env(docker_api: Any, docker_config: DockerEnvironmentConfig) -> AsyncIterator[Any]:
    environment = await DockerEnvironment.for_run(
        f"limits-{uuid.uuid4()}", docker_config, client=docker_api, output_limit=2000
    )
    yield environment
    await environment.destroy()


async def _gone(env: DockerEnvironment, pid_file: str) -> bool:
    """Whether the process in ``pid_file`` is gone (a signal lands a moment after it is sent)."""
    wait = f"p=$(cat {pid_file}); for i in $(seq 100); do kill -0 $p || exit 0; sleep 0.05; done"
    result = await env.exec(wait + "; exit 1", timeout=30)
    return result.exit_code == 0


async def test_network_is_unreachable(env: DockerEnvironment) -> None:
    result = await env.exec("nc -w 3 1.1.1.1 80 </dev/null", timeout=30)
    assert result.exit_code != 0
    assert "unreachable" in result.stderr.lower()
    routes = await env.exec("cat /proc/net/route", timeout=30)
    assert routes.stdout.strip().count("\n") == 0  # the header line only: no route anywhere


async def test_root_filesystem_is_read_only(env: DockerEnvironment) -> None:
    result = await env.exec("echo x > /etc/polos-test", timeout=30)
    assert result.exit_code != 0
    assert "read-only file system" in result.stderr.lower()


@pytest.mark.parametrize("path", ["../outside.txt", "/etc/polos.txt", "/tmp/x.txt"])
async def test_write_outside_the_workspace_is_refused(env: DockerEnvironment, path: str) -> None:
    with pytest.raises(SandboxToolError, match="outside the workspace"):
        await env.write(path, "x")


@pytest.mark.parametrize(
    "path", ["../../etc/passwd", "/etc/passwd", "sub/../../etc/passwd", "etc-link/passwd"]
)
async def test_read_outside_the_workspace_is_refused(env: DockerEnvironment, path: str) -> None:
    await env.exec("ln -s /etc etc-link", timeout=30)
    with pytest.raises(SandboxToolError, match="outside the workspace"):
        await env.read(path)


async def test_symlink_to_etc_cannot_be_written_or_searched(env: DockerEnvironment) -> None:
    await env.exec("ln -s /etc etc-link && ln -s /etc/passwd pw", timeout=30)
    with pytest.raises(SandboxToolError, match="resolves to /etc"):
        await env.write("etc-link/evil", "x")
    with pytest.raises(SandboxToolError, match="resolves to /etc/passwd"):
        await env.edit("pw", "root", "toor")
    with pytest.raises(SandboxToolError, match="outside the workspace"):
        await env.grep("root", path="etc-link")
    with pytest.raises(SandboxToolError, match="outside the workspace"):
        await env.glob("*", path="etc-link")


async def test_exec_cwd_outside_the_workspace_is_refused(env: DockerEnvironment) -> None:
    with pytest.raises(SandboxToolError, match="outside the workspace"):
        await env.exec("ls", timeout=30, cwd="/etc")


async def test_fork_bomb_is_stopped_by_the_pids_limit(env: DockerEnvironment) -> None:
    bomb = "bomb() { bomb | bomb & }; bomb; sleep 2"
    result = await env.exec(bomb, timeout=20)
    assert "can't fork" in result.stderr or "Resource temporarily unavailable" in result.stderr
    after = await env.exec("ls /proc | grep -c '^[0-9]'", timeout=30)
    assert after.exit_code == 0
    assert int(after.stdout) < 10  # init, sleep, this command: the bomb is gone


async def test_memory_hog_is_killed_and_reported_out_of_memory(env: DockerEnvironment) -> None:
    result = await env.exec("dd if=/dev/zero of=/dev/null bs=200M count=1", timeout=60)
    assert result.exit_code == 137
    assert result.out_of_memory is True
    assert "out of memory" in result.stderr


async def test_a_killed_command_is_not_mistaken_for_out_of_memory(env: DockerEnvironment) -> None:
    hog = await env.exec("dd if=/dev/zero of=/dev/null bs=200M count=1", timeout=60)
    assert hog.out_of_memory is True  # the container has seen an OOM kill before...
    result = await env.exec("kill -KILL $$", timeout=30)  # ...but not during this one
    assert result.exit_code == 137
    assert result.out_of_memory is False


async def test_timeout_kills_the_command_and_its_children(env: DockerEnvironment) -> None:
    command = "sleep 300 & echo $! > /tmp/child.pid; sleep 300"
    result = await env.exec(command, timeout=1)
    assert result.timed_out is True
    assert result.exit_code == 124
    assert await _gone(env, "/tmp/child.pid")
    survivors = await env.exec("ps -o args | grep -c '^sleep 300'", timeout=30)
    assert survivors.stdout.strip() == "0"


async def test_background_processes_end_with_their_command(env: DockerEnvironment) -> None:
    await env.exec("sleep 300 & echo $! > /tmp/bg.pid", timeout=30)
    assert await _gone(env, "/tmp/bg.pid")


async def test_ten_megabytes_of_output_are_capped_keeping_head_and_tail(
    env: DockerEnvironment,
) -> None:
    command = "echo START; head -c 10000000 /dev/zero | tr '\\0' x; echo; echo END"
    result = await env.exec(command, timeout=60)
    assert result.exit_code == 0
    assert result.stdout.startswith("START\n")
    assert result.stdout.endswith("x\nEND\n")
    assert len(result.stdout) < 2000 + 200
    assert result.stdout_cut_bytes == 6 + 10_000_001 + 4 - 2000
    assert f"{result.stdout_cut_bytes:,} bytes of output cut" in result.stdout


async def test_a_user_other_than_the_image_owner_can_write_the_workspace(
    docker_api: Any, docker_config: DockerEnvironmentConfig
) -> None:
    config = docker_config.model_copy(update={"user": "1234:1234"})
    env = await DockerEnvironment.for_run(f"owner-{uuid.uuid4()}", config, client=docker_api)
    try:
        await env.write("mine.txt", "x")
        result = await env.exec("stat -c %u:%g /workspace mine.txt; id -u", timeout=30)
        assert result.stdout == "1234:1234\n1234:1234\n1234\n"
    finally:
        await env.destroy()


async def test_missing_image_says_how_to_get_it(
    docker_api: Any, docker_config: DockerEnvironmentConfig
) -> None:
    config = docker_config.model_copy(update={"image": "polos-test-absent:nope"})
    with pytest.raises(SandboxUnavailableError, match="docker pull polos-test-absent:nope"):
        await DockerEnvironment.for_run(f"absent-{uuid.uuid4()}", config, client=docker_api)


async def test_unreachable_daemon_says_how_to_start_it(
    docker_config: DockerEnvironmentConfig, tmp_path: Any
) -> None:
    client = docker.DockerClient(base_url=f"unix://{tmp_path}/no.sock", version="1.41")
    with pytest.raises(SandboxUnavailableError, match="Cannot reach the Docker daemon"):
        await DockerEnvironment.for_run("nowhere", docker_config, client=client)


async def test_an_image_without_a_shell_is_refused_clearly(
    docker_api: Any,
    docker_config: DockerEnvironmentConfig,
    image_without_shell: str,
    test_label: str,
) -> None:
    config = docker_config.model_copy(update={"image": image_without_shell})
    with pytest.raises(SandboxUnavailableError, match=r"cannot host the sandbox: it needs /bin/sh"):
        await DockerEnvironment.for_run(f"bare-{uuid.uuid4()}", config, client=docker_api)
    left = docker_api.containers.list(all=True, filters={"label": f"polos-test={test_label}"})
    assert [c for c in left if c.image.tags == [image_without_shell]] == []


async def test_a_command_that_kills_its_shell_runs_once(env: DockerEnvironment) -> None:
    # The command's parent is the request's shell; its parent is the channel's shell.
    command = "echo once >> /tmp/count; kill -9 $(cut -d' ' -f4 /proc/$PPID/stat); sleep 1"
    result = await env.exec(command, timeout=30)
    assert result.exit_code is None
    assert "the command was not run again" in result.stderr
    assert (await env.exec("cat /tmp/count", timeout=30)).stdout == "once\n"
