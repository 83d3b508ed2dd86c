"""Containers of the Docker environment: find one by its labels, or create and start it.

A container belongs to one key (a session id, or a run id for ``scope="run"``). It is found
again by its labels, also by a new process after a restart; its name is derived from the
key so two workers racing to create it end up sharing one. Its main process is
``sleep <max_age>`` under an init, so a container nobody removes still ends by itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from typing import Any

import docker.errors
import docker.types

from sandbox._config import DockerEnvironmentConfig
from sandbox._docker_client import daemon_errors, image_missing
from sandbox._docker_exec import run_exec
from sandbox._errors import SandboxUnavailableError
from sandbox._scripts import PREPARE, REQUIRED_TOOLS

MANAGED_BY = "managed-by"
MANAGED_BY_VALUE = "polos"
LABEL_SESSION = "polos.session"
LABEL_SCOPE = "polos.scope"
LABEL_CREATED = "polos.created-at"
LABEL_CONFIG = "polos.config-hash"
LABEL_VOLUME = "polos.volume"
LABEL_IDLE = "polos.idle-timeout"
LABEL_MAX_AGE = "polos.max-age"


def resource_name(scope: str, key: str) -> str:
    """Container name for a key (the volume adds ``-ws``); keys may hold any characters."""
    return f"polos-{scope}-{hashlib.sha256(key.encode()).hexdigest()[:20]}"


def _labels(config: DockerEnvironmentConfig, *, scope: str, key: str) -> dict[str, str]:
    return {
        **config.labels,
        MANAGED_BY: MANAGED_BY_VALUE,
        LABEL_SESSION: key,
        LABEL_SCOPE: scope,
        LABEL_CREATED: f"{time.time():.3f}",
        LABEL_CONFIG: config.config_hash(),
        LABEL_VOLUME: resource_name(scope, key) + "-ws",
        LABEL_IDLE: str(config.idle_timeout),
        LABEL_MAX_AGE: str(config.max_age),
    }


def _find(client: Any, *, scope: str, key: str) -> Any | None:
    found = client.containers.list(
        all=True,
        filters={
            "label": [f"{MANAGED_BY}={MANAGED_BY_VALUE}", f"{LABEL_SCOPE}={scope}"],
            "name": resource_name(scope, key),
        },
    )
    # The name filter is a substring match; the session label settles it.
    for container in found:
        if container.labels.get(LABEL_SESSION) == key:
            return container
    return None


def remove_container(client: Any, container: Any) -> None:
    """Remove a container and its workspace volume; already gone is fine."""
    volume = container.labels.get(LABEL_VOLUME)
    with contextlib.suppress(docker.errors.NotFound):
        container.remove(force=True)
    if volume:
        try:
            client.volumes.get(volume).remove(force=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError:
            pass  # still in use by a container another worker just created


def _create(client: Any, config: DockerEnvironmentConfig, *, scope: str, key: str) -> Any:
    labels = _labels(config, scope=scope, key=key)
    volume = labels[LABEL_VOLUME]
    volume_labels = {k: v for k, v in labels.items() if k != LABEL_VOLUME}
    client.volumes.create(name=volume, labels=volume_labels)
    try:
        return client.containers.create(
            config.image,
            entrypoint=["sleep"],
            command=[str(config.max_age)],
            name=resource_name(scope, key),
            labels=labels,
            user=config.user,
            working_dir=config.workdir,
            environment=config.env,
            hostname="sandbox",
            read_only=True,
            tmpfs={"/tmp": f"rw,nosuid,nodev,size={config.tmp_size},mode=1777"},
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            network_mode=config.network,
            pids_limit=config.pids_limit,
            mem_limit=config.memory,
            memswap_limit=config.memory,
            nano_cpus=int(config.cpus * 1e9),
            init=True,
            mounts=[docker.types.Mount(config.workdir, volume, type="volume")],
        )
    except docker.errors.ImageNotFound as exc:
        with contextlib.suppress(docker.errors.APIError):
            client.volumes.get(volume).remove(force=True)
        raise SandboxUnavailableError(image_missing(config.image)) from exc
    except docker.errors.APIError as exc:
        if exc.status_code == 409:  # another worker created it first: share theirs
            return client.containers.get(resource_name(scope, key))
        raise


def _prepare(client: Any, config: DockerEnvironmentConfig, container: Any) -> None:
    """Check a new container can serve, and give the workspace volume to the configured user.

    A new volume takes the owner of the image's folder (root when the image has none). The
    main container has no capabilities left, so a one-shot container with CAP_CHOWN only
    fixes that, on first creation only.

    Raises:
        SandboxUnavailableError: the image lacks a shell or a tool the scripts need.
    """
    argv = ["sh", "-c", PREPARE, "polos", config.workdir]
    try:
        raw = run_exec(client.api, container.id, argv, limit=4096)
        owner, _, missing = raw.stdout.text().partition("\n")
        if raw.exit_code != 0:
            owner, missing = "", "sh"
    except docker.errors.APIError:
        owner, missing = "", "sh"
    if not owner or missing.strip():
        remove_container(client, container)
        raise SandboxUnavailableError(
            f"The image {config.image!r} cannot host the sandbox: it needs /bin/sh and "
            f"{REQUIRED_TOOLS} (missing: {missing.strip() or 'sh'}). Use an image based on "
            "Debian, Ubuntu or Alpine, or add them to it."
        )
    if owner.strip() == config.user:
        return
    try:
        _chown_workspace(client, config, container.labels[LABEL_VOLUME])
    except docker.errors.APIError as exc:
        remove_container(client, container)
        raise SandboxUnavailableError(
            f"Could not give the workspace to user {config.user} with `chown` from the image "
            f"{config.image!r}: {exc}"
        ) from exc


def _chown_workspace(client: Any, config: DockerEnvironmentConfig, volume: str) -> None:
    helper = client.containers.create(
        config.image,
        entrypoint=["chown"],
        command=[config.user, config.workdir],
        user="0:0",
        cap_drop=["ALL"],
        cap_add=["CHOWN"],
        security_opt=["no-new-privileges"],
        network_mode="none",
        read_only=True,
        labels={**config.labels, MANAGED_BY: MANAGED_BY_VALUE},
        mounts=[docker.types.Mount(config.workdir, volume, type="volume")],
    )
    try:
        helper.start()
        status = helper.wait(timeout=60).get("StatusCode")
        if status != 0:
            logs = helper.logs().decode(errors="replace").strip()
            raise docker.errors.APIError(f"chown exited with {status}: {logs}")
    finally:
        helper.remove(force=True)


def ensure_container(client: Any, config: DockerEnvironmentConfig, *, scope: str, key: str) -> str:
    """Id of the running container for ``key``: found by labels (restarted if stopped), or new.

    A container made from another configuration, or older than ``max_age``, is replaced.
    """
    with daemon_errors():
        container = _find(client, scope=scope, key=key)
        if container is not None:
            created = float(container.labels.get(LABEL_CREATED, "0"))
            stale = time.time() - created > config.max_age
            if stale or container.labels.get(LABEL_CONFIG) != config.config_hash():
                remove_container(client, container)
                container = None
        fresh = container is None
        if container is None:
            container = _create(client, config, scope=scope, key=key)
        if container.status != "running":
            container.start()
        if fresh:
            _prepare(client, config, container)
        return str(container.id)
