"""The ``security`` gate: bandit (in process, behind an adapter) plus syntax-tree rules for what bandit misses.

Severity policy for bandit's results: HIGH severity with at least MEDIUM confidence is critical, any other HIGH and
every MEDIUM is a warning, LOW is info. Two adjustments: ``B324`` (MD5/SHA-1 without ``usedforsecurity=False``) is
a warning, because checksums and cache keys use those hashes legitimately; hashing a *password* with them is the
critical ``security.weak_password_hash``. And bandit's hard-coded password tests (``B105``-``B107``), which flag any
string assigned to a name containing "password" or "token", are replaced by ``security.hardcoded_secret``.

When a syntax-tree rule and bandit report the same problem on the same line, only the rule's finding is kept.

``# nosec`` comments (bandit's syntax, optionally naming tests or rule ids) are honoured when the check runs on a
user's own code (``codeagent check``, :func:`burr_codeagent.check`): the silenced findings are listed in the
report's ``suppressed``. Inside the agent loop the model's own ``# nosec`` is not honoured (code must not switch off
its own review), and the finding says so, so the model fixes the code instead. The ``honour_nosec`` option
overrides either default.

Layout: :mod:`.taint` (sources and flows), :mod:`.sinks`, :mod:`.credentials`, :mod:`.context` (lifts and
flow-aware drops of bandit results), :mod:`.rules` (runs them), :mod:`.nosec`, and the bandit adapter.
"""

from __future__ import annotations

import ast
import functools
import tokenize
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

from ...hookspecs import hookimpl
from ...models import Finding, Severity
from ..base import Gate, GateContext, GateSkipped
from .nosec import nosec_lines, silenced
from .rules import RULES as AST_RULES
from .rules import SUPERSEDES, analyse

if TYPE_CHECKING:
    from ._bandit_adapter import BanditIssue

__all__ = ["SecurityGate", "bandit_severity", "register_gates"]

Target = Literal["code", "tests"]

# Replaced by security.hardcoded_secret, which looks at whole words of the name and at the value.
SKIP_ALWAYS = ("B105", "B106", "B107")
NOSEC_NOT_HONOURED = " (The `# nosec` on this line is not honoured for generated code: fix the code instead.)"
# pytest tests are made of assert statements.
SKIP_IN_TESTS = ("B101",)
# Importing or calling a plaintext protocol's module (telnet, FTP) is a design choice to review, not a flaw on its
# own: bandit rates these HIGH, which would fail mature code such as urllib.request for supporting ftp:// URLs.
SEVERITY_OVERRIDES: Mapping[str, Severity] = {
    "B324": Severity.WARNING,
    "B312": Severity.WARNING,
    "B321": Severity.WARNING,
    "B401": Severity.WARNING,
    "B402": Severity.WARNING,
}

BANDIT_RULES = {
    "security.B101": "assert used (removed under python -O).",
    "security.B102": "exec() used.",
    "security.B103": "File permissions set too permissive.",
    "security.B104": "Binding to all interfaces.",
    "security.B108": "Hard-coded temporary file or directory.",
    "security.B110": "try/except/pass.",
    "security.B113": "HTTP request without a timeout.",
    "security.B201": "Flask app run with debug=True.",
    "security.B301": "pickle used to deserialise data.",
    "security.B307": "eval() used.",
    "security.B310": "urlopen of a URL whose scheme is not restricted (file:// reads local files).",
    "security.B311": "Standard pseudo-random generator used for security.",
    "security.B324": "Weak hash (MD5/SHA-1) used without usedforsecurity=False.",
    "security.B501": "TLS certificate verification disabled.",
    "security.B506": "yaml.load() without a safe loader.",
    "security.B602": "subprocess call with shell=True.",
    "security.B605": "A shell started with os.system or similar.",
    "security.B608": "SQL built from strings.",
}


def bandit_severity(issue: BanditIssue) -> Severity:
    """The severity of a bandit issue under this project's policy (see the module docstring)."""
    override = SEVERITY_OVERRIDES.get(issue.test_id)
    if override is not None:
        return override
    if issue.severity == "HIGH":
        return Severity.CRITICAL if issue.confidence in ("MEDIUM", "HIGH") else Severity.WARNING
    if issue.severity == "MEDIUM":
        return Severity.WARNING
    return Severity.INFO


