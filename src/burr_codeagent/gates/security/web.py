"""Flaws of web services beyond injection into a shell or SQL: templates, redirects, XML entities, JSON Web Tokens.

- ``security.template_injection`` (critical): a template *compiled* from a request's data (``jinja2.Template``,
  ``Environment.from_string``, ``flask.render_template_string``, Django's and Mako's ``Template``): template syntax
  runs code on the server. Only remote data counts: a library function compiling the template its caller passes is
  a template engine's job.
- ``security.open_redirect`` (warning): a redirect to a URL a request chose, unchecked (``url_has_allowed_host_and_
  scheme``, ``is_safe_url`` or a check on the host clears it): phishing links that start on the trusted site.
- ``security.xxe``: external entities switched on (``parser.setFeature(feature_external_ges, True)``,
  ``lxml.etree.XMLParser(resolve_entities=True)`` or ``no_network=False``) is critical; a request's XML parsed by
  lxml without a parser of its own is a warning (lxml before 5.0 resolves external entities by default).
- ``security.jwt_unverified`` (critical): ``jwt.decode`` told not to verify the signature (``options={
  "verify_signature": False}``, ``verify=False``) or to accept the ``none`` algorithm: any forged token passes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...models import Severity
from ._names import keyword
from .outgoing import checks_hosts
from .rule_hit import RuleHit, SinkContext

__all__ = ["web_flaws"]

_TEMPLATE_COMPILERS = frozenset(
    {
        "jinja2.Template",
        "jinja2.environment.Template",
        "flask.render_template_string",
        "django.template.Template",
        "mako.template.Template",
    }
)
_REDIRECTS = frozenset(
    {
        "flask.redirect",
        "werkzeug.utils.redirect",
        "django.shortcuts.redirect",
        "django.http.HttpResponseRedirect",
        "django.http.HttpResponsePermanentRedirect",
        "starlette.responses.RedirectResponse",
        "fastapi.responses.RedirectResponse",
        "redirect",
    }
)
_LXML_PARSERS = frozenset(
    {"lxml.etree.fromstring", "lxml.etree.parse", "lxml.etree.XML", "lxml.etree.iterparse"}
)
_JWT_DECODERS = frozenset({"jwt.decode", "jose.jwt.decode", "jwt.api_jwt.decode"})


def web_flaws(rules: SinkContext, call: ast.Call, name: str | None) -> Iterator[RuleHit]:
    """The findings of one call."""
    method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    if method == "from_string" and name is None:  # Environment(...).from_string(source)
        name = "from_string"
    if name is None:
        return
    if name in _TEMPLATE_COMPILERS or method == "from_string":
        yield from _template(rules, call, name)
    elif name in _REDIRECTS and name not in rules.taint.module.functions:
        yield from _redirect(rules, call, name)
    elif name in _LXML_PARSERS:
        yield from _lxml_data(rules, call, name)
    elif method == "setFeature" or name == "lxml.etree.XMLParser":
        yield from _entities_on(rules, call, name)
    elif name in _JWT_DECODERS:
        yield from _jwt(rules, call, name)


def _argument(call: ast.Call, *names: str) -> ast.expr | None:
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg in names), None)


def _remote(rules: SinkContext, value: ast.expr | None) -> str | None:
    taint = rules.taint.taint_of(value) if value is not None else None
    return taint.source if taint is not None and taint.remote else None


def _template(rules: SinkContext, call: ast.Call, name: str) -> Iterator[RuleHit]:
    source = _remote(rules, _argument(call, "source", "template_string", "text"))
    if source is not None:
        yield rules.hit(
            "security.template_injection",
            Severity.CRITICAL,
            f"A template built from {source} is compiled by {name}(): template syntax runs code on the server "
            "(server-side template injection).",
            call,
            "Render a fixed template and pass the data as variables: render_template('page.html', name=name).",
        )


def _redirect(rules: SinkContext, call: ast.Call, name: str) -> Iterator[RuleHit]:
    source = _remote(rules, _argument(call, "location", "url", "redirect_to", "to"))
    if source is None or checks_hosts(rules):
        return
    yield rules.hit(
        "security.open_redirect",
        Severity.WARNING,
        f"{name}() sends the browser to a URL from {source} (open redirect: a link on this site can lead to any "
        "other).",
        call,
        "Redirect only to paths of this site or allowed hosts: check url_has_allowed_host_and_scheme(url, "
        "allowed_hosts) (Django) or that urlparse(url).netloc is empty, else redirect to a default page.",
    )


def _lxml_data(rules: SinkContext, call: ast.Call, name: str) -> Iterator[RuleHit]:
    if keyword(call, "parser") is not None or len(call.args) > 1:
        return
    source = _remote(rules, _argument(call, "text", "source"))
    if source is not None:
        yield rules.hit(
            "security.xxe",
            Severity.WARNING,
            f"XML from {source} is parsed by {name}() with lxml's default parser, which before lxml 5.0 resolves "
            "external entities (XXE: local files can be read).",
            call,
            "Parse untrusted XML with defusedxml, or pass parser=lxml.etree.XMLParser(resolve_entities=False).",
        )


def _entities_on(rules: SinkContext, call: ast.Call, name: str) -> Iterator[RuleHit]:
    if name == "lxml.etree.XMLParser":
        on = [
            k.arg
            for k in call.keywords
            if (k.arg == "resolve_entities" and _is(k.value, True))
            or (k.arg == "no_network" and _is(k.value, False))
        ]
        what = f"lxml.etree.XMLParser({on[0]}=...)" if on else ""
    else:
        feature = call.args[0] if call.args else None
        label = feature.attr if isinstance(feature, ast.Attribute) else getattr(feature, "id", "")
        on = (
            [label]
            if label in ("feature_external_ges", "feature_external_pes") and _is(_second(call), True)
            else []
        )
        what = f"setFeature({label}, True)"
    if on:
        yield rules.hit(
            "security.xxe",
            Severity.CRITICAL,
            f"{what} lets a document's external entities read local files or reach internal URLs (XXE).",
            call,
            "Leave external entities off; parse untrusted XML with defusedxml.",
        )


def _second(call: ast.Call) -> ast.expr | None:
    return call.args[1] if len(call.args) > 1 else None


def _is(node: ast.expr | None, value: bool) -> bool:
    return isinstance(node, ast.Constant) and node.value is value


def _jwt(rules: SinkContext, call: ast.Call, name: str) -> Iterator[RuleHit]:
    reason = _unverified(call)
    if reason is not None:
        yield rules.hit(
            "security.jwt_unverified",
            Severity.CRITICAL,
            f"{name}() with {reason} does not check the token's signature: any forged token is accepted.",
            call,
            "Verify the signature: jwt.decode(token, key, algorithms=['HS256']).",
        )


def _unverified(call: ast.Call) -> str | None:
    """How a ``jwt.decode`` call skips the signature check, in words; None when it checks it."""
    verify = keyword(call, "verify")
    if verify is not None and _is(verify.value, False):
        return "verify=False"
    options = keyword(call, "options")
    if options is not None and isinstance(options.value, ast.Dict):
        for key, value in zip(options.value.keys, options.value.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "verify_signature" and _is(value, False):
                return 'options={"verify_signature": False}'
    algorithms = keyword(call, "algorithms")
    listed = (
        algorithms.value.elts if algorithms and isinstance(algorithms.value, ast.List | ast.Tuple) else []
    )
    if any(isinstance(e, ast.Constant) and str(e.value).lower() == "none" for e in listed):
        return 'the "none" algorithm'
    return None
