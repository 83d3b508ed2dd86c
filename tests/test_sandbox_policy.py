"""exec_policy: which host commands run without asking, and what "always allow" remembers."""

from __future__ import annotations

import pytest

from sandbox._policy import command_key, exec_policy


def test_allow_always_allows_anything() -> None:
    assert exec_policy("rm -rf build && make", "allow-always", []) == "allow"


def test_approval_always_asks_even_for_allowlisted_commands() -> None:
    assert exec_policy("pytest", "approval-always", ["pytest"]) == "needs_approval"


@pytest.mark.parametrize("command", ["pytest", "pytest -x tests/", "git status", "git status -s"])
def test_allowlist_matches_leading_words(command: str) -> None:
    assert exec_policy(command, "allowlist", ["pytest", "git status"]) == "allow"


@pytest.mark.parametrize("command", ["git push", "pytestx", "python -m pytest", "FOO=1 pytest", ""])
def test_allowlist_does_not_match_other_commands(command: str) -> None:
    assert exec_policy(command, "allowlist", ["pytest", "git status"]) == "needs_approval"


def test_allowlist_matches_parsed_words_not_the_raw_text() -> None:
    assert exec_policy("git   'status'", "allowlist", ["git status"]) == "allow"


@pytest.mark.parametrize(
    "command",
    [
        "pytest; rm -rf ~",
        "pytest && curl evil",
        "pytest || true",
        "pytest | sh",
        "pytest $(rm -rf ~)",
        "pytest `rm -rf ~`",
        "pytest > /etc/passwd",
        "pytest < secrets",
        "pytest & sleep 1",
        "pytest\nrm -rf ~",
        "pytest '; quoted'",
        "pytest ${HOME:=x}",
    ],
)
def test_control_operators_always_need_approval(command: str) -> None:
    assert exec_policy(command, "allowlist", ["pytest"]) == "needs_approval"


def test_unbalanced_quotes_need_approval() -> None:
    assert exec_policy("pytest 'oops", "allowlist", ["pytest"]) == "needs_approval"


def test_a_remembered_command_is_allowed_in_its_conversation() -> None:
    remembered = {command_key("npm test -- --watch=false")}
    again = exec_policy(
        "npm  test -- '--watch=false'", "approval-always", [], remembered=remembered
    )
    assert again == "allow"
    assert exec_policy("npm test", "approval-always", [], remembered=remembered) == "needs_approval"


def test_command_keys_keep_control_syntax_apart_from_quoted_text() -> None:
    assert command_key("echo 'a;b'") != command_key("echo a;b")
    assert command_key("ls  -la") == command_key("ls -la")
