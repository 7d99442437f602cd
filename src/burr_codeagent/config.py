"""``AgentConfig``: every setting of an agent, from arguments, ``CODEAGENT_*`` variables, ``.env`` and pyproject.toml.

Precedence, highest first: keyword arguments, environment variables, ``.env`` in the working directory,
``[tool.codeagent]`` of the nearest ``pyproject.toml``, defaults. The original design's ``MODEL``, ``AWS_REGION`` and
``AWS_PROFILE`` variables are honoured as fallbacks for ``model``, ``region`` and ``profile``. pydantic-settings reads
those sources (:mod:`burr_codeagent.config_sources`); it is imported only when one of them has a setting to give.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, field_validator

from .config_sources import environment_has_settings, pyproject_has_table, pyproject_settings, read_settings
from .models import Severity

__all__ = [
    "AgentConfig",
    "DependencyEnvSettings",
    "GateSettings",
    "SandboxSettings",
    "find_pyproject",
    "use_pyproject",
]

_PYPROJECT: ContextVar[Path | None] = ContextVar("codeagent_pyproject", default=None)

REPORT_FORMATS_DEFAULT = ["markdown", "json"]


def find_pyproject(start: Path | None = None) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` (a file or directory; default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    if here.is_file() or not here.exists():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


@contextlib.contextmanager
def use_pyproject(path: Path | None) -> Iterator[None]:
    """Make :class:`AgentConfig` read ``[tool.codeagent]`` from ``path`` while the block runs."""
    token = _PYPROJECT.set(path)
    try:
        yield
    finally:
        _PYPROJECT.reset(token)


class GateSettings(BaseModel):
    """Which gates and rules run, how severe their findings are, and each gate's options."""

    enable: list[str] | None = Field(
        default=None, description="Run only these gates (default: every gate that is on by default)."
    )
    disable: list[str] = Field(default_factory=list, description="Gates not to run.")
    disable_rules: list[str] = Field(
        default_factory=list,
        description="Rule ids (`style.E501`) or prefixes ending in `*` (`style.*`) to drop.",
    )
    severity: dict[str, Severity] = Field(
        default_factory=dict, description="Per-rule severity overrides, e.g. {'naming.function': 'info'}."
    )
    options: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Options per gate, e.g. {'docstrings': {'convention': 'google'}}."
    )


class SandboxSettings(BaseModel):
    """How generated code is isolated when its tests run."""

    isolation: Literal["auto", "bwrap", "unshare", "none"] = "auto"
    memory_mb: int = Field(default=1024, ge=64, description="Address-space limit above the child's own size.")
    network: bool = Field(default=False, description="Allow network access from the sandbox.")
    keep_workdir: bool = Field(default=False, description="Keep the work directory for debugging.")
    max_output_chars: int = Field(default=8_000, ge=200)


class DependencyEnvSettings(BaseModel):
    """How the generated code's ``dependencies`` are installed for its tests (never into the agent's own env)."""

    install: bool = Field(
        default=True, description="Install declared dependencies into a cached environment."
    )
    index_url: str | None = Field(default=None, description="Package index (default: the installer's).")
    find_links: list[str] = Field(
        default_factory=list, description="Wheelhouse directories or URLs (`--find-links`)."
    )
    no_index: bool = Field(default=False, description="Use only the wheelhouses, never an index.")
    installer: Literal["auto", "uv", "pip"] = Field(default="auto", description="uv when found, else pip.")
    cache_dir: Path | None = Field(
        default=None, description="Where environments are cached (default ~/.cache/burr-codeagent/envs)."
    )
    timeout: float = Field(default=600.0, gt=0, description="Seconds an install may take.")


