"""``codeagent mcp`` driven by the ``mcp`` client over stdio, in a subprocess, as a coding assistant drives it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mcp.types import CallToolResult

from ..conftest import GOOD_CODE, GOOD_TESTS
from .mcp_client import connected

pytestmark = pytest.mark.slow

FAILING_TESTS = GOOD_TESTS.replace("factorial(5) == 120", "factorial(5) == 121")


def text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


async def test_tools_are_listed_with_typed_parameters_and_honest_annotations(tmp_path: Path) -> None:
    async with connected(tmp_path) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        gates = await client.call_tool("list_gates", {})
    assert set(tools) == {"check_code", "check_file", "generate_code", "list_gates"}
    for name in ("check_code", "check_file", "list_gates"):
        hints = tools[name].annotations
        assert hints is not None
        assert (hints.read_only_hint, hints.idempotent_hint, hints.open_world_hint) == (True, True, False)
    generate = tools["generate_code"].annotations
    assert generate is not None and generate.open_world_hint is True and generate.read_only_hint is False
    check = tools["check_code"]
    assert check.input_schema["required"] == ["code"]
    assert set(check.input_schema["properties"]) == {"code", "tests", "module_name", "gates", "execution"}
    assert "ctx" not in tools["generate_code"].input_schema["properties"]
    assert check.output_schema is not None and "findings" in check.output_schema["properties"]
    assert "sandbox" in (check.description or "")
    names = [g["name"] for g in gates.structured_content["gates"]]  # type: ignore[index]
    assert {"syntax", "security", "execution"} <= set(names)
    assert "security (" in text(gates)


async def test_check_code_passes_clean_code_and_fails_a_failing_test(tmp_path: Path) -> None:
    async with connected(tmp_path) as client:
        clean = await client.call_tool("check_code", {"code": GOOD_CODE, "tests": GOOD_TESTS})
        failing = await client.call_tool("check_code", {"code": GOOD_CODE, "tests": FAILING_TESTS})
    assert not clean.is_error
    good = clean.structured_content
    assert good is not None
    assert (good["passed"], good["exit_code"], good["critical_count"]) == (True, 0, 0)
    assert good["tests"]["passed"] == 2 and good["tests"]["failed"] == 0
    assert "solution.py: passed" in text(clean)

    bad = failing.structured_content
    assert bad is not None and not failing.is_error
    assert (bad["passed"], bad["exit_code"]) == (False, 1)
    assert bad["tests"]["failed"] == 1
    failed = [f for f in bad["findings"] if f["rule"] == "execution.failed"]
    assert failed and failed[0]["severity"] == "critical" and failed[0]["line"]
    assert {"rule", "severity", "line", "message", "suggestion"} <= set(failed[0])
    assert "execution.failed [critical]" in text(failing)
    assert "not good enough" in text(failing)


async def test_check_code_tests_may_import_the_module_by_its_own_name(tmp_path: Path) -> None:
    tests = GOOD_TESTS.replace("from solution import", "from maths import")
    async with connected(tmp_path) as client:
        named = await client.call_tool(
            "check_code", {"code": GOOD_CODE, "tests": tests, "module_name": "maths"}
        )
        unnamed = await client.call_tool(
            "check_code", {"code": GOOD_CODE, "tests": tests, "gates": ["execution"]}
        )
    assert named.structured_content is not None and named.structured_content["passed"] is True
    assert named.structured_content["tests"]["passed"] == 2
    assert unnamed.structured_content is not None and unnamed.structured_content["passed"] is False
    assert [g["name"] for g in unnamed.structured_content["gates"]] == ["execution"]


async def test_check_file_reads_inside_the_working_directory_only(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "tests").mkdir(parents=True)
    (root / "maths.py").write_text(GOOD_CODE)
    (root / "tests" / "test_maths.py").write_text(GOOD_TESTS.replace("from solution", "from maths"))
    (tmp_path / "secret.py").write_text("MARKER = 'never-read-0451'\n")
    (root / "link.py").symlink_to(tmp_path / "secret.py")
    async with connected(root) as client:
        inside = await client.call_tool(
            "check_file", {"path": "maths.py", "tests_path": "tests/test_maths.py"}
        )
        refused = [
            await client.call_tool("check_file", {"path": path})
            for path in ("../secret.py", str(tmp_path / "secret.py"), "link.py", "missing.py")
        ]
        still_serving = await client.call_tool("check_file", {"path": "maths.py"})
    assert inside.structured_content is not None and inside.structured_content["passed"] is True
    assert inside.structured_content["tests"]["passed"] == 2
    assert "maths.py: passed" in text(inside)
    assert all(r.is_error for r in refused)
    assert all("outside the server's working directory" in text(r) for r in refused[:3])
    assert "not a file" in text(refused[3])
    assert "never-read-0451" not in "".join(text(r) for r in refused)
    assert not still_serving.is_error
    skipped = {g["name"] for g in still_serving.structured_content["gates"] if g["status"] == "skipped"}  # type: ignore[index]
    assert {"tests", "execution"} <= skipped


async def test_bad_arguments_are_tool_errors_and_the_server_keeps_serving(tmp_path: Path) -> None:
    async with connected(tmp_path, {}, "--max-bytes", "2000") as client:
        results = {
            "wrong type": await client.call_tool("check_code", {"code": 42}),
            "missing": await client.call_tool("check_code", {}),
            "empty": await client.call_tool("check_code", {"code": "  \n"}),
            "oversize": await client.call_tool("check_code", {"code": "x = 1\n" * 1000}),
            "null bytes": await client.call_tool("check_code", {"code": "x = 1\x00"}),
            "unknown gate": await client.call_tool("check_code", {"code": GOOD_CODE, "gates": ["nope"]}),
            "bad module": await client.call_tool(
                "check_code", {"code": GOOD_CODE, "tests": GOOD_TESTS, "module_name": "not-a-name"}
            ),
            "retries": await client.call_tool("generate_code", {"task": "add", "max_retries": -1}),
        }
        after = await client.call_tool("check_code", {"code": GOOD_CODE, "execution": False})
    assert all(r.is_error for r in results.values()), {
        k: text(r) for k, r in results.items() if not r.is_error
    }
    assert "6,000 bytes, larger than this server's 2,000-byte limit" in text(results["oversize"])
    assert "is empty" in text(results["empty"])
    assert "null bytes" in text(results["null bytes"])
    assert "unknown gate 'nope'; choose from:" in text(results["unknown gate"])
    assert "not a Python identifier" in text(results["bad module"])
    assert not after.is_error and after.structured_content is not None
    assert after.structured_content["tests"] is None


async def test_generate_code_reports_progress_per_attempt(tmp_path: Path) -> None:
    from ..backends.fakes import GOOD_ANSWER, FakeProvider, Reply

    wrong = dict(GOOD_ANSWER, code=GOOD_ANSWER["code"].replace("a + b\n", "a - b\n"))
    env = {
        "CODEAGENT_BACKEND": "openai",
        "CODEAGENT_OUTPUT_DIR": str(tmp_path / "reports"),
        "CODEAGENT_STORAGE_DIR": str(tmp_path / "burr"),
        "CODEAGENT_REPORT_FORMATS": "json",
    }
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total, message))

    with FakeProvider("openai", [Reply(wrong), Reply()]) as fake:
        env["CODEAGENT_BASE_URL"] = fake.url + "/v1"
        async with connected(tmp_path, env) as client:
            result = await client.call_tool(
                "generate_code",
                {"task": "Create add(a, b) returning the sum", "max_retries": 2},
                progress_callback=on_progress,
            )
    assert not result.is_error, text(result)
    data = result.structured_content
    assert data is not None
    assert data["passed"] is True and data["attempts"] == 2 and "return a + b" in data["code"]
    assert Path(data["report_paths"]["json"]).is_file()
    assert len(fake.requests) == 2
    assert "Create add(a, b)" in str(fake.requests[0].body["messages"])
    messages = [m for _, _, m in progress]
    assert messages[0] == "attempt 1 of up to 3: generating"
    assert any(m and m.startswith("attempt 1: not good enough") for m in messages)
    assert any(m and m.startswith("attempt 2: passed") for m in messages)
    values = [v for v, _, _ in progress]
    assert values == sorted(values) and len(set(values)) == len(values)
    assert {t for _, t, _ in progress} == {3.0}


async def test_generate_code_without_a_configured_backend_is_a_tool_error(tmp_path: Path) -> None:
    env = {"CODEAGENT_BACKEND": "openai", "CODEAGENT_BASE_URL": "https://api.example.invalid/v1"}
    async with connected(tmp_path, env) as client:
        result = await client.call_tool("generate_code", {"task": "add two numbers"})
        listed = await client.call_tool("list_gates", {})
    assert result.is_error
    assert "OPENAI_API_KEY" in text(result)
    assert not listed.is_error
    assert os.environ.get("OPENAI_API_KEY") is None


async def test_plugins_given_to_the_command_serve_their_gates(tmp_path: Path) -> None:
    plugin = tmp_path / "no_todo.py"
    plugin.write_text(
        "import ast\n"
        "from burr_codeagent import Finding, Severity, hookimpl\n\n\n"
        "class NoTodo:\n"
        "    name = 'no_todo'\n"
        "    description = 'No TODO names.'\n"
        "    rules = {'no_todo.name': 'A name containing todo.'}\n\n"
        "    def check(self, ctx):\n"
        "        for node in ast.walk(ctx.code_tree):\n"
        "            if isinstance(node, ast.Name) and 'todo' in node.id:\n"
        "                yield Finding(gate=self.name, rule='no_todo.name', severity=Severity.CRITICAL,\n"
        "                              message='a todo name', line=node.lineno)\n\n\n"
        "@hookimpl\n"
        "def register_gates(register):\n"
        "    register(NoTodo())\n"
    )
    async with connected(tmp_path, {}, before=("--plugin", str(plugin))) as client:
        gates = await client.call_tool("list_gates", {})
        result = await client.call_tool("check_code", {"code": "todo_list = []\n", "gates": ["no_todo"]})
    assert "no_todo" in [g["name"] for g in gates.structured_content["gates"]]  # type: ignore[index]
    assert result.structured_content is not None
    assert [f["rule"] for f in result.structured_content["findings"]] == ["no_todo.name"]
    assert result.structured_content["exit_code"] == 1
