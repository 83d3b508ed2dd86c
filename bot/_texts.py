"""Every message people see from the bot, in one place."""

from __future__ import annotations

from agents import RunFailed

HELP = (
    "*polos* runs durable AI agents in this workspace.\n"
    "• Mention me: `@polos what is a durable workflow?` (the default agent answers)\n"
    "• Pick an agent: `@polos @coding_agent write a REST API with SQLite`\n"
    "• Reply in the thread to continue the conversation.\n"
    "• `/polos agents`, `/polos run <agent> <prompt>`, `/polos status [run]`, "
    "`/polos cancel <run>`, `/polos approvals`"
)
STOPPED = "Stopped."
WORKING = "Working on it…"
EMPTY_PROMPT = "What should I do? Write your request after the mention."


def unknown_agent(name: str, directory: str) -> str:
    """The reply to ``@polos @nobody ...``."""
    return f"I don't know an agent called `@{name}`. The agents are:\n{directory}"


def not_allowed(action: str) -> str:
    """The ephemeral refusal for someone who may not decide."""
    return f"Only the person who asked (or a configured approver) can {action}."


def no_longer_pending() -> str:
    """A click on an approval that was already decided or has expired."""
    return "This request was already answered (or has expired)."


def failure(event: RunFailed) -> str:
    """One clear line for a failed run."""
    if event.cancelled:
        return STOPPED
    kind = event.error_type.rsplit(":", 1)[-1]
    if kind == "ProviderAuthError":
        provider = "OpenAI" if "openai" in event.message else "Anthropic"
        return f"The {provider} API key is invalid: check the key the bot was given."
    if kind == "ProviderRateLimitError":
        return "The model provider kept refusing with rate limits; try again in a minute."
    if kind in ("ProviderUnavailableError", "ProviderTimeoutError"):
        return f"The model provider is not answering ({event.message}). Try again later."
    if kind == "RunTimeoutError":
        return "This took too long and was stopped."
    return f"Something went wrong: {event.message}"
