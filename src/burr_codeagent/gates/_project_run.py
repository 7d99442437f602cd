"""The sandboxed test run of a module inside a project: the tests import it as the project does.

The checked text is written as ``solution.py`` in the work dir (it may differ from the file on disk: an attempt of
``codeagent improve``). A pytest plugin loaded with ``-p`` before collection puts a finder first on
``sys.meta_path`` that loads exactly the module's dotted name (``pkg.mod``) from that file, so its package
(``pkg``, with its ``__init__`` and siblings) comes from the project, its relative imports resolve, and the tests'
``from pkg.mod import f``, ``from pkg import mod`` and ``mock.patch("pkg.mod.x")`` all reach the checked code. The
project is mounted read-only (:func:`~burr_codeagent.gates._sandboxed.sandbox_for`) and its import root is on
``PYTHONPATH`` (:func:`~burr_codeagent.gates._sandboxed.dependency_env_vars`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..module_under_test import ModuleUnderTest

if TYPE_CHECKING:
    from ..sandbox import RunExtension

__all__ = ["PLUGIN", "module_extension"]

PLUGIN = "_codeagent_module"
_PLUGIN_SOURCE = '''\
"""Loads the module under test (CODEAGENT_MODULE_NAME) from solution.py in this directory, under its own name."""
import importlib.abc
import importlib.util
import os
import sys

_NAME = os.environ["CODEAGENT_MODULE_NAME"]
_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "solution.py")


class _ModuleUnderTest(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname != _NAME:
            return None
        return importlib.util.spec_from_file_location(fullname, _FILE)


sys.meta_path.insert(0, _ModuleUnderTest())
'''


def module_extension(module: ModuleUnderTest) -> RunExtension:
    """What the run of a module in a project adds: the plugin that imports the checked text as ``module.name``."""
    from ..sandbox import RunExtension

    return RunExtension(
        plugins=(PLUGIN,),
        files={f"{PLUGIN}.py": _PLUGIN_SOURCE},
        env={"CODEAGENT_MODULE_NAME": module.name},
    )