class SecurityGate:
    """bandit plus syntax-tree rules for SQL injection, missing timeouts, path traversal, secrets and injection."""

    name = "security"
    description = (
        "bandit (pinned, in process) plus ast rules: SQL by string building, timeouts, path traversal."
    )
    rules: Mapping[str, str] = {**BANDIT_RULES, **AST_RULES}
    # bandit visits every node with every test: the slowest static tool, so twice the default budget.
    time_budget = 2.0

    def prepare(self) -> None:
        """Load bandit's test set once, outside the time budget."""
        from ._bandit_adapter import warm_up

        warm_up()

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        """Scan the code and the tests; option ``honour_nosec`` (default: the checker's mode, see the module)."""
        honour_nosec = _bool_option(ctx.options, "honour_nosec", ctx.honour_nosec)
        targets: list[tuple[Target, ast.Module]] = []
        if ctx.code_tree is not None:
            targets.append(("code", ctx.code_tree))
        if ctx.test_code and ctx.test_tree is not None:
            targets.append(("tests", ctx.test_tree))
        if not targets:
            raise GateSkipped("nothing parses; see the syntax gate")
        for target, tree in targets:
            source = ctx.source(target)
            nosec = nosec_lines(source, functools.partial(_tokens, ctx, target))
            for found, ids in _scan_target(source, tree, target, ctx):
                if not silenced(nosec, found.line, found.end_line, ids):
                    yield found
                elif honour_nosec:
                    ctx.suppress(found)
                else:
                    yield found.model_copy(update={"message": found.message + NOSEC_NOT_HONOURED})


def _tokens(ctx: GateContext, target: Target) -> tuple[tokenize.TokenInfo, ...]:
    return ctx.tokens(target).tokens


def _scan_target(
    source: str, tree: ast.Module, target: Target, ctx: GateContext
) -> Iterator[tuple[Finding, set[str]]]:
    """Every finding with the ids a ``# nosec`` may name it by."""
    from ._bandit_adapter import scan

    analysis = analyse(tree, target)
    superseded: set[tuple[str, int]] = set(analysis.dropped)
    for hit in analysis.hits:
        for test_id in SUPERSEDES[hit.finding.rule]:
            superseded.update((test_id, line) for line in hit.lines)
    skip = SKIP_ALWAYS + (SKIP_IN_TESTS if target == "tests" else ())
    filename = "solution.py" if target == "code" else "test_solution.py"
    seen: set[tuple[str, int | None]] = set()
    for hit in analysis.hits:
        rule = hit.finding.rule
        key = (rule, hit.finding.line)
        if key not in seen:
            seen.add(key)
            yield hit.finding, {rule, rule.split(".", 1)[1], *SUPERSEDES[rule]}
    if ctx.out_of_time():
        ctx.cut_short(f"bandit's scan of the {target}")
        return
    for issue in scan(source, filename=filename, skip=skip, tree=tree):
        key = (f"security.{issue.test_id}", issue.line)
        if (issue.test_id, issue.line) in superseded or key in seen:
            continue
        seen.add(key)
        found = _bandit_finding(issue, target)
        if (issue.test_id, issue.line) in analysis.lowered and found.severity is Severity.CRITICAL:
            found = found.model_copy(update={"severity": Severity.WARNING})
        yield found, {issue.test_id, issue.test_name, key[0]}


def _bandit_finding(issue: BanditIssue, target: Target) -> Finding:
    cwe = f" (CWE-{issue.cwe})" if issue.cwe else ""
    return Finding(
        gate="security",
        rule=f"security.{issue.test_id}",
        severity=bandit_severity(issue),
        message=f"{issue.text}{cwe} [bandit {issue.test_name}, {issue.severity.lower()} severity, "
        f"{issue.confidence.lower()} confidence]",
        line=issue.line,
        column=issue.column,
        end_line=issue.end_line,
        end_column=issue.end_column,
        target=target,
        suggestion=_SUGGESTIONS.get(issue.test_id, f"See bandit's documentation for {issue.test_id}."),
    )


_SUGGESTIONS = {
    "B102": "Avoid exec(); call the code directly or dispatch on a whitelist.",
    "B104": "Bind to 127.0.0.1 unless the service must be reachable from other hosts.",
    "B108": "Use tempfile.mkstemp() / tempfile.TemporaryDirectory().",
    "B113": "Pass timeout=10 (seconds) to every request.",
    "B301": "Deserialise untrusted data with json, never pickle.",
    "B307": "Use ast.literal_eval() for literals, or parse the input yourself.",
    "B310": "Check the scheme first: if urlparse(url).scheme not in ('http', 'https'): raise ValueError(...).",
    "B311": "Use the secrets module for tokens, passwords and keys.",
    "B324": "Pass usedforsecurity=False for checksums; use hashlib.scrypt/pbkdf2_hmac for passwords.",
    "B501": "Keep certificate verification on (verify=True).",
    "B506": "Use yaml.safe_load().",
    "B602": "Pass an argument list and drop shell=True.",
    "B605": "Use subprocess.run([...]) with an argument list.",
    "B608": "Use query placeholders and pass the values separately.",
}


def _bool_option(options: Mapping[str, Any], key: str, default: bool) -> bool:
    value = options.get(key, default)
    if not isinstance(value, bool):
        raise ValueError(f"security option {key} must be true or false, got {value!r}")
    return value


@hookimpl
def register_gates(register: Callable[[Gate], None]) -> None:
    """Register the ``security`` gate."""
    register(SecurityGate())
