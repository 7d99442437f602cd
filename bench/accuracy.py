"""Benchmark: how far users can trust the checker's verdicts on code nobody here wrote, side by side with bandit.

Run from the repository root::

    python bench/accuracy.py [--humaneval N] [--no-execution] [--only CORPUS ...] [--misses]

``--only sven cweval`` runs those corpora alone (``sven``, ``cweval``, ``codeql``, ``stdlib``, ``libraries``,
``humaneval``); ``--misses`` lists the vulnerable functions without a critical and the fixed or safe ones with one.

Corpora (``bench/corpora/``, each with its LICENSE and SOURCE.md):

* ``sven/pairs.jsonl``: real vulnerable functions (path traversal, OS command and SQL injection) and their fixed
  versions, from open-source security commits (SVEN, ETH Zurich, MIT).
* ``cweval/pairs.jsonl``: insecure reference functions and their secure versions for 20 CWEs (code execution,
  deserialisation, shell, SQL, paths, weak crypto, ...), labelled by the benchmark's own security tests (CWEval,
  Apache-2.0).
* ``codeql/functions.jsonl``: Flask/Django web handlers from CodeQL's Python security query tests (path, command,
  SQL and code injection, unsafe deserialisation, SSRF), each labelled vulnerable or safe by the test's own
  comments (MIT).
* ``humaneval_gpt4/answers.jsonl``: GPT-4's answers to HumanEval with the verdict of HumanEval's own tests
  (Reflexion, MIT); ``humaneval_gpt4_reflexion/answers.jsonl``: GPT-4's other answers, after Reflexion's rounds.
* well-regarded standard-library modules, read from the installed Python, and well-regarded modules of installed
  libraries (click, jinja2, werkzeug, markupsafe: BSD-3-Clause; attrs, rich, pluggy: MIT; requests, packaging:
  Apache-2.0), read from their installed copies (a library that is not installed is left out).

Printed: recall at critical and at warning-or-critical on the vulnerable functions, false flags on the fixed ones
(for SVEN and for CWEval),
criticals on the stdlib and library modules, for the checker's security gate and for plain bandit (one ``bandit -r`` over the
same files: HIGH severity as "critical", MEDIUM or HIGH as "warning-or-critical"); for HumanEval the share of
correct answers the full check accepts and the agreement of the execution gate with the official verdicts; the
slowest gate per file with its time.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from burr_codeagent import AgentConfig, CheckReport, Severity, check

CORPORA = Path(__file__).parent / "corpora"
CORPUS_NAMES = ["sven", "cweval", "codeql", "stdlib", "libraries", "humaneval"]
STDLIB = [
    "textwrap", "shlex", "fnmatch", "pprint", "dataclasses", "string", "heapq", "bisect", "functools",
    "contextlib", "json.decoder", "json.encoder", "csv", "argparse", "tarfile", "shutil", "subprocess",
    "http.server", "urllib.parse", "smtplib", "logging.handlers", "tempfile", "zipfile",
]  # fmt: skip


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def sven_pairs() -> list[dict[str, str]]:
    """SVEN's pairs as (vulnerable, fixed, CWE)."""
    return [
        {
            "insecure": p["before"],
            "secure": p["after"],
            "cwe": p["vul_type"],
            "id": f"{p['file_name']}:{p['func_name']}",
        }
        for p in read_jsonl(CORPORA / "sven" / "pairs.jsonl")
    ]


def cweval_pairs() -> list[dict[str, str]]:
    return read_jsonl(CORPORA / "cweval" / "pairs.jsonl")


HUMANEVAL = {
    "GPT-4's answers": CORPORA / "humaneval_gpt4" / "answers.jsonl",
    "GPT-4's answers after Reflexion": CORPORA / "humaneval_gpt4_reflexion" / "answers.jsonl",
}


