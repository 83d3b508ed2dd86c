"""The docker SDK at our boundary: one client per process and its errors translated.

Everything here is blocking; callers run it with ``asyncio.to_thread``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import docker
import docker.errors

from sandbox._errors import SandboxUnavailableError

_lock = threading.Lock()
_client: Any = None

DAEMON_DOWN = (
    "Cannot reach the Docker daemon ({detail}). Start it (`sudo systemctl start docker`, "
    "or run `dockerd` as root), or point DOCKER_HOST at a running one, then try again."
)


def image_missing(image: str) -> str:
    """The developer-facing message for an image that is not on the Docker host."""
    return (
        f"The Docker image {image!r} is not present on this Docker host (images are never "
        f"pulled automatically). Pull it with `docker pull {image}`, or build it with "
        f"`docker build -t {image} .`, then try again."
    )


def docker_client() -> Any:
    """The process-wide docker client (``docker.from_env()``), created on first use.

    Raises:
        SandboxUnavailableError: the daemon does not answer.
    """
    global _client
    with _lock:
        if _client is None:
            try:
                client = docker.from_env(timeout=60)
                client.ping()
            except docker.errors.DockerException as exc:
                raise SandboxUnavailableError(DAEMON_DOWN.format(detail=exc)) from exc
            _client = client
        return _client


@contextmanager
def daemon_errors() -> Iterator[None]:
    """Turn "cannot talk to the daemon" into :class:`SandboxUnavailableError`."""
    try:
        yield
    except docker.errors.APIError:
        raise  # the daemon answered (an APIError is also an OSError, through requests)
    except (OSError, docker.errors.DockerException) as exc:
        # requests' ConnectionError (an OSError): the daemon's socket does not answer.
        raise SandboxUnavailableError(DAEMON_DOWN.format(detail=exc)) from exc
