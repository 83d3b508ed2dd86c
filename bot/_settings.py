"""The bot's settings, from the environment and ``.env``: one clear error when they are wrong.

Example:
    ```python
    settings = load_settings()            # raises UserError listing every problem
    settings.slack_bot_token.get_secret_value()
    ```

Secrets are ``SecretStr``: they show as ``'**********'`` in reprs and logs, and no error
message ever quotes them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from agents._errors import UserError

SLACK_API_URL = "https://slack.com/api/"
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_MODULE = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$")
_SOCKET_HINT = (
    "set SLACK_BOT_TOKEN (xoxb-...) and SLACK_APP_TOKEN (xapp-...) for Socket Mode, "
    "or SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET with POLOS_MODE=http for HTTP mode"
)


def _optional(name: str) -> Any:
    return Field(None, validation_alias=name)


class Settings(BaseSettings):
    """Everything the bot reads from its environment (and a ``.env`` file).

    Attributes are named after the variables: ``SLACK_BOT_TOKEN`` is ``slack_bot_token``,
    ``POLOS_MODE`` is ``mode``. Build it with :func:`load_settings`, which checks that the
    Slack credentials the chosen mode needs are present and well formed.
    """

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    slack_bot_token: SecretStr | None = _optional("SLACK_BOT_TOKEN")
    slack_app_token: SecretStr | None = _optional("SLACK_APP_TOKEN")
    slack_signing_secret: SecretStr | None = _optional("SLACK_SIGNING_SECRET")
    slack_api_url: str = Field(SLACK_API_URL, validation_alias="SLACK_API_URL")
    # It may hold a database password: keep it out of reprs too.
    database_url: str | None = Field(None, repr=False, validation_alias="POLOS_DATABASE_URL")
    agents_module: str | None = _optional("POLOS_AGENTS")
    default_agent: str = Field(
        "assistant",
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        validation_alias="POLOS_DEFAULT_AGENT",
    )
    approvers: Annotated[tuple[str, ...], NoDecode] = Field((), validation_alias="POLOS_APPROVERS")
    mode: Literal["socket", "http"] = Field("socket", validation_alias="POLOS_MODE")
    http_port: int = Field(3000, ge=1, le=65535, validation_alias="POLOS_HTTP_PORT")
    followups_need_mention: bool = Field(
        False,
        validation_alias="POLOS_FOLLOWUPS_NEED_MENTION",
    )
    approval_timeout: float = Field(
        86_400.0,
        gt=0,
        validation_alias="POLOS_APPROVAL_TIMEOUT",
    )
    openai_api_key: SecretStr | None = _optional("OPENAI_API_KEY")
    anthropic_api_key: SecretStr | None = _optional("ANTHROPIC_API_KEY")
    model: str | None = _optional("POLOS_MODEL")
    sandbox_image: str = Field(
        "python:3.12-slim", min_length=1, validation_alias="POLOS_SANDBOX_IMAGE"
    )
    host_cwd: Path | None = _optional("POLOS_HOST_CWD")

    @field_validator(
        "slack_bot_token",
        "slack_app_token",
        "slack_signing_secret",
        "database_url",
        "agents_module",
        "openai_api_key",
        "anthropic_api_key",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("mode", mode="before")
    @classmethod
    def _lower_mode(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("approvers", mode="before")
    @classmethod
    def _split_approvers(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            bad = [str(v) for v in value if not isinstance(v, str) or not _USER_ID.match(v)]
            if bad:
                raise ValueError(f"not Slack user ids (like U012AB3CD): {', '.join(bad)}")
            return tuple(value)
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("agents_module")
    @classmethod
    def _module_name(cls, value: str | None) -> str | None:
        if value is not None and not _MODULE.match(value):
            raise ValueError("must be a Python module path such as myapp.agents")
        return value

    def problems(self, *, require_slack: bool = True) -> list[str]:
        """What is missing or malformed for the chosen mode (empty when all is well)."""
        found: list[str] = []
        bot, app, secret = self.slack_bot_token, self.slack_app_token, self.slack_signing_secret
        if require_slack:
            if self.mode == "socket" and (bot is None or app is None):
                if bot is None and app is None and secret is None:
                    found.append(_SOCKET_HINT)
                elif bot is None:
                    found.append("set SLACK_BOT_TOKEN (xoxb-...), the bot token of the app")
                else:
                    found.append(
                        "set SLACK_APP_TOKEN (xapp-...) for Socket Mode "
                        "(an app-level token with connections:write), or POLOS_MODE=http "
                        "with SLACK_SIGNING_SECRET"
                    )
            if self.mode == "http":
                if bot is None:
                    found.append("set SLACK_BOT_TOKEN (xoxb-...), the bot token of the app")
                if secret is None:
                    found.append("set SLACK_SIGNING_SECRET for HTTP mode (Basic Information page)")
        found += _prefix_problem("SLACK_BOT_TOKEN", bot, "xoxb-", "a bot token")
        found += _prefix_problem("SLACK_APP_TOKEN", app, "xapp-", "an app-level token")
        return found


def _prefix_problem(name: str, value: SecretStr | None, prefix: str, what: str) -> list[str]:
    if value is None or value.get_secret_value().startswith(prefix):
        return []
    # Quote at most the token's type (its first letters), never the secret itself.
    kind = value.get_secret_value().split("-", 1)[0][:4]
    got = f" (it starts with {kind!r})" if kind.startswith("x") else ""
    return [f"{name} must be {what} starting with {prefix}{got}"]


_ENV_NAMES = {
    name: field.validation_alias if isinstance(field.validation_alias, str) else name.upper()
    for name, field in Settings.model_fields.items()
}
_SECRET_FIELDS = {
    name for name, field in Settings.model_fields.items() if "SecretStr" in str(field.annotation)
}


def load_settings(*, require_slack: bool = True, **overrides: Any) -> Settings:
    """Read the settings (``overrides`` by attribute name win over the environment).

    Raises one :class:`~agents._errors.UserError` that lists every problem and says what
    to set. ``require_slack=False`` skips the credential checks (``polos dev``).
    """
    unknown = sorted(set(overrides) - set(Settings.model_fields))
    if unknown:
        raise TypeError(f"load_settings() got unknown settings: {', '.join(unknown)}")
    # By variable name: reading fields by attribute name would also read unrelated
    # variables such as MODE from the environment.
    overrides = {_ENV_NAMES[name]: value for name, value in overrides.items()}
    found: list[str] = []
    try:
        settings = Settings(**overrides)
    except ValidationError as error:
        bad: set[str] = set()
        for item in error.errors():
            field = _field_of(item.get("loc", ()))
            bad.add(field)
            env = _ENV_NAMES.get(field, field)
            shown = "" if field in _SECRET_FIELDS else f" (got {item.get('input')!r})"
            message = str(item.get("msg", "invalid")).removeprefix("Value error, ")
            found.append(f"{env}: {message}{shown}")
        # Check the rest with the bad values set aside, so one error lists everything.
        defaults = {_ENV_NAMES[f]: Settings.model_fields[f].default for f in bad if f in _ENV_NAMES}
        settings = Settings(**{**overrides, **defaults})
    found += settings.problems(require_slack=require_slack)
    if found:
        lines = "\n".join(f"  - {problem}" for problem in found)
        raise UserError(f"polos cannot start; fix these settings (environment or .env):\n{lines}")
    return settings


def _field_of(loc: tuple[int | str, ...]) -> str:
    name = str(loc[0]) if loc else ""
    for field, env in _ENV_NAMES.items():
        if name in (field, env, env.lower()):
            return field
    return name
