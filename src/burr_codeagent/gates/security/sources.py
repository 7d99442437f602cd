"""Where untrusted data comes from and what cleans it: the names the taint analysis (:mod:`.taint`) knows.

Sources a call returns: ``input()``, ``os.getenv()``, ``parse_args()``, ``socket.recv()``; a CGI form
(``cgi.FieldStorage()``) and a web form object (``MovieForm()``: Flask-WTF and WTForms bind the request's data to
it) are remote. Request objects and their data attributes are in :data:`REQUEST_DATA`.
"""

from __future__ import annotations

import ast
import re
import sys

__all__ = [
    "REQUEST_DATA",
    "REQUEST_MODULES",
    "ROUTE_DECORATORS",
    "SANITISERS",
    "SINK_SANITISERS",
    "called_source",
]

# Calls whose result is safe for every sink: numbers, parsed literals, identifiers, and file names reduced to
# letters, digits, "._-" (werkzeug's secure_filename).
SANITISERS = frozenset(
    {
        "int",
        "float",
        "bool",
        "len",
        "abs",
        "round",
        "hash",
        "ast.literal_eval",
        "werkzeug.utils.secure_filename",
        "uuid.UUID",
        "ipaddress.ip_address",
    }
)
# Calls that make a value safe for one kind of sink only: `os.path.basename(x)` keeps `;` and `$(...)`, and
# `html.escape(x)` keeps the quote SQL needs.
SINK_SANITISERS = {
    "shlex.quote": "shell",
    "pipes.quote": "shell",
    "os.path.basename": "path",
    "posixpath.basename": "path",
    "html.escape": "html",
    "markupsafe.escape": "html",
    "ldap.filter.escape_filter_chars": "ldap",
    "ldap3.utils.conv.escape_filter_chars": "ldap",
}
# Attributes of a request object that hold what the client sent.
REQUEST_DATA = frozenset(
    {
        "args",
        "form",
        "values",
        "json",
        "get_json",
        "data",
        "get_data",
        "files",
        "cookies",
        "headers",
        "GET",
        "POST",
        "FILES",
        "COOKIES",
        "META",
        "body",
        "query_params",
        "path_params",
        "query_string",
        "stream",
        "url",
        "path",
        "full_path",
        "params",
        "query",
        "match_info",
        "content",
        "text",
        "read",
        "post",
    }
)
REQUEST_MODULES = ("flask.request", "quart.request", "bottle.request", "sanic.request")
ROUTE_DECORATORS = frozenset(
    {"route", "get", "post", "put", "patch", "delete", "head", "options", "api_route", "websocket"}
)


def called_source(call: ast.Call, name: str) -> tuple[str, bool] | None:
    """(the source in words, whether it is remote) when ``call`` (resolved to ``name``) returns untrusted data."""
    if name in ("input", "raw_input"):
        return "input()", False
    if name in ("os.getenv", "os.environ.get"):
        return "os.getenv()", False
    if name == "cgi.FieldStorage":
        return "the CGI form (cgi.FieldStorage())", True
    if isinstance(call.func, ast.Attribute):
        if call.func.attr == "parse_args":
            return "the command-line arguments (parse_args)", False
        if call.func.attr in ("recv", "recvfrom", "recv_into"):
            return "socket data (recv)", True
    form = name.rsplit(".", 1)[-1]
    if _FORM_CLASS.match(form) and name.split(".")[0] not in sys.stdlib_module_names and _binds_request(call):
        return f"the submitted form ({form}())", True
    return None


# A web form class: MovieForm, LoginForm, FlaskForm subclasses (not "Form" alone: too many things are called that).
_FORM_CLASS = re.compile(r"^[A-Z]\w*[a-z0-9]Form$")


def _binds_request(call: ast.Call) -> bool:
    """``MovieForm()`` (Flask-WTF binds the request itself) or ``MovieForm(request.form)``."""
    if not call.args:
        return not call.keywords or all(k.arg in ("prefix", "meta", "obj") for k in call.keywords)
    first = call.args[0]
    return isinstance(first, ast.Attribute) and first.attr in ("form", "POST", "GET", "args", "data")
