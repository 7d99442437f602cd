"""Isolated execution of generated code and tests (DESIGN section 6).

Layers, strongest available first (:func:`resolve_isolation`): ``bwrap`` (bubblewrap namespaces and a read-only
root), ``unshare`` (namespaces plus private read-only mounts), ``none`` (the portable layer alone). Every run also
gets its own session, resource limits (:class:`ResourceLimits`), a scrubbed environment
(:func:`scrubbed_environment`), a wall-clock timeout that kills everything it started, and capped output; on Linux
a per-run cgroup (or, where none can be made, a subreaper) also limits processes and catches escaped daemons.

Running tests::

    from burr_codeagent.sandbox import PytestRun, Sandbox, run_pytest

    result = run_pytest(PytestRun(code=code, test_code=tests, timeout=10), Sandbox("auto"))
    result.outcome            # TestOutcome: counts, timed_out, isolation, every test (outcome.cases), output tail
    result.cases              # every test that ran, with its outcome, message and traceback tail
    result.problem            # why the run does not count (no report, killed, status disagrees), or None

Extending a run (coverage, mutation testing, acceptance tests): a :class:`PytestRun` takes extra pytest
``plugins`` (module names loaded with ``-p``; autoloading stays off), extra ``args``, extra ``files`` written into the
work dir before the run (a plugin module, a config file, more tests) and ``collect``, files the run writes that are
read back into :attr:`PytestResult.files`. For example, a plugin that writes ``mutants.json``::

    spec = PytestRun(code, tests, plugins=("_mutation_plugin",), files={"_mutation_plugin.py": PLUGIN_SOURCE},
                     collect=("mutants.json",), args=("-x",), env={"MUTANTS": "..."})
    result = run_pytest(spec, sandbox)
    data = result.files.get("mutants.json")   # bytes, or missing if the run never wrote it

A :class:`RunExtension` bundles plugins, files, collected files and environment so several measurements can share
one run: ``spec.extended(extension)`` adds one (and refuses one that would replace a file or setting).

Installed modules are importable read-only inside the sandbox (the agent's own interpreter runs pytest), so
``plugins=("pytest_cov",)`` works as well. Result files are data from untrusted code: parse them defensively.

At most :func:`sandbox_slots` runs (default: one per core; ``CODEAGENT_SANDBOX_SLOTS``, :func:`set_sandbox_slots`)
execute at once in a process; the others wait for a slot before their timeout starts.
"""

from __future__ import annotations

from .environment import looks_secret, scrubbed_environment
from .layers import Isolation, IsolationUnavailable, available, resolve_isolation
from .limits import ResourceLimits
from .pytest_run import PytestResult, PytestRun, RunExtension, TestCase, run_pytest
from .runner import RunResult, Sandbox, workdir
from .slots import sandbox_slots, set_sandbox_slots

__all__ = [
    "Isolation",
    "IsolationUnavailable",
    "PytestResult",
    "PytestRun",
    "ResourceLimits",
    "RunExtension",
    "RunResult",
    "Sandbox",
    "TestCase",
    "available",
    "looks_secret",
    "resolve_isolation",
    "run_pytest",
    "sandbox_slots",
    "scrubbed_environment",
    "set_sandbox_slots",
    "workdir",
]
