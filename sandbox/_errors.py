"""Errors raised by the sandbox layer.

Hierarchy::

    agents._errors.PolosError
     └── SandboxError                 root of everything ``sandbox`` raises on purpose
          ├── SandboxToolError        the model asked for something that cannot be done
          │                           (file not found, no unique match, path outside the
          │                           workspace); the message is written for the model
          └── SandboxUnavailableError the environment itself is broken (Docker daemon not
                                      reachable, image missing); the message is for the developer

A tool returns a ``SandboxToolError`` to the model as the tool's error so it can correct its
call; a ``SandboxUnavailableError`` fails the step like any infrastructure error.
"""

from __future__ import annotations

from agents._errors import PolosError, ToolError


class SandboxError(PolosError):
    """Root of the errors raised by the sandbox layer."""


class SandboxToolError(SandboxError, ToolError):
    """A tool call the model can correct: the message tells it what went wrong and what to do."""


class SandboxUnavailableError(SandboxError):
    """The environment cannot be used: the message tells the developer how to fix it."""
