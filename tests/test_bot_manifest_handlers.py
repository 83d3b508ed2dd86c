"""Every event and slash command in manifest.yml has a listener in the bot, and every
listener is in the manifest."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot._app import EVENT_LISTENERS, SLASH_COMMANDS

MANIFEST = yaml.safe_load((Path(__file__).parent.parent / "manifest.yml").read_text())


def test_the_manifests_events_are_exactly_the_bots_listeners() -> None:
    events = MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    assert {event.split(".")[0] for event in events} == set(EVENT_LISTENERS)
    assert {"message.channels", "message.im"} <= set(events)


def test_the_manifests_slash_commands_are_exactly_the_bots_commands() -> None:
    commands = [entry["command"] for entry in MANIFEST["features"]["slash_commands"]]
    assert sorted(commands) == sorted(SLASH_COMMANDS)


def test_interactivity_is_on_for_the_buttons() -> None:
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert MANIFEST["settings"]["socket_mode_enabled"] is True
