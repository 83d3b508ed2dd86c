"""Workflows for the multi-worker test, imported by ``polos worker multiworker_app``.
Each step appends ``run_id:step:worker_id`` to the file named by POLOS_TEST_EFFECTS."""

from __future__ import annotations

import os
import time

from agents import WorkflowContext, workflow


def _effect(run_id: str, step: int) -> int:
    time.sleep(0.1)  # a sync step: it runs in a worker thread
    with open(os.environ["POLOS_TEST_EFFECTS"], "a") as file:
        file.write(f"{run_id}:{step}:{os.environ['POLOS_WORKER_ID']}\n")
    return step


@workflow(id="three_steps")
async def three_steps(ctx: WorkflowContext, index: int) -> int:
    total = index
    for step in range(3):
        total += await ctx.step.run(f"step-{step}", _effect, ctx.run_id, step)
    return total
