"""SQL and command lines built by string formatting: through variables, and from values of any origin."""

from __future__ import annotations

import textwrap

from burr_codeagent import Severity

from ._security import criticals, security


def test_an_sql_template_in_a_variable_formatted_at_the_call_is_injection() -> None:
    """SVEN: `query = "... BETWEEN %s AND %s"` then `self.c.execute(query % (start, end))`."""
    code = """\
    def month(cursor, start: str, end: str) -> list:
        query = "SELECT day FROM month_data WHERE stamp BETWEEN %s AND %s"
        return cursor.execute(query % (start, end)).fetchall()


    def year(cursor, first: str) -> list:
        query = "SELECT day FROM year_data WHERE stamp > {}"
        return cursor.execute(query.format(first)).fetchall()
    """
    assert criticals(code) == {("security.sql_injection", 3), ("security.sql_injection", 8)}


def test_sql_completed_by_augmented_assignment_is_read_as_sql() -> None:
    """SVEN: `query = f"update users set ..."` then `query += f"where user_id = '{user_id}'"` into a helper."""
    code = """\
    def patch(user_id: str, payload: dict) -> None:
        query = "update users set name = %s "
        query += f"where user_id = '{user_id}'"
        run_query(query, (payload["name"],))
    """
    assert criticals(code) == {("security.sql_injection", 4)}
    not_sql = code.replace("update users set name = %s ", "hello ")
    assert criticals(not_sql) == set()


def test_a_value_pasted_between_sql_quotes_is_critical_whatever_its_origin() -> None:
    """SVEN: `"... where access_token = '%s'" % self.access_token` in a method."""
    code = """\
    class Auth:
        def get_user(self):
            qs = "select * from account_access where access_token = '%s'" % self.access_token
            return self.db.get(qs)

        def title(self):
            sql = "UPDATE entries SET title = '" + self.title + "' WHERE id = 1"
            db_execute(sql)
    """
    found = {(f.rule, f.line): f for f in security(code) if f.severity is Severity.CRITICAL}
    assert set(found) == {("security.sql_injection", 4), ("security.sql_injection", 8)}
    assert "`self.access_token` between quotes" in found[("security.sql_injection", 4)].message


def test_numbers_escaped_values_and_identifiers_are_not_pastes() -> None:
    code = """\
    class Store:
        def count(self):
            return self.db.execute("SELECT COUNT(*) FROM t WHERE id = '%d'" % self.id)

        def named(self):
            return self.db.execute("SELECT * FROM t WHERE name = '%s'" % self.name.replace("'", "''"))

        def table(self):
            return self.db.execute("SELECT * FROM %s" % self.table)

        def fixed(self):
            return self.db.execute(f"SELECT * FROM t WHERE kind = '{KIND}'")


    KIND = "user"
    """
    assert criticals(code) == set()
    assert {f.rule for f in security(code)} == {"security.sql_injection"}  # still warnings: use placeholders


def test_a_private_helper_pasting_its_parameter_into_a_command_line_is_injection() -> None:
    """SVEN's Cinder drivers: `self._run_ssh("svcinfo lsvdisk -bytes %s" % vdisk_name)` in a private method."""
    code = """\
    class Driver:
        def _get_vdisk_attributes(self, vdisk_name):
            ssh_cmd = "svcinfo lsvdisk -bytes -delim ! %s " % vdisk_name
            return self._execute_command_and_parse_attributes(ssh_cmd)

        def _create_vlun(self, volume, hostname):
            return self._cli_run("createvlun %s auto %s" % (volume, hostname), None)

        def _run(self, command):
            return self._run_ssh(command)

        def _report(self, name):
            return self._run_report("Report for %s" % name)
    """
    found = {(f.rule, f.line): f for f in security(code) if f.severity is Severity.CRITICAL}
    assert set(found) == {("security.injection", 4), ("security.injection", 7)}
    assert "the parameter `vdisk_name`" in found[("security.injection", 4)].message


def test_a_command_line_after_leading_placeholders_is_still_a_command_line() -> None:
    """SVEN's rclone wrapper: `"{credentials} rclone lsjson -R current:{path}".format(...)` run by `self._execute`."""
    code = """\
    class Rclone:
        def ls(self, data, path):
            command = "{credentials} rclone lsjson -R current:{path}".format(credentials=data.env, path=path)
            return self._execute(command)
    """
    assert criticals(code) == {("security.injection", 4)}


def test_subprocess_names_used_without_their_import_are_still_subprocess() -> None:
    """SVEN's coala excerpt: `Popen(command, shell=True, ...)` with `from subprocess import Popen` out of view."""
    code = """\
    def run_interactive_shell_command(command, **kwargs):
        return Popen(command, shell=True, stdout=PIPE, **kwargs)
    """
    assert criticals(code) == {("security.injection", 2)}
    own = (
        "class Popen:\n    def __init__(self, *args, **kwargs):\n        self.args = args\n\n\n"
        + textwrap.dedent(code)
    )
    assert ("security.injection", 7) not in criticals(own)
