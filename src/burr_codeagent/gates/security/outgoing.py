"""Outgoing HTTP requests: a URL a request chose (server-side request forgery) and requests without a timeout."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...models import Severity
from ._names import is_none, keyword
from .rule_hit import RuleHit, SinkContext

__all__ = ["HTTP_VERBS", "checks_hosts", "outgoing_requests"]

HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
HTTP_CLIENTS = frozenset({"requests", "httpx", "urllib3"})
# Checks on a URL's host that make an outgoing request to a user-chosen URL deliberate.
_HOST_CHECKS = frozenset({"hostname", "netloc", "host"})


def outgoing_requests(rules: SinkContext, call: ast.Call, name: str | None) -> Iterator[RuleHit]:
    """The findings of one call: SSRF and missing timeouts."""
    yield from _timeout(rules, call, name)
    yield from _ssrf(rules, call, name)


def _ssrf(rules: SinkContext, call: ast.Call, name: str | None) -> Iterator[RuleHit]:
    if name is None:
        return
    module, _, verb = name.rpartition(".")
    url: ast.expr | None = None
    given = keyword(call, "url")
    if module in HTTP_CLIENTS and verb in HTTP_VERBS:
        position = 1 if verb == "request" else 0
        url = given.value if given else (call.args[position] if len(call.args) > position else None)
    elif name in ("urllib.request.urlopen", "urllib.request.Request", "urllib.request.urlretrieve"):
        url = given.value if given else (call.args[0] if call.args else None)
    if url is None:
        return
    taint = rules.taint.taint_of(url)
    if taint is None or not taint.remote or checks_hosts(rules):
        return
    yield rules.hit(
        "security.ssrf",
        Severity.CRITICAL,
        f"A URL from {taint.source} is fetched by {name}() (server-side request forgery: internal services "
        "and cloud metadata are reachable).",
        call,
        "Parse the URL and allow only known hosts and the http/https schemes before fetching it.",
    )


def checks_hosts(rules: SinkContext) -> bool:
    """Whether the scope compares a URL's host with something (``urlparse(url).hostname in ALLOWED``)."""
    return any(
        isinstance(node, ast.Compare)
        and any(
            isinstance(n, ast.Attribute) and n.attr in _HOST_CHECKS for n in [node.left, *node.comparators]
        )
        for node in rules.taint.nodes.of(ast.Compare)
    )


def _timeout(rules: SinkContext, call: ast.Call, name: str | None) -> Iterator[RuleHit]:
    if name is None:
        return
    module, _, verb = name.rpartition(".")
    timeout = keyword(call, "timeout")
    if module == "requests" and verb in HTTP_VERBS:
        if timeout is None or is_none(timeout.value):
            yield rules.hit(
                "security.no_timeout",
                Severity.WARNING,
                f"{name}() without a timeout waits forever on a server that does not answer.",
                call,
                "Pass timeout=(connect_seconds, read_seconds), e.g. timeout=10.",
            )
    elif module == "httpx" and verb in HTTP_VERBS | {"stream", "Client", "AsyncClient"}:
        if timeout is not None and is_none(timeout.value):
            yield rules.hit(
                "security.no_timeout",
                Severity.WARNING,
                f"{name}(timeout=None) disables httpx's timeout.",
                call,
                "Pass a finite timeout, e.g. timeout=10.",
            )
    elif (
        name == "urllib.request.urlopen"
        and (timeout is None or is_none(timeout.value))
        and len(call.args) < 3
    ):
        yield rules.hit(
            "security.no_timeout",
            Severity.WARNING,
            "urlopen() without a timeout waits forever on a server that does not answer.",
            call,
            "Pass timeout=10 (seconds).",
        )
