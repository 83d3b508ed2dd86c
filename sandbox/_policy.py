"""Whether a host command may run without asking a human first.

The local environment runs commands on the host, so ``exec`` is gated: the tool layer asks
:func:`exec_policy` and suspends the run for approval when it answers ``"needs_approval"``.
The allowlist matches parsed words (``shlex``), never a glob over the raw string, and any
shell control syntax (``;``, ``&&``, ``|``, ``$(...)``, redirections, newlines...) always
needs approval, even inside quotes: what an allowlist entry allows is exactly one program
with its arguments.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Collection, Iterable
from typing import Literal

from sandbox._config import ExecSecurity

ExecDecision = Literal["allow", "needs_approval"]

_CONTROL = (";", "&", "|", "<", ">", "`", "$(", "${", "\n", "\r", "(", ")")


def has_control_syntax(command: str) -> bool:
    """Whether ``command`` holds anything beyond one simple command with arguments."""
    return any(token in command for token in _CONTROL)


def _words(command: str) -> list[str] | None:
    try:
        return shlex.split(command)
    except ValueError:  # unbalanced quotes
        return None


def command_key(command: str) -> str:
    """A normalised key for "always allow this command in this conversation".

    Simple commands are keyed by their words, so spacing and quoting that do not change
    the command do not change the key; anything with control syntax is keyed by its exact
    text, so approving it never approves a different command that happens to split alike.
    """
    words = None if has_control_syntax(command) else _words(command)
    if words:
        return "argv:" + json.dumps(words)
    return "raw:" + command.strip()


def matches_allowlist(command: str, allowlist: Iterable[str]) -> bool:
    """Whether ``command`` is a simple command whose leading words equal an allowlist entry."""
    if has_control_syntax(command):
        return False
    words = _words(command)
    if not words:
        return False
    for entry in allowlist:
        expected = _words(entry)
        if expected and words[: len(expected)] == expected:
            return True
    return False


def exec_policy(
    command: str,
    security: ExecSecurity,
    allowlist: Iterable[str],
    *,
    remembered: Collection[str] = (),
) -> ExecDecision:
    """Decide whether a host command runs now or waits for a human's approval.

    Args:
        command: the shell command the model wants to run.
        security: ``"allow-always"`` runs everything; ``"approval-always"`` asks every time;
            ``"allowlist"`` runs commands matching ``allowlist`` and asks for the rest.
        allowlist: entries such as ``"pytest"`` or ``"git status"``, matched on leading words.
        remembered: :func:`command_key` values a human chose to always allow in this
            conversation; they are honoured under ``"approval-always"`` and ``"allowlist"``.

    Example::

        exec_policy("pytest -x tests", "allowlist", ["pytest"])          # "allow"
        exec_policy("pytest; rm -rf ~", "allowlist", ["pytest"])         # "needs_approval"
    """
    if security == "allow-always":
        return "allow"
    if command_key(command) in remembered:
        return "allow"
    if security == "allowlist" and matches_allowlist(command, allowlist):
        return "allow"
    return "needs_approval"
