"""Configuration of one emulated workspace (validated with pydantic)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class UserSpec(BaseModel):
    """A human member of the workspace."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=r"^[UW][A-Z0-9]{2,}$")
    name: str = Field(min_length=1)
    real_name: str = ""


class ChannelSpec(BaseModel):
    """A public or private channel.

    ``members`` lists the people in it (every user when omitted); ``bot_member`` says
    whether the bot was invited (a bot outside a channel receives none of its events).
    """

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=r"^[CG][A-Z0-9]{2,}$")
    name: str = Field(pattern=r"^[a-z0-9_-]{1,80}$")
    is_private: bool = False
    members: tuple[str, ...] | None = None
    bot_member: bool = True


class RateLimit(BaseModel):
    """A token bucket: ``per_minute`` calls refill the bucket, ``burst`` is its size."""

    model_config = ConfigDict(frozen=True)

    per_minute: float = Field(gt=0)
    burst: int = Field(ge=1)
    scope: Literal["workspace", "channel"] = "workspace"


def _default_users() -> list[UserSpec]:
    return [
        UserSpec(id="U0ALICE001", name="alice", real_name="Alice Example"),
        UserSpec(id="U0BOB00002", name="bob", real_name="Bob Example"),
    ]


def _default_channels() -> list[ChannelSpec]:
    return [
        ChannelSpec(id="C0GENERAL1", name="general"),
        ChannelSpec(id="C0RANDOM02", name="random"),
    ]


def _default_rate_limits() -> dict[str, RateLimit]:
    return {
        # Slack: chat.update is Tier 3 (about 50 a minute); chat.postMessage about 1 a
        # second per channel, with short bursts allowed.
        "chat.update": RateLimit(per_minute=50, burst=50, scope="workspace"),
        "chat.postMessage": RateLimit(per_minute=60, burst=5, scope="channel"),
    }


class WorkspaceConfig(BaseModel):
    """Everything that describes the emulated workspace and the app installed in it.

    Example:
        ``WorkspaceConfig(delivery="http", request_url="http://127.0.0.1:8000/slack/events")``
    """

    model_config = ConfigDict(frozen=True)

    team_id: str = Field(default="T0EMULATOR", pattern=r"^T[A-Z0-9]{2,}$")
    team_name: str = "Emulated Workspace"
    team_domain: str = "emulator"
    app_id: str = Field(default="A0EMULATOR", pattern=r"^A[A-Z0-9]{2,}$")
    bot_user_id: str = Field(default="U0BOT00001", pattern=r"^[UW][A-Z0-9]{2,}$")
    bot_id: str = Field(default="B0BOT00001", pattern=r"^B[A-Z0-9]{2,}$")
    bot_name: str = "polos"
    bot_token: str = Field(default="xoxb-emulator-bot-token", pattern=r"^xoxb-")
    app_token: str = Field(default="xapp-1-emulator-app-token", pattern=r"^xapp-")
    signing_secret: str = Field(default="emulator-signing-secret", min_length=1)
    verification_token: str = "emulator-verification-token"
    users: list[UserSpec] = Field(default_factory=_default_users)
    channels: list[ChannelSpec] = Field(default_factory=_default_channels)
    delivery: Literal["socket", "http"] = "socket"
    request_url: str | None = None
    ack_timeout: float = Field(default=3.0, gt=0)
    max_retries: int = Field(default=3, ge=0)
    stream_idle_timeout: float = Field(default=300.0, gt=0)
    trigger_ttl: float = Field(default=3.0, gt=0)
    signature_clock_skew: float = 0.0
    rate_limits: dict[str, RateLimit] = Field(default_factory=_default_rate_limits)

    @model_validator(mode="after")
    def _check(self) -> WorkspaceConfig:
        if self.delivery == "http" and not self.request_url:
            raise ValueError("delivery='http' needs a request_url")
        ids = [u.id for u in self.users] + [self.bot_user_id]
        if len(set(ids)) != len(ids):
            raise ValueError("user ids must be unique")
        return self
