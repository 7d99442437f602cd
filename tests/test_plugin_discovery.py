"""Entry points of a group are what importlib.metadata.entry_points(group=...) returns, found without parsing
every installed distribution's entry points (issue 13: `codeagent check`'s start-up)."""

from __future__ import annotations

import importlib.metadata
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
