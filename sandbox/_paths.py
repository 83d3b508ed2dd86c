"""Workspace paths: turn what the model wrote into an absolute path inside the workspace.

This is the lexical half of confinement (``..`` and absolute paths elsewhere); each
environment then resolves symlinks where the files live (``realpath`` in the container,
``os.path.realpath`` on the host) and checks the result with :func:`inside`.
"""

from __future__ import annotations

import posixpath

from sandbox._errors import SandboxToolError


def inside(workspace: str, path: str) -> bool:
    """Whether absolute ``path`` is the workspace or below it."""
    return path == workspace or path.startswith(workspace.rstrip("/") + "/")


def outside_message(path: str, workspace: str) -> str:
    """What the model reads when a path leaves the workspace."""
    return (
        f"{path!r} is outside the workspace {workspace}. Use a path relative to the "
        f"workspace (like 'src/app.py') or an absolute path under {workspace}."
    )


def resolve(workspace: str, path: str | None) -> str:
    """Absolute, normalised path for ``path`` (the workspace itself when ``None``/empty)."""
    if path is None or not path.strip():
        return workspace
    if "\x00" in path:
        raise SandboxToolError("a path must not contain a NUL character")
    joined = posixpath.normpath(posixpath.join(workspace, path))
    if not inside(workspace, joined):
        raise SandboxToolError(outside_message(path, workspace))
    return joined


def relative(workspace: str, path: str) -> str:
    """``path`` relative to the workspace, ``.`` for the workspace itself."""
    return posixpath.relpath(path, workspace)