# Well-regarded pure-Python modules of installed libraries (read from the installed copy, nothing vendored):
# click, jinja2, werkzeug, markupsafe (BSD-3-Clause), attrs, rich, pluggy (MIT), requests, packaging (Apache-2.0).
LIBRARIES = [
    "click.core", "click.termui", "click.utils", "click._compat", "jinja2.environment", "jinja2.lexer",
    "jinja2.filters", "jinja2.loaders", "jinja2.sandbox", "attr._make", "attr.validators", "requests.sessions",
    "requests.models", "requests.utils", "requests.adapters", "rich.console", "rich.text", "rich.table",
    "rich.markup", "werkzeug.utils", "werkzeug.security", "werkzeug.serving", "markupsafe", "pluggy._manager",
    "packaging.version", "packaging.specifiers",
]  # fmt: skip


def module_sources(names: list[str]) -> dict[str, str]:
    """The source of each module that is installed (a missing library is left out, with a word on stderr)."""
    sources: dict[str, str] = {}
    for name in names:
        try:
            module = importlib.import_module(name)
        except ImportError:
            print(f"  ({name} is not installed: left out)", file=sys.stderr)
            continue
        sources[name] = Path(str(module.__file__)).read_text(encoding="utf-8")
    return sources


def stdlib_sources() -> dict[str, str]:
    return module_sources(STDLIB)


def security_only() -> AgentConfig:
    return AgentConfig(enable_code_execution=False, tracking=False, gates={"enable": ["security"]})


def static_config() -> AgentConfig:
    return AgentConfig(enable_code_execution=False, tracking=False)


def worst(report: CheckReport, gate: str | None = None) -> Severity | None:
    severities = {f.severity for f in report.findings if gate is None or f.gate == gate}
    for severity in (Severity.CRITICAL, Severity.WARNING):
        if severity in severities:
            return severity
    return None


def plain_bandit(sources: dict[str, str]) -> dict[str, set[str]]:
    """One ``bandit -r`` over the sources written to files: file key -> the severities bandit reported."""
    with tempfile.TemporaryDirectory() as tmp:
        for key, source in sources.items():
            (Path(tmp) / f"{key}.py").write_text(source, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "bandit", "-q", "-r", tmp, "-f", "json"], capture_output=True, text=True
        )
        results = json.loads(done.stdout or "{}").get("results", [])
    found: dict[str, set[str]] = {key: set() for key in sources}
    for result in results:
        found[Path(result["filename"]).stem].add(result["issue_severity"])
    return found


def share(hits: Iterable[bool]) -> str:
    values = list(hits)
    return f"{sum(values)}/{len(values)} ({100 * sum(values) / max(len(values), 1):.0f} %)"


def slowest(reports: dict[str, CheckReport]) -> tuple[str, str, float]:
    """(file, gate, seconds) of the slowest gate run over all the reports."""
    return max(
        ((key, g.name, g.seconds) for key, r in reports.items() for g in r.gates), key=lambda item: item[2]
    )


def codeql_functions() -> tuple[list[dict[str, str]], list[str]]:
    """CodeQL's labelled handlers as (vulnerable, with their CWE) and the safe ones' code."""
    rows = read_jsonl(CORPORA / "codeql" / "functions.jsonl")
    vulnerable = [
        {"insecure": r["code"], "cwe": r["cwe"], "id": r["id"]} for r in rows if r["label"] == "vulnerable"
    ]
    return vulnerable, [r["code"] for r in rows if r["label"] == "safe"]


def print_misses(
    pairs: list[dict[str, str]], ours: dict[str, CheckReport], after: dict[str, str], ids: list[str]
) -> None:
    """The vulnerable functions that get no critical (by CWE, with their first lines) and the fixed or safe ones that
    get one (with the rules)."""
    for i, p in sorted(enumerate(pairs), key=lambda item: item[1]["cwe"].upper()):
        if worst(ours[f"v{i}"]) is not Severity.CRITICAL:
            rules = sorted({f.rule for f in ours[f"v{i}"].findings}) or ["nothing"]
            print(f"  MISS {p['cwe'].upper()} {ids[i]}: {', '.join(rules)}")
    for key in after:
        flagged = sorted(
            {f"{f.rule}:{f.line}" for f in ours[key].findings if f.severity is Severity.CRITICAL}
        )
        if flagged:
            print(f"  FALSE {key}: {', '.join(flagged)}")