class AgentConfig(BaseModel):
    """Every setting of a :class:`~burr_codeagent.CodeAgent` run.

    Invalid values fail at construction with a message naming the field and the allowed values. Names of
    plugins (``backend``, ``gates.enable``, ``report_formats`` ...) are checked by whatever runs them -- the
    :class:`~burr_codeagent.CodeAgent`, the checker or the CLI -- against its own plugin manager, so a gate passed
    with ``CodeAgent(plugins=[...])`` may be named here. Building a config imports no plugin.

    Constructing one reads ``CODEAGENT_*`` variables, ``.env`` and ``[tool.codeagent]`` as a pydantic-settings
    ``BaseSettings`` with ``env_prefix="CODEAGENT_"`` and ``env_nested_delimiter="__"`` does (the private
    ``_env_file``-style arguments of ``BaseSettings`` are accepted too); when none of them holds a setting, or only
    ``[tool.codeagent]`` does, the keyword arguments (merged over that table) are validated directly, without
    importing pydantic-settings.
    """

    model_config = ConfigDict(
        extra="ignore",
        validate_default=True,
        protected_namespaces=(),
        populate_by_name=True,
        arbitrary_types_allowed=True,
    )
    # True on the pydantic-settings class that reads the sources (config_sources.settings_reader).
    _reads_sources: ClassVar[bool] = False

    def __init__(self, **values: Any) -> None:
        if not self._reads_sources:
            pyproject = _PYPROJECT.get() or find_pyproject()
            if environment_has_settings(type(self), values):
                values = read_settings(type(self), values, pyproject)
            elif pyproject_has_table(pyproject):
                merged = pyproject_settings(type(self), values, pyproject)
                values = merged if merged is not None else read_settings(type(self), values, pyproject)
        super().__init__(**values)

    backend: str = Field(default="bedrock", description="LLM backend name (see `codeagent backends`).")
    model: str | None = Field(
        default=None,
        validation_alias=AliasChoices("CODEAGENT_MODEL", "MODEL"),
        description="Model id; each backend has a default.",
    )
    base_url: str | None = Field(
        default=None, description="Server URL for OpenAI-compatible or proxied backends."
    )
    api_key: SecretStr | None = Field(
        default=None, description="API key, if the backend takes one from config."
    )
    region: str | None = Field(
        default=None,
        validation_alias=AliasChoices("CODEAGENT_REGION", "AWS_REGION"),
        description="AWS region (the `bedrock` backend's `region` setting).",
    )
    profile: str | None = Field(
        default=None,
        validation_alias=AliasChoices("CODEAGENT_PROFILE", "AWS_PROFILE"),
        description="AWS profile (the `bedrock` backend's `profile` setting).",
    )
    model_path: Path | None = Field(
        default=None, description="GGUF file (the `local` backend's `model_path` setting)."
    )
    cassette: Path | None = Field(
        default=None, description="Cassette to play (the `replay` backend's `cassette` setting)."
    )
    record: Path | None = Field(
        default=None, description="Record every model exchange to this cassette file."
    )
    request_timeout: float = Field(default=120.0, gt=0, description="Seconds per provider request.")
    api_max_retries: int = Field(
        default=5, ge=0, description="Retries of throttled or failed provider calls."
    )
    api_timeout_retries: int = Field(
        default=1, ge=0, description="Retries of a provider call that timed out (fewer than for throttling)."
    )
    api_retry_budget_seconds: float = Field(
        default=600.0,
        gt=0,
        description="Wall-clock seconds one provider call may take, retries and waits included.",
    )
    api_backoff_seconds: float = Field(
        default=1.0, ge=0, description="First retry delay; it doubles (with jitter) on each further retry."
    )
    replay_match: Literal["exact", "order"] = Field(
        default="exact",
        description="How `replay` matches requests: identical prompts only, or the recorded order (a changed "
        "gate changes the feedback prompts); the `replay` backend's `match` setting.",
    )
    backend_options: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Settings per backend, e.g. {'replay': {'cassette': 'run.json'}}; `codeagent backends "
        "--format json` lists what each backend declares. Wins over the top-level aliases above.",
    )
    max_tokens: int | None = Field(
        default=None,
        ge=256,
        description="Output token limit per generation (default: the model's own limit where known, else 8192; "
        "see burr_codeagent.model_limits).",
    )
    context_tokens: int | None = Field(
        default=None,
        ge=1024,
        description="The model's context window, for the retry prompt's budget (default: known per model).",
    )
    concurrency: int = Field(
        default=8,
        ge=1,
        le=1024,
        description="Runs at once in `batch`/`eval` and `run_many`; also sizes Bedrock's call pool.",
    )
    prices: dict[str, tuple[float, float]] = Field(
        default_factory=dict, description="Extra USD prices per million (input, output) tokens, by model id."
    )

    max_retries: int = Field(default=5, ge=0, le=50, description="Regenerations after the first attempt.")
    warning_threshold: int = Field(
        default=5, ge=0, description="Most warnings an attempt may have and still pass."
    )
    enable_ai_analysis: bool = Field(default=False, description="Ask the model to review failing attempts.")
    enable_code_execution: bool = Field(default=True, description="Run the generated tests in the sandbox.")
    execution_timeout: float = Field(
        default=10.0, gt=0, le=3600, description="Seconds the generated tests may run."
    )
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    dependency_env: DependencyEnvSettings = Field(default_factory=DependencyEnvSettings)
    gates: GateSettings = Field(default_factory=GateSettings)

    auto_fix: bool = Field(default=True, description="Apply safe local fixes before asking the model again.")
    feedback_max_chars: int | None = Field(
        default=None,
        ge=500,
        description="Size cap of the retry prompt (default: a share of the model's context window).",
    )
    stop_on_no_progress: bool = Field(default=True, description="Stop when attempts stop improving.")
    max_total_tokens: int | None = Field(
        default=None, ge=1, description="Stop once a run has used this many tokens."
    )
    max_cost_usd: float | None = Field(
        default=None, gt=0, description="Stop once a run's estimated cost exceeds this."
    )
    acceptance_tests_visibility: Literal["verbatim", "failures", "none"] = Field(
        default="failures", description="What the model sees of the user's acceptance tests."
    )

    report_formats: list[str] = Field(
        default_factory=lambda: list(REPORT_FORMATS_DEFAULT),
        description="Report formats written at the end of a run (comma-separated in the environment).",
    )
    report_options: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Settings per report format, e.g. {'csv': {'delimiter': ';'}}."
    )
    output_dir: Path = Field(default=Path("codeagent-reports"), description="Where reports are written.")
    exclude: list[str] | None = Field(
        default=None,
        description="Globs `codeagent check DIR` skips (default: .git, .venv, venv, build, dist, __pycache__, caches).",
    )
    extend_exclude: list[str] = Field(
        default_factory=list, description="Globs `codeagent check DIR` skips on top of `exclude`."
    )
    tracking: bool = Field(default=True, description="Record runs with Burr's local tracker (the `burr` UI).")
    storage_dir: Path | None = Field(
        default=None, description="Burr tracking directory (default: Burr's, ~/.burr)."
    )
    project: str = Field(default="burr-codeagent", description="Burr tracking project name.")
    persistence: Path | None = Field(
        default=None, description="SQLite file that makes runs resumable after a crash."
    )

    @field_validator("report_formats", mode="before")
    @classmethod
    def _split_formats(cls, value: object) -> object:
        if isinstance(value, str):
            if value.lstrip().startswith("["):
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def gate_options(self, gate: str) -> dict[str, Any]:
        """The options configured for one gate (empty when none)."""
        return dict(self.gates.options.get(gate, {}))

    def redacted(self) -> dict[str, Any]:
        """The settings as JSON data with secrets masked, for reports and tracking."""
        data = self.model_dump(mode="json")
        if data.get("api_key"):
            data["api_key"] = "**********"
        if data.get("base_url"):
            data["base_url"] = _strip_userinfo(data["base_url"])
        dependency_env = data.get("dependency_env") or {}
        if dependency_env.get("index_url"):
            dependency_env["index_url"] = _strip_userinfo(dependency_env["index_url"])
        return data


def _strip_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, f"***@{host}", parts.path, parts.query, parts.fragment))
