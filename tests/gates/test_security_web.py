"""Sinks beyond shells and SQL: XPath and LDAP queries, templates, redirects, XML entities, JWTs, interpreters."""

from __future__ import annotations

from burr_codeagent import Severity

from ._security import security


def found(code: str) -> dict[tuple[str, int | None], Severity]:
    return {(f.rule, f.line): f.severity for f in security(code) if f.rule.startswith("security.")}


def test_xpath_built_from_a_parameter_is_injection_variables_are_not() -> None:
    """CWEval's `root.xpath(f"//student[username='{username}' and password='{password}']")`."""
    code = """\
    from lxml import etree


    def get_student(xml_data: str, username: str, password: str):
        root = etree.fromstring(xml_data)
        query = f"//student[username='{username}' and password='{password}']"
        return root.xpath(query)


    def get_student_safely(xml_data: str, username: str, password: str):
        root = etree.fromstring(xml_data)
        return root.xpath("//student[username=$u and password=$p]", u=username, p=password)
    """
    hits = found(code)
    assert hits[("security.xpath_injection", 7)] is Severity.CRITICAL
    assert not any(rule == "security.xpath_injection" and line > 7 for rule, line in hits)


def test_an_ldap_filter_built_from_a_request_is_injection_unless_escaped() -> None:
    code = """\
    import ldap
    from flask import request


    def find_user():
        user = request.args["user"]
        conn = ldap.initialize("ldap://localhost")
        return conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, f"(uid={user})")
    """
    assert found(code)[("security.ldap_injection", 8)] is Severity.CRITICAL
    escaped = code.replace('f"(uid={user})"', 'f"(uid={escape_filter_chars(user)})"').replace(
        "import ldap\n", "import ldap\nfrom ldap.filter import escape_filter_chars\n"
    )
    assert ("security.ldap_injection", 9) not in found(escaped)
    searched = "import re\n\n\ndef words(text: str):\n    return re.search(f'({text})', 'abc')\n"
    assert found(searched) == {}


def test_a_template_compiled_from_a_request_is_template_injection() -> None:
    code = """\
    from flask import render_template_string, request
    from jinja2 import Environment


    def hello():
        name = request.args.get("name", "")
        return render_template_string("<h1>Hello " + name + "</h1>")


    def page():
        return Environment().from_string(request.form["template"]).render()


    def safe(name: str):
        return render_template_string("<h1>Hello {{ name }}</h1>", name=request.args["name"])


    def library(template: str) -> str:
        return Environment().from_string(template).render()
    """
    hits = found(code)
    assert hits[("security.template_injection", 7)] is Severity.CRITICAL
    assert hits[("security.template_injection", 11)] is Severity.CRITICAL
    assert not any(rule == "security.template_injection" and line > 11 for rule, line in hits)


def test_a_redirect_to_a_requested_url_is_an_open_redirect_unless_checked() -> None:
    code = """\
    from django.http import HttpResponseRedirect
    from django.utils.http import url_has_allowed_host_and_scheme


    def login_done(request):
        target = request.GET.get("next", "/")
        return HttpResponseRedirect(target)


    def login_checked(request):
        target = request.GET.get("next", "/")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={"example.com"}):
            return HttpResponseRedirect(target)
        return HttpResponseRedirect("/")
    """
    hits = found(code)
    assert hits[("security.open_redirect", 7)] is Severity.WARNING
    assert ("security.open_redirect", 13) not in hits


def test_external_xml_entities_switched_on_is_xxe() -> None:
    code = """\
    import xml.sax
    from xml.sax.handler import feature_external_ges

    from lxml import etree


    def parser():
        handler = xml.sax.make_parser()
        handler.setFeature(feature_external_ges, True)
        return handler


    def lxml_parser():
        return etree.XMLParser(resolve_entities=True)


    def off():
        handler = xml.sax.make_parser()
        handler.setFeature(feature_external_ges, False)
        return etree.XMLParser(resolve_entities=False)
    """
    hits = {k: v for k, v in found(code).items() if k[0] == "security.xxe"}
    assert hits == {("security.xxe", 9): Severity.CRITICAL, ("security.xxe", 14): Severity.CRITICAL}


def test_a_requests_xml_parsed_by_lxmls_default_parser_is_a_warning() -> None:
    code = """\
    from flask import request
    from lxml import etree


    def upload():
        return etree.fromstring(request.data).tag


    def upload_safely():
        return etree.fromstring(request.data, parser=etree.XMLParser(resolve_entities=False)).tag
    """
    hits = {k: v for k, v in found(code).items() if k[0] == "security.xxe"}
    assert hits == {("security.xxe", 6): Severity.WARNING}


def test_jwt_decode_without_verification_is_critical() -> None:
    """CWEval's `jwt.decode(token, key, options={"verify_signature": False})`."""
    code = """\
    import jwt


    def claims(token: str, key: str) -> dict:
        return jwt.decode(token, key, options={"verify_signature": False})


    def claims_none(token: str, key: str) -> dict:
        return jwt.decode(token, key, algorithms=["none"])


    def claims_verified(token: str, key: str) -> dict:
        return jwt.decode(token, key, algorithms=["HS256"])
    """
    hits = {k: v for k, v in found(code).items() if k[0] == "security.jwt_unverified"}
    assert hits == {
        ("security.jwt_unverified", 5): Severity.CRITICAL,
        ("security.jwt_unverified", 9): Severity.CRITICAL,
    }


def test_data_handed_to_an_interpreter_with_dash_c_is_code_injection() -> None:
    code = """\
    import subprocess
    import sys

    from flask import request


    def run_snippet():
        return subprocess.run([sys.executable, "-c", request.form["code"]], capture_output=True).stdout


    def run_shell():
        return subprocess.run(["bash", "-c", "echo " + request.args["word"]], capture_output=True).stdout


    def run_fixed():
        return subprocess.run(["bash", "-c", "echo hello", request.args["word"]], capture_output=True).stdout
    """
    hits = {k: v for k, v in found(code).items() if k[0] == "security.injection"}
    assert hits == {
        ("security.injection", 8): Severity.CRITICAL,
        ("security.injection", 12): Severity.CRITICAL,
    }


def test_cgi_and_web_form_data_are_remote_sources() -> None:
    """SVEN: `form = cgi.FieldStorage()` and Flask-WTF's `form = SearchForm(); form.data["term"]` into SQL."""
    code = """\
    import cgi


    def process_form(cursor):
        form = cgi.FieldStorage()
        player = form["player"].value
        cursor.execute("SELECT * FROM games WHERE player = %s" % player)


    def search_films(cur):
        form = SearchForm()
        if not form.validate_on_submit():
            return None
        terms = " & ".join(form.data["term"].split(" "))
        cur.execute(f"SELECT * FROM film WHERE fulltext @@ to_tsquery({terms})")
        return cur.fetchall()
    """
    hits = {k: v for k, v in found(code).items() if k[0] == "security.sql_injection"}
    assert hits == {
        ("security.sql_injection", 7): Severity.CRITICAL,
        ("security.sql_injection", 15): Severity.CRITICAL,
    }
    messages = " ".join(f.message for f in security(code))
    assert "cgi.FieldStorage()" in messages and "SearchForm()" in messages