def bench_security(
    title: str,
    pairs: list[dict[str, str]],
    safe: list[str] | None = None,
    misses: bool = False,
) -> None:
    """Vulnerable code and its secure versions: the pairs' ``secure`` halves, or ``safe`` when the corpus labels
    safe code apart from the vulnerable."""
    before = {f"v{i}": textwrap.dedent(p["insecure"]) for i, p in enumerate(pairs)}
    secure = [p["secure"] for p in pairs] if safe is None else safe
    after = {f"f{i}": textwrap.dedent(code) for i, code in enumerate(secure)}
    config = security_only()
    ours = {key: check(src, config=config) for key, src in {**before, **after}.items()}
    bandit = plain_bandit({**before, **after})
    print(f"\n{title}: {len(before)} vulnerable functions, {len(after)} fixed or safe ones")
    print(f"{'':44}{'checker (security)':>22}{'plain bandit':>22}")
    rows = [
        ("recall at critical (vulnerable)", before, lambda k: worst(ours[k]) is Severity.CRITICAL, {"HIGH"}),
        ("recall at warning-or-critical (vulnerable)", before, lambda k: worst(ours[k]) is not None, {"HIGH", "MEDIUM"}),
        ("critical on the fixed version", after, lambda k: worst(ours[k]) is Severity.CRITICAL, {"HIGH"}),
        ("warning-or-critical on the fixed version", after, lambda k: worst(ours[k]) is not None, {"HIGH", "MEDIUM"}),
    ]  # fmt: skip
    for label, keys, ours_flag, bandit_levels in rows:
        print(
            f"{label:44}{share(ours_flag(k) for k in keys):>22}"
            f"{share(bool(bandit[k] & bandit_levels) for k in keys):>22}"
        )
    by_cwe: dict[str, list[bool]] = {}
    for i, p in enumerate(pairs):
        by_cwe.setdefault(p["cwe"].upper(), []).append(worst(ours[f"v{i}"]) is Severity.CRITICAL)
    print("  critical recall by CWE: " + ", ".join(f"{c} {share(v)}" for c, v in sorted(by_cwe.items())))
    _, gate, seconds = slowest(ours)
    print(f"  slowest gate on one function: {gate} {seconds * 1000:.0f} ms")
    if misses:
        print_misses(pairs, ours, after, [p.get("id", f"v{i}") for i, p in enumerate(pairs)])


def bench_modules(title: str, sources: dict[str, str]) -> None:
    """Mature modules through the static gates: every critical is a false alarm."""
    config = static_config()
    reports = {m: check(src, config=config) for m, src in sources.items()}
    bandit = plain_bandit({m.replace(".", "_"): s for m, s in sources.items()})
    print(f"\n{title}, static gates")
    print(f"{'module':24}{'lines':>7}{'criticals':>11}{'bandit HIGH':>13}  slowest gate")
    total = 0
    for module, report in reports.items():
        criticals = [f.rule for f in report.findings if f.severity is Severity.CRITICAL]
        total += bool(criticals)
        gate = max(report.gates, key=lambda g: g.seconds)
        lines = sources[module].count("\n")
        high = "yes" if "HIGH" in bandit[module.replace(".", "_")] else "-"
        print(
            f"{module:24}{lines:>7}{len(criticals):>11}{high:>13}  {gate.name} {gate.seconds * 1000:.0f} ms"
        )
        for rule, count in Counter(criticals).items():
            print(f"{'':24}  {count} x {rule}")
    print(f"modules with a critical: {total}/{len(reports)}")


def humaneval_tests(answer: dict[str, object]) -> str:
    """HumanEval's own ``check(candidate)`` as a pytest module importing the answer from ``solution``.

    HumanEval runs its test in the answer's namespace, so a test may call the prompt's own helpers
    (``encode_cyclic`` beside ``decode_cyclic``): every top-level name of the answer the test uses is imported.
    """
    name = str(answer["entry_point"])
    test = str(answer["test"])
    used = {n.id for n in ast.walk(ast.parse(test)) if isinstance(n, ast.Name)}
    defined = {
        n.name
        for n in ast.parse(str(answer["solution"])).body
        if isinstance(n, ast.FunctionDef | ast.ClassDef) and n.name in used and n.name != name
    }
    parts = [
        f"from solution import {', '.join([name, *sorted(defined)])}",
        str(answer["test"]).strip(),
        f"def test_humaneval():\n    check({name})",
    ]
    return "\n\n\n".join(parts) + "\n"


