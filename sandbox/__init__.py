"""Sandbox tools: exec, read, write, edit, glob and grep over a Docker container or the host.

Public names are imported here explicitly; the implementation lives in ``_private`` modules.
"""

from sandbox._public import (
    DockerEnvironment,
    DockerEnvironmentConfig,
    EditResult,
    Environment,
    ExecResult,
    GlobResult,
    GrepCount,
    GrepMatch,
    GrepResult,
    LocalEnvironment,
    LocalEnvironmentConfig,
    ReadResult,
    SandboxEnvironments,
    SandboxError,
    SandboxToolError,
    SandboxToolsConfig,
    SandboxUnavailableError,
    WriteResult,
    command_key,
    exec_policy,
    reap_containers,
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
