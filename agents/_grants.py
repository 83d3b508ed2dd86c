"""Remembered approvals for tools: "always allow this in this conversation".

Call these inside a step (``ctx.step.run``) so replay sees the same answer::

    allowed = await ctx.step.run("allowed", approval_grants, ctx, scope)
"""

from __future__ import annotations

from agents._context import WorkflowContext


async def approval_grants(ctx: WorkflowContext, scope: str) -> list[str]:
    """The approval keys a person granted for ``scope`` (e.g. a conversation)."""
    return await ctx._x.store.grants.keys(scope)


async def grant_approval(ctx: WorkflowContext, scope: str, key: str, by: str | None) -> bool:
    """Remember that ``by`` always allows ``key`` in ``scope``."""
    return await ctx._x.store.grants.grant(scope, key, by=by)