def bench_humaneval(title: str, path: Path, limit: int, execution: bool) -> None:
    answers = read_jsonl(path)[:limit]
    config = AgentConfig(enable_code_execution=execution, tracking=False)
    reports: dict[str, CheckReport] = {}
    for answer in answers:
        code, tests = str(answer["solution"]), humaneval_tests(answer)
        reports[str(answer["task_id"])] = check(
            code, tests, config=config, function_name=str(answer["entry_point"])
        )
    solved = [a for a in answers if a["is_solved"]]
    print(f"\nHumanEval, {title} ({len(answers)}; {len(solved)} correct by HumanEval's own tests)")
    print(
        f"  correct answers the full check accepts: {share(reports[str(a['task_id'])].passed for a in solved)}"
    )
    wrong = [a for a in answers if not a["is_solved"]]
    if wrong:
        print(
            f"  incorrect answers the full check accepts: {share(reports[str(a['task_id'])].passed for a in wrong)}"
        )
    if execution and wrong:
        agree = []
        for a in answers:
            outcome = reports[str(a["task_id"])].tests
            agree.append(bool(outcome and outcome.succeeded) == bool(a["is_solved"]))
        print(f"  execution gate agrees with the official verdict: {share(agree)}")
    rejected = [reports[str(a["task_id"])] for a in solved if not reports[str(a["task_id"])].passed]
    blocking = Counter(f.rule for r in rejected for f in r.findings if f.severity is Severity.CRITICAL)
    print(
        "  criticals on correct answers: "
        + (", ".join(f"{r} x{n}" for r, n in blocking.most_common(8)) or "none")
    )
    over = Counter(
        f.rule for r in rejected if not r.critical_count for f in r.findings if f.severity is Severity.WARNING
    )
    print(
        f"  rejected on warnings alone: {sum(1 for r in rejected if not r.critical_count)}"
        + (" (" + ", ".join(f"{r} x{n}" for r, n in over.most_common(6)) + ")" if over else "")
    )
    for a in solved:
        report = reports[str(a["task_id"])]
        if not report.passed:
            counted = [f.rule for f in report.findings if f.severity in (Severity.CRITICAL, Severity.WARNING)]
            print(
                f"    rejected {a['task_id']}: " + ", ".join(f"{r} x{n}" for r, n in Counter(counted).items())
            )
    times = [max(g.seconds for g in r.gates) for r in reports.values()]
    key, gate, seconds = slowest(reports)
    print(f"  slowest gate per answer: median {statistics.median(times) * 1000:.0f} ms; worst {gate} "
          f"{seconds * 1000:.0f} ms ({key})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--humaneval", type=int, default=164, help="how many HumanEval answers to check")
    parser.add_argument("--no-execution", action="store_true", help="HumanEval without running the tests")
    parser.add_argument(
        "--only", nargs="+", choices=CORPUS_NAMES, default=CORPUS_NAMES, help="corpora to run"
    )
    parser.add_argument("--misses", action="store_true", help="list missed and falsely flagged functions")
    args = parser.parse_args()
    if "sven" in args.only:
        bench_security("SVEN (CWE-022/078/089)", sven_pairs(), misses=args.misses)
    if "cweval" in args.only:
        bench_security("CWEval (Python)", cweval_pairs(), misses=args.misses)
    if "codeql" in args.only:
        bench_security("CodeQL's query tests (web handlers)", *codeql_functions(), misses=args.misses)
    if "stdlib" in args.only:
        bench_modules(
            f"Well-regarded standard-library modules (Python {sys.version.split()[0]})", stdlib_sources()
        )
    if "libraries" in args.only:
        bench_modules("Well-regarded library modules (installed copies)", module_sources(LIBRARIES))
    if "humaneval" in args.only:
        for title, path in HUMANEVAL.items():
            bench_humaneval(title, path, args.humaneval, not args.no_execution)


if __name__ == "__main__":
    main()
