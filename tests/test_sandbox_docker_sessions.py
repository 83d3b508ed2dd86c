"""Session containers: labelled, hardened, found again after a restart, reaped when stale."""

from __future__ import annotations

import time
import uuid
from typing import Any

import docker
import pytest

from sandbox._config import DockerEnvironmentConfig
from sandbox._docker import DockerEnvironment
from sandbox._docker_session import LABEL_SESSION, MANAGED_BY
from sandbox._reaper import reap_containers

pytestmark = pytest.mark.docker


async def test_container_is_labelled_and_hardened(
    docker_api: Any, docker_config: DockerEnvironmentConfig
) -> None:
    session = f"C1/{uuid.uuid4()}"
    env = await DockerEnvironment.for_session(session, docker_config, client=docker_api)
    try:
        attrs = docker_api.containers.get(env.container_id).attrs
        labels, host = attrs["Config"]["Labels"], attrs["HostConfig"]
        assert labels[MANAGED_BY] == "polos" and labels[LABEL_SESSION] == session
        assert {"polos.created-at", "polos.config-hash"} <= labels.keys()
        assert host["CapDrop"] == ["ALL"] and host["SecurityOpt"] == ["no-new-privileges"]
        assert host["ReadonlyRootfs"] is True and host["Init"] is True
        assert host["NetworkMode"] == "none" and host["PidsLimit"] == 64
        assert host["Memory"] == 64 * 1024**2 and host["NanoCpus"] == 10**9
        assert attrs["Config"]["User"] == "1000:1000"
        assert attrs["Config"]["Entrypoint"] == ["sleep"] and attrs["Config"]["Cmd"] == ["86400"]
    finally:
        await env.destroy()


async def test_session_container_is_found_again_after_a_restart(
    docker_config: DockerEnvironmentConfig,
) -> None:
    session = f"thread-{uuid.uuid4()}"
    first = await DockerEnvironment.for_session(session, docker_config, client=docker.from_env())
    try:
        await first.write("notes.md", "remember me")
        # A new process: a new client, nothing shared with the first environment object.
        again = await DockerEnvironment.for_session(
            session, docker_config, client=docker.from_env()
        )
        assert again.container_id == first.container_id
        assert (await again.read("notes.md")).content == "     1\tremember me"
    finally:
        await first.destroy()


async def test_a_stopped_session_container_is_started_again(
    docker_api: Any, docker_config: DockerEnvironmentConfig
) -> None:
    session = f"thread-{uuid.uuid4()}"
    env = await DockerEnvironment.for_session(session, docker_config, client=docker_api)
    try:
        await env.write("kept.txt", "still here")
        docker_api.containers.get(env.container_id).stop(timeout=1)
        again = await DockerEnvironment.for_session(session, docker_config, client=docker_api)
        assert again.container_id == env.container_id
        assert (await again.exec("cat kept.txt", timeout=30)).stdout == "still here"
    finally:
        await env.destroy()


async def test_an_operation_recreates_a_container_removed_under_it(
    docker_api: Any, docker_config: DockerEnvironmentConfig
) -> None:
    env = await DockerEnvironment.for_session(f"t-{uuid.uuid4()}", docker_config, client=docker_api)
    try:
        assert (await env.exec("echo first", timeout=30)).stdout == "first\n"
        old = env.container_id
        docker_api.containers.get(old).remove(force=True)
        result = await env.exec("echo back", timeout=30)
        assert result.stdout == "back\n"
        assert env.container_id != old
    finally:
        await env.destroy()


async def test_each_run_gets_its_own_container(
    docker_api: Any, docker_config: DockerEnvironmentConfig
) -> None:
    one = await DockerEnvironment.for_run(f"run-{uuid.uuid4()}", docker_config, client=docker_api)
    two = await DockerEnvironment.for_run(f"run-{uuid.uuid4()}", docker_config, client=docker_api)
    try:
        await one.write("only-in-one.txt", "1")
        assert one.container_id != two.container_id
        assert (await two.glob("*.txt")).paths == []
    finally:
        await one.destroy()
        await two.destroy()


async def test_reaper_removes_idle_containers_and_their_volumes(
    docker_api: Any, docker_config: DockerEnvironmentConfig, test_label: str
) -> None:
    env = await DockerEnvironment.for_session(f"t-{uuid.uuid4()}", docker_config, client=docker_api)
    await env.exec("true", timeout=30)
    container = docker_api.containers.get(env.container_id)
    volume = container.labels["polos.volume"]
    removed = await reap_containers(
        idle_timeout=60, labels={"polos-test": test_label}, client=docker_api, now=time.time() + 120
    )
    assert removed == [container.name]
    with pytest.raises(docker.errors.NotFound):
        docker_api.containers.get(env.container_id)
    with pytest.raises(docker.errors.NotFound):
        docker_api.volumes.get(volume)


async def test_reaper_keeps_recently_used_containers(
    docker_api: Any, docker_config: DockerEnvironmentConfig, test_label: str
) -> None:
    env = await DockerEnvironment.for_session(f"t-{uuid.uuid4()}", docker_config, client=docker_api)
    try:
        await env.exec("true", timeout=30)
        removed = await reap_containers(
            idle_timeout=60, labels={"polos-test": test_label}, client=docker_api
        )
        assert removed == []
        assert docker_api.containers.get(env.container_id).status == "running"
    finally:
        await env.destroy()


async def test_reaper_removes_containers_past_their_maximum_age(
    docker_api: Any, docker_config: DockerEnvironmentConfig, test_label: str
) -> None:
    config = docker_config.model_copy(update={"max_age": 600})
    env = await DockerEnvironment.for_session(f"t-{uuid.uuid4()}", config, client=docker_api)
    name = docker_api.containers.get(env.container_id).name
    await env.exec("true", timeout=30)
    removed = await reap_containers(
        labels={"polos-test": test_label}, client=docker_api, now=time.time() + 601
    )
    assert name in removed
    with pytest.raises(docker.errors.NotFound):
        docker_api.containers.get(env.container_id)


async def test_reaper_measures_idle_time_from_the_last_use(
    docker_api: Any, docker_config: DockerEnvironmentConfig, test_label: str
) -> None:
    env = await DockerEnvironment.for_session(f"t-{uuid.uuid4()}", docker_config, client=docker_api)
    try:
        later = int(time.time()) + 100
        # As if the last operation happened 100 s from now: created long before "now" below,
        # but used recently, so it must stay.
        await env.exec(f"touch -d @{later} /tmp/.polos-last-used", timeout=30)
        removed = await reap_containers(
            idle_timeout=60, labels={"polos-test": test_label}, client=docker_api, now=later + 20
        )
        assert removed == []
    finally:
        await env.destroy()


async def test_reaper_removes_workspace_volumes_left_without_a_container(
    docker_api: Any, test_label: str
) -> None:
    created = time.time()
    labels = {"managed-by": "polos", "polos.created-at": f"{created}", "polos-test": test_label}
    volume = docker_api.volumes.create(name=f"polos-orphan-{uuid.uuid4().hex[:8]}", labels=labels)
    selector = {"polos-test": test_label}
    await reap_containers(labels=selector, client=docker_api, now=created + 5)
    assert docker_api.volumes.get(volume.name)  # too young: its container may be on its way
    await reap_containers(labels=selector, client=docker_api, now=created + 3600)
    with pytest.raises(docker.errors.NotFound):
        docker_api.volumes.get(volume.name)
