"""The agents module (POLOS_AGENTS) of the bot crash test: an assistant with one tool whose
side effect is appended to the file named by POLOS_TEST_EFFECTS."""

from __future__ import annotations

import os

from pydantic import BaseModel

from polos import Agent, WorkflowContext, tool


class Note(BaseModel):
    text: str


@tool(description="Record a note")
async def record_note(ctx: WorkflowContext, input: Note) -> str:
    with open(os.environ["POLOS_TEST_EFFECTS"], "a") as file:  # noqa: ASYNC230
        file.write(input.text + "\n")
    return "noted"


assistant = Agent(id="assistant", provider="openai", model="test-model", tools=[record_note])
