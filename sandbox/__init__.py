"""Sandbox tools: exec, read, write, edit, glob and grep over a Docker container or the host.

Public names are imported here explicitly; the implementation lives in ``_private`` modules.
"""

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
from sandbox._tools import sandbox_tools

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
    "sandbox_tools",
]
