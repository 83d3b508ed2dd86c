"""SandboxToolsConfig and the environment configs: the seed's example and clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from sandbox._config import DockerEnvironmentConfig, LocalEnvironmentConfig, SandboxToolsConfig


def test_the_seed_example_constructs_with_safe_defaults() -> None:
    config = SandboxToolsConfig(
        env="docker",
        scope="session",
        docker=DockerEnvironmentConfig(image="node:20-slim"),
    )
    assert config.docker is not None
    docker = config.docker
    assert (docker.workdir, docker.network, docker.memory, docker.user) == (
        "/workspace",
        "none",
        "512m",
        "1000:1000",
    )
    assert (docker.cpus, docker.pids_limit) == (1.0, 256)
    assert (config.exec_timeout, config.output_limit) == (120, 30000)


def test_local_defaults_to_approval_for_every_command(tmp_path: Path) -> None:
    config = SandboxToolsConfig(env="local", local=LocalEnvironmentConfig(cwd=tmp_path))
    assert config.local is not None
    assert config.local.exec_security == "approval-always"
    assert config.local.cwd == tmp_path.resolve()


def test_docker_without_an_image_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"needs docker=DockerEnvironmentConfig\(image"):
        SandboxToolsConfig(env="docker")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("memory", "lots", "not a size"),
        ("memory", "1m", "at least 6m"),
        ("user", "node", "numeric"),
        ("network", "host", "share the host network"),
        ("workdir", "relative/path", "absolute path"),
        ("pids_limit", 0, "greater than or equal"),
        ("cpus", 0, "greater than 0"),
    ],
)
def test_invalid_docker_settings_are_refused(field: str, value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DockerEnvironmentConfig(image="x", **{field: value})  # type: ignore[arg-type]


def test_unknown_settings_are_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        DockerEnvironmentConfig(image="x", memroy="1g")  # type: ignore[call-arg]


def test_a_missing_local_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="not an existing directory"):
        LocalEnvironmentConfig(cwd=tmp_path / "absent")


def test_invalid_exec_security_is_refused() -> None:
    with pytest.raises(ValidationError, match="approval-always"):
        LocalEnvironmentConfig(exec_security="sometimes")  # type: ignore[arg-type]


def test_the_config_hash_changes_with_the_settings() -> None:
    one = DockerEnvironmentConfig(image="x")
    assert one.config_hash() == DockerEnvironmentConfig(image="x").config_hash()
    assert one.config_hash() != DockerEnvironmentConfig(image="x", memory="1g").config_hash()
