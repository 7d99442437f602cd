"""Environments for generated code's ``dependencies``: installed once per dependency set, cached, read-only.

The agent's own environment is never changed. Requirements the agent's interpreter already satisfies are not
installed again; the rest go into ``<cache>/<key>/site-packages`` with ``uv pip install --target`` (or pip's), from
the configured index or a wheelhouse (``--find-links``), where ``key`` hashes the requirements and the sources.
The sandbox mounts that directory read-only and puts it on ``PYTHONPATH``; the ``imports`` gate looks there too.
A later check with the same set reuses the directory without running the installer.

When a distribution cannot be found the install fails with :class:`MissingDistributionError`, which names it (the
checker turns that into one critical finding).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from .environment import looks_secret

__all__ = [
    "DependencyEnvironment",
    "DependencyInstallError",
    "MissingDistributionError",
    "default_cache_dir",
    "prepare_environment",
]

_COMPLETE = ".complete"
_PIP_MISSING = re.compile(r"No matching distribution found for ([^\s;]+)")
_UV_MISSING = re.compile(
    r"Because ([A-Za-z0-9][\w.\-]*)(?:\[[^\]]*\])? (?:was not found|has no versions|is not available)"
)
_UV_NO_VERSION = re.compile(r"there is no version of ([A-Za-z0-9][\w.\-]*)")


class DependencyInstallError(RuntimeError):
    """The installer failed; ``output`` is the tail of what it printed."""

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output


class MissingDistributionError(DependencyInstallError):
    """A requirement names a distribution (or version) the index or wheelhouse does not have."""

    def __init__(self, missing: list[str], source: str, output: str = "") -> None:
        names = ", ".join(f"`{m}`" for m in missing)
        super().__init__(f"dependency {names} is not available from {source}", output)
        self.missing = missing
        self.source = source


@dataclass(frozen=True)
class DependencyEnvironment:
    """Where a dependency set is installed, and which requirements needed no install."""

    path: Path | None
    """The ``site-packages`` directory to put on the sandbox's ``PYTHONPATH`` (None: nothing had to be installed)."""
    installed: tuple[str, ...] = ()
    already_available: tuple[str, ...] = ()
    reused: bool = False
    """True when the cached directory served this set without running the installer."""


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/burr-codeagent/envs`` (``~/.cache/...`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "burr-codeagent" / "envs"


def _parse(requirements: Sequence[str]) -> list[Requirement]:
    parsed: list[Requirement] = []
    for text in requirements:
        if not text or not text.strip():
            continue
        try:
            parsed.append(Requirement(text.strip()))
        except InvalidRequirement as exc:
            raise DependencyInstallError(
                f"dependency {text.strip()!r} is not a valid requirement: {exc}"
            ) from exc
    return parsed


def _satisfied_here(requirement: Requirement) -> bool:
    """Whether the agent's own interpreter (which runs the tests) already has a matching distribution."""
    if requirement.marker is not None and not requirement.marker.evaluate():
        return True
    try:
        installed = version(requirement.name)
    except PackageNotFoundError:
        return False
    return not requirement.specifier or requirement.specifier.contains(installed, prereleases=True)


def _installer(preferred: str) -> list[str]:
    uv = shutil.which("uv")
    if preferred == "uv" and uv is None:
        raise DependencyInstallError(
            "installer 'uv' is not on PATH; install uv or set dependency installer to pip"
        )
    if preferred in ("uv", "auto") and uv is not None:
        return [uv, "pip", "install", "--python", sys.executable, "--quiet", "--no-build"]
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input"]
    return [*pip, "--only-binary", ":all:"]


def _source(index_url: str | None, find_links: Sequence[str], no_index: bool) -> tuple[list[str], str]:
    args: list[str] = []
    where: list[str] = []
    if no_index:
        args.append("--no-index")
    elif index_url:
        args += ["--index-url", index_url]
        where.append(f"the index {index_url}")
    else:
        where.append("the default index")
    for link in find_links:
        args += ["--find-links", link]
        where.append(f"the wheelhouse {link}")
    return args, " or ".join(where) or "nowhere (no index, no wheelhouse)"


def _missing(output: str, wanted: list[Requirement]) -> list[str]:
    names = {m.group(1) for m in _PIP_MISSING.finditer(output)}
    names |= {m.group(1) for m in _UV_MISSING.finditer(output)}
    names |= {m.group(1) for m in _UV_NO_VERSION.finditer(output)}
    if not names:
        return []
    by_name = {r.name.lower().replace("_", "-"): str(r) for r in wanted}
    found = []
    for name in sorted(names):
        base = re.split(r"[<>=!~\[]", name, maxsplit=1)[0].lower().replace("_", "-")
        found.append(by_name.get(base, name))
    return found


def prepare_environment(
    requirements: Sequence[str],
    *,
    cache_dir: Path | None = None,
    index_url: str | None = None,
    find_links: Sequence[str] = (),
    no_index: bool = False,
    installer: str = "auto",
    timeout: float = 600.0,
) -> DependencyEnvironment:
    """The environment for ``requirements``: installed into a cached directory unless the agent already has them.

    Raises:
        MissingDistributionError: a requirement is not available from the index or wheelhouse (names it).
        DependencyInstallError: the installer failed otherwise, or a requirement is malformed.
    """
    wanted = _parse(requirements)
    available = tuple(str(r) for r in wanted if _satisfied_here(r))
    todo = sorted({str(r) for r in wanted if str(r) not in available})
    if not todo:
        return DependencyEnvironment(None, (), available)
    source_args, source = _source(index_url, find_links, no_index)
    key_data = json.dumps([todo, source_args, sys.version_info[:2], sys.platform])
    key = hashlib.sha256(key_data.encode()).hexdigest()[:20]
    root = (cache_dir or default_cache_dir()) / key
    target = root / "site-packages"
    if (root / _COMPLETE).is_file() and target.is_dir():
        return DependencyEnvironment(target, tuple(todo), available, reused=True)
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{key}.", dir=root.parent))
    try:
        argv = [*_installer(installer), "--target", str(staging / "site-packages"), *source_args, *todo]
        # The installer (wheels only: it runs no package code) keeps the host's installer and proxy settings but
        # no other credentials.
        env = {k: v for k, v in os.environ.items() if not looks_secret(k) or k.startswith(("PIP_", "UV_"))}
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env, check=False)
        except subprocess.TimeoutExpired as exc:
            raise DependencyInstallError(
                f"installing {', '.join(todo)} took longer than {timeout:.0f} s"
            ) from exc
        output = (done.stdout + done.stderr)[-4_000:]
        if done.returncode != 0:
            missing = _missing(output, [Requirement(t) for t in todo])
            if missing:
                raise MissingDistributionError(missing, source, output)
            raise DependencyInstallError(f"installing {', '.join(todo)} failed", output)
        (staging / _COMPLETE).write_text("\n".join(todo) + "\n")
        staging.chmod(0o755)  # the sandbox may run the tests as an unprivileged uid
        try:
            staging.rename(root)
        except OSError:  # another check installed the same set meanwhile: use theirs
            if not (root / _COMPLETE).is_file():
                raise
        return DependencyEnvironment(target, tuple(todo), available)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
