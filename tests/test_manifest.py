"""The deploy files: the Slack app manifest, the Dockerfile and .dockerignore."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BOT_SCOPES = {
    "app_mentions:read",
    "assistant:write",
    "channels:history",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "im:history",
    "im:read",
    "im:write",
    "reactions:write",
    "users:read",
}
BOT_EVENTS = {"app_mention", "message.channels", "message.groups", "message.im"}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def test_manifest_uses_schema_version_one(manifest: dict[str, Any]) -> None:
    assert manifest["_metadata"]["major_version"] == 1


def test_manifest_has_a_bot_user(manifest: dict[str, Any]) -> None:
    assert manifest["features"]["bot_user"]["display_name"] == "polos"


def test_manifest_asks_exactly_for_the_bot_scopes(manifest: dict[str, Any]) -> None:
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert set(scopes) == BOT_SCOPES and len(scopes) == len(BOT_SCOPES)


def test_manifest_subscribes_to_mentions_and_messages(manifest: dict[str, Any]) -> None:
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == BOT_EVENTS


def test_manifest_turns_interactivity_on(manifest: dict[str, Any]) -> None:
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_manifest_turns_socket_mode_on(manifest: dict[str, Any]) -> None:
    assert manifest["settings"]["socket_mode_enabled"] is True


def test_manifest_declares_the_polos_slash_command(manifest: dict[str, Any]) -> None:
    commands = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands] == ["/polos"]
    assert all(c["description"] for c in commands)


def test_manifest_in_socket_mode_needs_no_request_url(manifest: dict[str, Any]) -> None:
    assert "request_url" not in manifest["settings"]["event_subscriptions"]
    assert "request_url" not in manifest["settings"]["interactivity"]


def test_manifest_enables_the_assistant_view_its_scope_needs(manifest: dict[str, Any]) -> None:
    assert manifest["features"]["assistant_view"]["assistant_description"]


def test_dockerfile_starts_from_python_311_slim() -> None:
    assert dockerfile_instructions()[0] == ("FROM", "python:3.11-slim")


def test_dockerfile_runs_as_a_non_root_user() -> None:
    users = [arg for op, arg in dockerfile_instructions() if op == "USER"]
    assert users and users[-1] not in ("root", "0")


def test_dockerfile_installs_the_package() -> None:
    runs = [arg for op, arg in dockerfile_instructions() if op == "RUN"]
    assert any("pip install ." in run for run in runs)


def test_dockerfile_runs_the_bot() -> None:
    [cmd] = [arg for op, arg in dockerfile_instructions() if op == "CMD"]
    assert json.loads(cmd) == ["polos", "run"]


def test_dockerfile_copies_every_package() -> None:
    copied = " ".join(arg for op, arg in dockerfile_instructions() if op == "COPY")
    for package in ("agents", "sandbox", "bot", "polos", "pyproject.toml"):
        assert package in copied


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", ".venv/", ".polos/", ".git/"} <= ignored
