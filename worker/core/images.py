"""Sandbox runner images: tagged by a hash of their definition, built two ways.

`worker/images/<name>/` holds a Dockerfile (used where a registry is reachable) and
offline.sh (debootstrap from the machine's own package mirror, then `docker import`,
for machines with no registry, such as CI).  An unchanged definition is never rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import docker
import docker.errors

from worker.core.config import Settings
from worker.core.sandbox import InfraError

DEFINITIONS = Path(__file__).parents[1] / "images"
BASE_IMAGE = {"python": ("python", "3.12-slim")}
log = logging.getLogger(__name__)


@cache
def runner_image_tag(name: str = "python") -> str:
    """`lab-runner-<name>:<12 hex of the definition's hash>`.  Hashed once per process:
    the definition ships with the code, and grading and every editor page ask for it."""
    folder = DEFINITIONS / name
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return f"lab-runner-{name}:{digest.hexdigest()[:12]}"


def runner_image(settings: Settings) -> str:
    """The image sandboxes start from: LAB_RUNNER_IMAGE when set, else the hash-tagged
    python image that `lab images build` makes."""
    return settings.runner_image or runner_image_tag("python")


def image_exists(client: docker.DockerClient, tag: str) -> bool:
    try:
        client.images.get(tag)
        return True
    except docker.errors.ImageNotFound:
        return False


def _registry_reachable(client: docker.DockerClient, name: str) -> bool:
    repo, tag = BASE_IMAGE[name]
    if image_exists(client, f"{repo}:{tag}"):
        return True
    try:
        client.images.pull(repo, tag=tag)
        return True
    except docker.errors.APIError as exc:
        log.info("no registry: %s", str(exc)[:160])
        return False


def host_package_source(env: dict | None = None) -> tuple[str, str, str]:
    """(suite, mirror, components) for debootstrap, from LAB_* or this machine's apt."""
    env = dict(os.environ if env is None else env)
    release = {}
    if Path("/etc/os-release").is_file():
        for line in Path("/etc/os-release").read_text().splitlines():
            key, _, value = line.partition("=")
            release[key] = value.strip('"')
    suite = env.get("LAB_DEBIAN_SUITE") or release.get("VERSION_CODENAME", "")
    components = "main,universe" if release.get("ID") == "ubuntu" else "main"
    mirror = env.get("LAB_DEBIAN_MIRROR", "")
    if not mirror:
        sources = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
        for source in sources:
            if not source.is_file():
                continue
            for match in re.finditer(r"(?:^URIs:\s*|^deb\s+(?:\[[^\]]*\]\s+)?)(\S+)",
                                     source.read_text(errors="replace"), re.M):
                if "security" not in match.group(1):
                    mirror = match.group(1)
                    break
            if mirror:
                break
    if not suite or not mirror:
        raise InfraError("cannot tell which distribution mirror to build the runner from: "
                         "set LAB_DEBIAN_SUITE and LAB_DEBIAN_MIRROR")
    return suite, mirror, components


def _build_offline(client: docker.DockerClient, name: str, tag: str) -> None:
    if os.geteuid() != 0 or not shutil.which("debootstrap"):
        raise InfraError("building the runner image offline needs root and debootstrap "
                         "(`apt-get install debootstrap`; `make up` does this)")
    suite, mirror, components = host_package_source()
    script = DEFINITIONS / name / "offline.sh"
    with tempfile.TemporaryDirectory(prefix="lab-runner-", dir="/var/tmp") as tmp:
        root = Path(tmp) / "root"
        log.info("debootstrap %s from %s into %s", suite, mirror, root)
        subprocess.run(["sh", str(script), str(root), suite, mirror, components], check=True,
                       stdout=subprocess.DEVNULL if not log.isEnabledFor(logging.DEBUG) else None)
        archive = Path(tmp) / "root.tar"
        subprocess.run(["tar", "-C", str(root), "--numeric-owner", "-cf", str(archive), "."],
                       check=True)
        repo, _, version = tag.partition(":")
        client.api.import_image_from_file(
            str(archive), repository=repo, tag=version,
            changes=["ENV PATH=/usr/local/bin:/usr/bin:/bin", "ENV LANG=C.UTF-8",
                     "WORKDIR /sandbox"],
        )


def _build_dockerfile(client: docker.DockerClient, name: str, tag: str) -> None:
    client.images.build(path=str(DEFINITIONS / name), tag=tag, rm=True, forcerm=True)


def build_runner_image(client: docker.DockerClient, name: str = "python",
                       how: str = "auto", force: bool = False) -> tuple[str, str]:
    """Build the runner image unless present; returns (tag, what was done)."""
    if not (DEFINITIONS / name).is_dir():
        raise InfraError(f"no runner image definition named {name!r}")
    tag = runner_image_tag(name)
    if not force and image_exists(client, tag):
        return tag, "present"
    if how == "auto":
        how = "dockerfile" if _registry_reachable(client, name) else "offline"
    try:
        if how == "dockerfile":
            _build_dockerfile(client, name, tag)
        else:
            _build_offline(client, name, tag)
    except (subprocess.CalledProcessError, docker.errors.DockerException) as exc:
        raise InfraError(f"building {tag} ({how}) failed: {exc}") from None
    if not image_exists(client, tag):
        raise InfraError(f"building {tag} ({how}) finished but the image is not there")
    return tag, f"built ({how})"


# Our own fixed script, not a candidate's: it prints what the editor shows as "the
# sandbox's versions".  Flask is absent from images without it, and then not listed.
_VERSIONS_SCRIPT = """
import json, platform
from importlib import metadata
found = {"Python": platform.python_version()}
for name in ("pytest", "Flask"):
    try:
        found[name] = metadata.version(name)
    except metadata.PackageNotFoundError:
        pass
print(json.dumps(found))
"""


def sandbox_versions(client: docker.DockerClient, image: str, runtime: str = "") -> dict[str, str]:
    """The Python, pytest and Flask versions inside runner `image`, read by running the
    fixed script above in it (no network, the candidate's uid, a small memory cap)."""
    try:
        output = client.containers.run(
            image, ["python3", "-c", _VERSIONS_SCRIPT], remove=True, network_disabled=True,
            user="10001:10001", mem_limit="128m", runtime=runtime or None, stdout=True,
            stderr=False)
        found = json.loads(output)
    except (docker.errors.DockerException, ValueError) as exc:
        raise InfraError(f"could not read the versions inside {image}: {exc}") from exc
    if not isinstance(found, dict):
        raise InfraError(f"could not read the versions inside {image}: {found!r}")
    return {str(k): str(v)[:40] for k, v in found.items()}
