"""A local Slack workspace for tests and for people: Web API, Socket Mode, signed HTTP
deliveries and a browser playground, good enough that slack_sdk and slack_bolt cannot tell.

Example:
    ```python
    from bot.emulator import SlackEmulator

    async with SlackEmulator() as slack:
        print(slack.url)  # open it in a browser
    ```
"""

from ._config import ChannelSpec, RateLimit, UserSpec, WorkspaceConfig
from ._delivery import Attempt, Delivery
from ._seen import OpenView, SeenMessage
from .driver import SlackEmulator

__all__ = [
    "Attempt",
    "ChannelSpec",
    "Delivery",
    "OpenView",
    "RateLimit",
    "SeenMessage",
    "SlackEmulator",
    "UserSpec",
    "WorkspaceConfig",
]
