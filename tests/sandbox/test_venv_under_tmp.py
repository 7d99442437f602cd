"""An interpreter living under /tmp (a virtualenv made there, as CI systems do) keeps the strongest sandbox:
bubblewrap's fresh /tmp must not hide it."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

from burr_codeagent.sandbox import available


@pytest.mark.skipif(not available("bwrap"), reason="bubblewrap is not usable on this machine")
def test_bwrap_works_for_a_virtualenv_under_tmp(tmp_path: Path) -> None:
    assert str(tmp_path).startswith("/tmp/"), "pytest's tmp_path is expected under /tmp here"
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    src = Path(__file__).resolve().parents[2] / "src"
    probe = (
        f"import sys; sys.path.insert(0, {str(src)!r}); "
        "from burr_codeagent.sandbox import resolve_isolation; print(resolve_isolation('auto'))"
    )
    done = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "bwrap"
    assert sys.prefix != str(env_dir)  # the probe really ran in the other interpreter
