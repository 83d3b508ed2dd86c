"""Build the sandbox test image locally: a root filesystem made of Debian's busybox-static.

No registry is reachable from the test machines, so the image is assembled from the
``busybox-static`` package (``apt-get download``), packed into a tar in memory and imported
through the docker SDK. The image has ``/workspace`` owned by uid 1000, an ``/etc/passwd``
with a ``sandbox`` user (1000) and every busybox applet linked in ``/bin``.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import tarfile
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox._config import DockerEnvironmentConfig

TEST_IMAGE = "polos-test-sandbox:latest"
USER_UID = 1000

_PASSWD = "root:x:0:0:root:/root:/bin/sh\nsandbox:x:1000:1000:sandbox:/workspace:/bin/sh\n"
_GROUP = "root:x:0:\nsandbox:x:1000:\n"


def _busybox_binary(workdir: Path) -> bytes:
    subprocess.run(
        ["apt-get", "download", "-q", "busybox-static"],
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    deb = next(workdir.glob("busybox-static_*.deb"))
    extracted = workdir / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(extracted)], check=True)
    return (extracted / "bin" / "busybox").read_bytes()


def _applets(binary: Path) -> list[str]:
    listing = subprocess.run([str(binary), "--list"], check=True, capture_output=True, text=True)
    # The list includes "busybox" itself: linking that name would replace the binary.
    return [name for name in listing.stdout.split() if name and name != "busybox"]


def _add(tar: tarfile.TarFile, name: str, *, data: bytes | None = None, **fields: Any) -> None:
    info = tarfile.TarInfo(name)
    info.mtime = int(time.time())
    for key, value in fields.items():
        setattr(info, key, value)
    if data is None:
        tar.addfile(info)
    else:
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


def rootfs_tar(*, only: tuple[str, ...] | None = None) -> bytes:
    """The root filesystem of the test image, as an uncompressed tar.

    ``only`` keeps just those applets (an image lacking tools, for the refusal test).
    """
    with tempfile.TemporaryDirectory(prefix="polos-busybox-") as tmp:
        workdir = Path(tmp)
        binary = _busybox_binary(workdir)
        binary_path = workdir / "busybox"
        binary_path.write_bytes(binary)
        binary_path.chmod(0o755)
        applets = _applets(binary_path)
    if only is not None:
        applets = [name for name in applets if name in only]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for directory in ("bin", "etc", "tmp", "proc", "sys", "dev", "root", "usr", "usr/bin"):
            mode = 0o1777 if directory == "tmp" else 0o755
            _add(tar, directory, type=tarfile.DIRTYPE, mode=mode)
        _add(tar, "workspace", type=tarfile.DIRTYPE, mode=0o755, uid=USER_UID, gid=USER_UID)
        _add(tar, "bin/busybox", data=binary, mode=0o755)
        for applet in applets:
            _add(tar, f"bin/{applet}", type=tarfile.SYMTYPE, linkname="busybox", mode=0o777)
        _add(tar, "usr/bin/env", type=tarfile.SYMTYPE, linkname="/bin/busybox", mode=0o777)
        _add(tar, "etc/passwd", data=_PASSWD.encode(), mode=0o644)
        _add(tar, "etc/group", data=_GROUP.encode(), mode=0o644)
    return buffer.getvalue()


def ensure_test_image(
    client: Any, *, tag: str = TEST_IMAGE, only: tuple[str, ...] | None = None
) -> str:
    """Import the busybox test image into the daemon unless ``tag`` is already there."""
    import docker.errors

    try:
        client.images.get(tag)
        return tag
    except docker.errors.ImageNotFound:
        pass
    repository, _, version = tag.partition(":")
    client.api.import_image_from_data(
        rootfs_tar(only=only),
        repository=repository,
        tag=version or "latest",
        changes=['CMD ["/bin/sh"]', "WORKDIR /workspace", "ENV PATH=/bin:/usr/bin"],
    )
    client.images.get(tag)
    return tag


# -- fixtures shared by the sandbox test modules (import them into the module) -------------

LABEL = "polos-test"


def docker_or_skip() -> Any:
    """A docker client; skips the test when no daemon answers, fails it when ``CI`` is set."""
    import os

    import docker

    try:
        client = docker.from_env(timeout=30)
        client.ping()
        return client
    except Exception as exc:
        message = f"the sandbox tests need a Docker daemon: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def remove_labelled(client: Any, label: str) -> None:
    """Remove every container and volume carrying ``polos-test=<label>``."""
    import docker.errors

    selector = {"label": f"{LABEL}={label}"}
    for container in client.containers.list(all=True, filters=selector):
        with contextlib.suppress(docker.errors.NotFound):
            container.remove(force=True)
    for volume in client.volumes.list(filters=selector):
        with contextlib.suppress(docker.errors.NotFound):
            volume.remove(force=True)


@pytest.fixture(scope="module")
def docker_api() -> Any:
    """A docker client for the module (skip or fail as :func:`docker_or_skip` says)."""
    return docker_or_skip()


@pytest.fixture(scope="module")
def test_label(docker_api: Any) -> Iterator[str]:
    """A label value unique to the module; its containers and volumes are removed after it."""
    value = uuid.uuid4().hex
    yield value
    remove_labelled(docker_api, value)


@pytest.fixture(scope="module")
def docker_config(docker_api: Any, test_label: str) -> DockerEnvironmentConfig:
    """Small limits so the limit tests are quick; every container carries the module's label."""
    image = ensure_test_image(docker_api)
    return DockerEnvironmentConfig(
        image=image, memory="64m", pids_limit=64, labels={LABEL: test_label}
    )


@pytest.fixture
def image_without_shell(docker_api: Any) -> Iterator[str]:
    """An image with busybox but no applet links besides ``sleep``: no ``/bin/sh``."""
    tag = f"polos-test-bare-{uuid.uuid4().hex[:8]}:latest"
    ensure_test_image(docker_api, tag=tag, only=("sleep",))
    image_id = docker_api.images.get(tag).id
    yield tag
    docker_api.images.remove(image_id, force=True)
