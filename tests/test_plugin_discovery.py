"""Entry points of a group are what importlib.metadata.entry_points(group=...) returns, found without parsing
every installed distribution's entry points (issue 13: `codeagent check`'s start-up)."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

from burr_codeagent.plugin_discovery import group_entry_points


def as_rows(found: object) -> list[tuple[str, str, str, str]]:
    return [(ep.group, ep.name, ep.value, ep.dist.name if ep.dist else "") for ep in found]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "group", ["console_scripts", "pytest11", "bandit.plugins", "burr_codeagent", "no.such"]
)
def test_the_same_entry_points_as_importlib_metadata(group: str) -> None:
    assert as_rows(group_entry_points(group)) == as_rows(importlib.metadata.entry_points(group=group))


def write_dist(folder: Path, version: str, entry_points: str) -> None:
    info = folder / f"shadowplug-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: shadowplug\nVersion: {version}\n")
    if entry_points:
        (info / "entry_points.txt").write_text(entry_points)


def test_a_shadowed_distribution_is_skipped_as_importlib_skips_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    write_dist(first, "2.0", "")  # earlier on sys.path, same name, no plugin
    write_dist(second, "1.0", "[burr_codeagent]\nold = shadowplug.old:plugin\n")
    monkeypatch.setattr(sys, "path", [str(first), str(second), *sys.path])
    assert as_rows(group_entry_points("burr_codeagent")) == as_rows(
        importlib.metadata.entry_points(group="burr_codeagent")
    )
    assert not [ep for ep in group_entry_points("burr_codeagent") if ep.name == "old"]
    monkeypatch.setattr(sys, "path", [str(second), *sys.path[2:]])
    assert [ep.value for ep in group_entry_points("burr_codeagent") if ep.name == "old"] == [
        "shadowplug.old:plugin"
    ]


def run_python(script: str, tmp_path: Path, *, path: Path | None = None) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(path or ""), os.environ.get("PYTHONPATH")])),
    }
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout.strip()


def test_without_pydantic_plugins_pydantic_parses_no_distribution_entry_points(tmp_path: Path) -> None:
    script = (
        "import importlib.metadata as m\n"
        "parsed = []\n"
        "original = m.Distribution.entry_points\n"
        "m.Distribution.entry_points = property(lambda d: parsed.append(d) or original.fget(d))\n"
        "from burr_codeagent.models import Finding\n"
        "Finding(gate='g', rule='g.r', severity='warning', message='m')\n"
        "from pydantic.plugin import _loader\n"
        "print(len(parsed), _loader._plugins)\n"
    )
    assert run_python(script, tmp_path) == "0 {}"


def test_an_installed_pydantic_plugin_still_sees_the_models(tmp_path: Path) -> None:
    site = tmp_path / "site"
    info = site / "probeplugin-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: probeplugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[pydantic]\nprobe = probe_plugin:plugin\n")
    (site / "probe_plugin.py").write_text(
        "SEEN = []\n"
        "class Probe:\n"
        "    def new_schema_validator(self, schema, schema_type, path, kind, config, settings):\n"
        "        SEEN.append(path.name)\n"
        "        return None, None, None\n"
        "plugin = Probe()\n"
    )
    script = (
        "from burr_codeagent.models import Finding\n"
        "import probe_plugin\n"
        "print('Finding' in probe_plugin.SEEN)\n"
    )
    assert run_python(script, tmp_path, path=site) == "True"


def test_a_plugin_installed_after_a_first_lookup_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.setattr(sys, "path", [str(site), *sys.path])
    assert not [ep for ep in group_entry_points("burr_codeagent") if ep.name == "old"]
    write_dist(
        site, "1.0", "[burr_codeagent]\nold = shadowplug.old:plugin\n"
    )  # as pip install would, same sys.path
    assert [ep.value for ep in group_entry_points("burr_codeagent") if ep.name == "old"] == [
        "shadowplug.old:plugin"
    ]
