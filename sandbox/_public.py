"""The public names of ``sandbox`` (for ``sandbox/__init__.py`` and ``polos``)."""

from __future__ import annotations

from sandbox._config import DockerEnvironmentConfig, LocalEnvironmentConfig, SandboxToolsConfig
from sandbox._docker import DockerEnvironment
from sandbox._environment import Environment
from sandbox._errors import SandboxError, SandboxToolError, SandboxUnavailableError
from sandbox._local import LocalEnvironment
from sandbox._policy import command_key, exec_policy
from sandbox._provider import SandboxEnvironments
from sandbox._reaper import reap_containers
from sandbox._results import (
    EditResult,
    ExecResult,
    GlobResult,
    GrepCount,
    GrepMatch,
    GrepResult,
    ReadResult,
    WriteResult,
)

__all__ = [
    "DockerEnvironment",
    "DockerEnvironmentConfig",
    "EditResult",
    "Environment",
    "ExecResult",
    "GlobResult",
    "GrepCount",
    "GrepMatch",
    "GrepResult",
    "LocalEnvironment",
    "LocalEnvironmentConfig",
    "ReadResult",
    "SandboxEnvironments",
    "SandboxError",
    "SandboxToolError",
    "SandboxToolsConfig",
    "SandboxUnavailableError",
    "WriteResult",
    "command_key",
    "exec_policy",
    "reap_containers",
]
