"""Configuration of the sandbox tools: which environment, how it is scoped, and its limits.

Every model is frozen and forbids unknown fields, so a typo in a setting is an error at
start-up rather than a silently ignored option.

Example::

    SandboxToolsConfig(
        env="docker",
        scope="session",
        docker=DockerEnvironmentConfig(image="node:20-slim"),
    )
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ExecSecurity = Literal["approval-always", "allowlist", "allow-always"]

_MEMORY = re.compile(r"^[1-9][0-9]*[kmg]?$", re.IGNORECASE)
_USER = re.compile(r"^[0-9]+:[0-9]+$")
_NETWORK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def memory_bytes(value: str) -> int:
    """Bytes in a Docker memory string such as ``"512m"``."""
    unit = value[-1].lower() if value[-1].isalpha() else ""
    number = value[:-1] if unit else value
    return int(number) * _UNITS[unit]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DockerEnvironmentConfig(_Frozen):
    """A hardened container per session (or per run).

    Defaults are the safe ones: no network, a read-only root with a small ``/tmp``, all
    capabilities dropped, a non-root numeric user, limits on processes, memory and CPU.
    ``user`` must be numeric (``"uid:gid"``) so the workspace can be given to it without
    looking inside the image.
    """

    image: str = Field(min_length=1, description="Image to run; must be present locally.")
    workdir: str = Field(default="/workspace", description="Workspace path inside the container.")
    network: str = Field(default="none", description='"none" (default), "bridge" or a network.')
    memory: str = Field(default="512m", description="Memory limit, e.g. 512m or 2g (no swap).")
    cpus: float = Field(default=1.0, gt=0, le=64)
    pids_limit: int = Field(default=256, ge=16, le=65536)
    user: str = Field(default="1000:1000", description='Numeric "uid:gid".')
    env: dict[str, str] = Field(default_factory=lambda: {"HOME": "/tmp"})
    tmp_size: str = Field(default="64m", description="Size of the /tmp tmpfs.")
    idle_timeout: int = Field(default=3600, ge=1, description="Seconds unused before reaping.")
    max_age: int = Field(default=86400, ge=1, description="Seconds after which it always ends.")
    labels: dict[str, str] = Field(default_factory=dict, description="Extra container labels.")

    @field_validator("workdir")
    @classmethod
    def _absolute_workdir(cls, value: str) -> str:
        normal = str(Path(value))
        if not value.startswith("/") or normal == "/" or ".." in Path(value).parts:
            raise ValueError("workdir must be an absolute path below / such as /workspace")
        return normal

    @field_validator("memory", "tmp_size")
    @classmethod
    def _memory_string(cls, value: str) -> str:
        if not _MEMORY.match(value):
            raise ValueError(f"{value!r} is not a size like 512m, 2g or 65536k")
        return value.lower()

    @field_validator("memory")
    @classmethod
    def _memory_minimum(cls, value: str) -> str:
        if memory_bytes(value) < 6 * 1024**2:
            raise ValueError("Docker needs at least 6m of memory")
        return value

    @field_validator("user")
    @classmethod
    def _numeric_user(cls, value: str) -> str:
        if not _USER.match(value):
            raise ValueError('user must be numeric "uid:gid", e.g. "1000:1000"')
        return value

    @field_validator("network")
    @classmethod
    def _network_name(cls, value: str) -> str:
        if value == "host":
            raise ValueError('network "host" would share the host network; use "bridge"')
        if not _NETWORK.match(value):
            raise ValueError(f"{value!r} is not a Docker network name")
        return value

    @property
    def uid(self) -> int:
        """The numeric user id commands run as."""
        return int(self.user.split(":")[0])

    @property
    def gid(self) -> int:
        """The numeric group id commands run as."""
        return int(self.user.split(":")[1])

    def config_hash(self) -> str:
        """A short digest of every setting that shapes the container (a label on it)."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]


class LocalEnvironmentConfig(_Frozen):
    """Commands and files on the host, confined to ``cwd``; commands need approval by default."""

    cwd: Path = Field(default_factory=Path.cwd, description="Directory the tools work in.")
    exec_security: ExecSecurity = "approval-always"
    allowlist: list[str] = Field(
        default_factory=list,
        description='Commands allowed without approval, matched on leading words: "pytest".',
    )

    @field_validator("cwd")
    @classmethod
    def _existing_directory(cls, value: Path) -> Path:
        resolved = value.expanduser().resolve()
        if not resolved.is_dir():
            raise ValueError(f"cwd {str(value)!r} is not an existing directory")
        return resolved

    @field_validator("allowlist")
    @classmethod
    def _non_empty_entries(cls, value: list[str]) -> list[str]:
        if any(not entry.strip() for entry in value):
            raise ValueError("allowlist entries must not be empty")
        return value


class SandboxToolsConfig(_Frozen):
    """What ``sandbox_tools()`` builds: the environment, its scope and the output limits.

    ``scope="session"`` shares one environment across the runs of a conversation (a Slack
    thread); ``scope="run"`` gives each run its own and removes it when the run ends.
    """

    env: Literal["docker", "local"] = "docker"
    scope: Literal["session", "run"] = "session"
    docker: DockerEnvironmentConfig | None = None
    local: LocalEnvironmentConfig | None = None
    exec_timeout: int = Field(default=120, ge=1, le=3600, description="Seconds per command.")
    output_limit: int = Field(
        default=30000, ge=1000, le=1_000_000, description="Bytes kept of stdout and of stderr."
    )

    @model_validator(mode="after")
    def _environment_given(self) -> SandboxToolsConfig:
        if self.env == "docker" and self.docker is None:
            raise ValueError(
                'env="docker" needs docker=DockerEnvironmentConfig(image=...) naming the image'
            )
        if self.env == "local" and self.local is None:
            object.__setattr__(self, "local", LocalEnvironmentConfig())
        return self
