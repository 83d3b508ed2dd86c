"""Settings from the environment and .env, and the one clear error when they are wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents._errors import UserError
from bot._settings import SLACK_API_URL, Settings, load_settings

BOT = "xoxb-1111-2222-secretbotpart"
APP = "xapp-1-A111-secretapppart"
SECRET = "0123456789abcdefsigning"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No variable from the developer's shell and no .env from the repository."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    for name in (
        "POLOS_DATABASE_URL",
        "POLOS_AGENTS",
        "POLOS_DEFAULT_AGENT",
        "POLOS_APPROVERS",
        "POLOS_MODE",
        "POLOS_HTTP_PORT",
        "POLOS_FOLLOWUPS_NEED_MENTION",
        "POLOS_APPROVAL_TIMEOUT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def problems_of(**overrides: object) -> str:
    with pytest.raises(UserError) as info:
        load_settings(**overrides)
    return str(info.value)


def test_socket_mode_settings_load_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP)
    settings = load_settings()
    assert settings.slack_bot_token is not None and settings.slack_app_token is not None
    assert (settings.slack_bot_token.get_secret_value(), settings.mode) == (BOT, "socket")


def test_settings_load_from_a_dotenv_file(clean_env: Path) -> None:
    (clean_env / ".env").write_text(f"SLACK_BOT_TOKEN={BOT}\nSLACK_APP_TOKEN={APP}\n")
    settings = load_settings()
    assert settings.slack_app_token is not None
    assert settings.slack_app_token.get_secret_value() == APP


def test_defaults() -> None:
    settings = load_settings(slack_bot_token=BOT, slack_app_token=APP)
    assert (settings.default_agent, settings.slack_api_url, settings.http_port) == (
        "assistant",
        SLACK_API_URL,
        3000,
    )
    assert (settings.followups_need_mention, settings.approvers) == (False, ())


def test_missing_credentials_name_what_to_set_for_both_modes() -> None:
    message = problems_of()
    assert "set SLACK_BOT_TOKEN (xoxb-...) and SLACK_APP_TOKEN (xapp-...) for Socket Mode" in (
        message
    )
    assert "SLACK_SIGNING_SECRET" in message


def test_socket_mode_without_app_token_asks_for_it() -> None:
    assert "set SLACK_APP_TOKEN (xapp-...)" in problems_of(slack_bot_token=BOT)


def test_http_mode_needs_the_signing_secret_not_the_app_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POLOS_MODE", "http")
    message = problems_of(slack_bot_token=BOT)
    assert "SLACK_SIGNING_SECRET" in message and "SLACK_APP_TOKEN" not in message


def test_http_mode_loads_with_bot_token_and_signing_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POLOS_MODE", "HTTP")
    monkeypatch.setenv("POLOS_HTTP_PORT", "8080")
    settings = load_settings(slack_bot_token=BOT, slack_signing_secret=SECRET)
    assert (settings.mode, settings.http_port) == ("http", 8080)


def test_bot_token_with_the_wrong_prefix_is_named() -> None:
    message = problems_of(slack_bot_token="xoxp-user-token-secret", slack_app_token=APP)
    assert "SLACK_BOT_TOKEN must be a bot token starting with xoxb-" in message


def test_app_token_with_the_wrong_prefix_is_named() -> None:
    message = problems_of(slack_bot_token=BOT, slack_app_token="xoxb-not-an-app-token")
    assert "SLACK_APP_TOKEN must be an app-level token starting with xapp-" in message


def test_every_problem_is_listed_in_one_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLOS_HTTP_PORT", "eighty")
    monkeypatch.setenv("POLOS_APPROVAL_TIMEOUT", "-5")
    message = problems_of(slack_bot_token="xoxp-wrong-kind", approvers="U0ALICE001,bob")
    for name in ("POLOS_HTTP_PORT", "POLOS_APPROVAL_TIMEOUT", "POLOS_APPROVERS", "SLACK_APP_TOKEN"):
        assert name in message
    assert "SLACK_BOT_TOKEN must be a bot token" in message


def test_error_messages_never_quote_a_secret() -> None:
    message = problems_of(slack_bot_token="xoxp-1-TOPSECRETVALUE", slack_app_token="TOPSECRET2")
    assert "TOPSECRET" not in message


def test_malformed_secret_type_is_reported_without_its_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = problems_of(slack_bot_token=BOT, slack_app_token=APP, openai_api_key=12345)
    assert "OPENAI_API_KEY" in message and "12345" not in message


def test_secrets_do_not_appear_in_repr() -> None:
    settings = load_settings(
        slack_bot_token=BOT,
        slack_app_token=APP,
        slack_signing_secret=SECRET,
        openai_api_key="sk-verysecret",
        anthropic_api_key="sk-ant-verysecret",
        database_url="postgresql+asyncpg://polos:dbpassword@db/polos",
    )
    shown = repr(settings) + str(settings)
    for secret in (BOT, APP, SECRET, "verysecret", "dbpassword"):
        assert secret not in shown


def test_approvers_are_read_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLOS_APPROVERS", "U0ALICE001, U0BOB00002,")
    settings = load_settings(slack_bot_token=BOT, slack_app_token=APP)
    assert settings.approvers == ("U0ALICE001", "U0BOB00002")


def test_followups_need_mention_reads_a_boolean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLOS_FOLLOWUPS_NEED_MENTION", "true")
    assert load_settings(slack_bot_token=BOT, slack_app_token=APP).followups_need_mention


def test_api_url_gets_the_trailing_slash_slack_sdk_needs() -> None:
    settings = load_settings(
        slack_bot_token=BOT, slack_app_token=APP, slack_api_url="http://127.0.0.1:9000/api"
    )
    assert settings.slack_api_url == "http://127.0.0.1:9000/api/"


def test_agents_module_must_be_a_module_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLOS_AGENTS", "myapp/agents.py")
    assert "POLOS_AGENTS" in problems_of(slack_bot_token=BOT, slack_app_token=APP)


def test_overrides_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLOS_DEFAULT_AGENT", "from_env")
    settings = load_settings(slack_bot_token=BOT, slack_app_token=APP, default_agent="coder")
    assert settings.default_agent == "coder"


def test_dev_mode_can_skip_the_slack_credentials() -> None:
    assert load_settings(require_slack=False).slack_bot_token is None


def test_blank_variables_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT)
    monkeypatch.setenv("SLACK_APP_TOKEN", "   ")
    assert "set SLACK_APP_TOKEN" in problems_of()


def test_unprefixed_variables_of_other_programs_are_ignored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MODE", "production")
    monkeypatch.setenv("APPROVERS", "nobody")
    settings = load_settings(slack_bot_token=BOT, slack_app_token=APP)
    assert (settings.mode, settings.approvers) == ("socket", ())


def test_unknown_override_names_are_refused() -> None:
    with pytest.raises(TypeError):
        load_settings(slack_bot_tokn=BOT)
