"""Remove sandbox containers nobody uses any more.

Call :func:`reap_containers` at worker start and then periodically (every few minutes).

Idle time is measured from the mtime of ``/tmp/.polos-last-used`` inside the container:
every operation touches it with a shell redirection (no extra process, no extra API call),
it lives in the container's tmpfs so it needs no label update (labels cannot change after
creation), and any process that can reach the container sees the same value. A stopped
container counts as last used when it stopped. Age is measured from the ``created-at``
label. Each container carries its own limits as labels; arguments override them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import datetime
from typing import Any

import docker.errors

from sandbox._docker_client import daemon_errors, docker_client
from sandbox._docker_exec import run_exec
from sandbox._docker_session import (
    LABEL_CREATED,
    LABEL_IDLE,
    LABEL_MAX_AGE,
    MANAGED_BY,
    MANAGED_BY_VALUE,
    remove_container,
)
from sandbox._scripts import LAST_USED_MTIME

ORPHAN_GRACE = 600.0
"""Seconds a workspace volume without a container is left alone."""


def _docker_time(value: str | None) -> float | None:
    """Seconds since the epoch of a Docker timestamp (nanoseconds, ``Z``), None if unset."""
    if not value or value.startswith("0001-"):
        return None
    stamp, _, fraction = value.rstrip("Z").partition(".")
    seconds = datetime.fromisoformat(stamp + "+00:00").timestamp()
    return seconds + (float("0." + fraction) if fraction else 0.0)


def last_used(client: Any, container: Any) -> float:
    """When the container was last used (see the module docstring)."""
    state = container.attrs.get("State", {})
    if state.get("Running"):
        try:
            argv = ["sh", "-c", LAST_USED_MTIME]
            raw = run_exec(
                client.api, container.id, argv, limit=4096, deadline=time.monotonic() + 10
            )
            text = raw.stdout.text().strip()
            if text.isdigit():
                return float(text)
        except docker.errors.APIError:
            pass  # cannot look inside (stopping, or its pids are exhausted): use its start
        started = _docker_time(state.get("StartedAt"))
        return started if started is not None else time.time()
    finished = _docker_time(state.get("FinishedAt"))
    return finished if finished is not None else float(container.labels.get(LABEL_CREATED, "0"))


def _stale(
    client: Any,
    container: Any,
    *,
    now: float,
    idle_timeout: float | None,
    max_age: float | None,
) -> bool:
    labels = container.labels
    age_limit = max_age if max_age is not None else float(labels.get(LABEL_MAX_AGE, "86400"))
    idle_limit = idle_timeout if idle_timeout is not None else float(labels.get(LABEL_IDLE, "3600"))
    created = float(labels.get(LABEL_CREATED, "0"))
    if now - created > age_limit:
        return True
    return now - last_used(client, container) > idle_limit


def reap_sync(
    client: Any,
    *,
    idle_timeout: float | None = None,
    max_age: float | None = None,
    labels: dict[str, str] | None = None,
    now: float | None = None,
) -> list[str]:
    """Blocking body of :func:`reap_containers`."""
    selector = [f"{MANAGED_BY}={MANAGED_BY_VALUE}"] + [
        f"{k}={v}" for k, v in (labels or {}).items()
    ]
    now = time.time() if now is None else now
    removed: list[str] = []
    with daemon_errors():
        for container in client.containers.list(all=True, filters={"label": selector}):
            if LABEL_CREATED not in container.labels:
                continue  # not a sandbox (a one-shot helper)
            if _stale(client, container, now=now, idle_timeout=idle_timeout, max_age=max_age):
                remove_container(client, container)
                removed.append(str(container.name))
        _remove_orphan_volumes(client, selector, now=now)
    return removed


def _remove_orphan_volumes(client: Any, selector: list[str], *, now: float) -> None:
    """Remove workspace volumes whose container is gone (a creation that failed half way)."""
    for volume in client.volumes.list(filters={"label": selector}):
        created = float((volume.attrs.get("Labels") or {}).get(LABEL_CREATED, now))
        if now - created < ORPHAN_GRACE:
            continue  # its container may be being created right now
        if client.containers.list(all=True, filters={"volume": volume.name}):
            continue
        with contextlib.suppress(docker.errors.APIError):
            volume.remove()


async def reap_containers(
    *,
    idle_timeout: float | None = None,
    max_age: float | None = None,
    labels: dict[str, str] | None = None,
    client: Any = None,
    now: float | None = None,
) -> list[str]:
    """Remove sandbox containers (and their workspace volumes) idle or old past their limits.

    Args:
        idle_timeout: seconds unused after which a container goes; default: its own label
            (``DockerEnvironmentConfig.idle_timeout``).
        max_age: seconds after creation after which it goes; default: its own label.
        labels: only consider containers that also carry these labels.
        client: a docker client; default: the process-wide one.
        now: the current time (seconds since the epoch); default: ``time.time()``.

    Returns:
        The names of the containers removed.
    """
    if client is None:
        client = await asyncio.to_thread(docker_client)
    return await asyncio.to_thread(
        reap_sync, client, idle_timeout=idle_timeout, max_age=max_age, labels=labels, now=now
    )
