"""``CodeAgent``: the facade that builds the Burr application, runs it and assembles the result."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from burr.core import Application, ApplicationBuilder, State
from burr.core.graph import Graph
from burr.lifecycle import LifecycleAdapter

from .backends.base import (
    BackendError,
    BackendNotConfiguredError,
    Generation,
    GenerationRequest,
    LLMBackend,
    M,
)
from .backends.recording import finish_backend
from .checker import Checker
from .config import AgentConfig
from .errors import ConfigurationError
from .events import AgentEvent, Listener, emit
from .graph import (
    END,
    GENERATOR,
    IMPROVE_ENTRYPOINT,
    GraphShape,
    Services,
    build_graph,
    finish,
    initial_state,
    running_with,
    shared_graph,
)
from .improvement import Improvement, improvement
from .model_limits import with_model_limits
from .models import AgentResult
from .module_under_test import ModuleUnderTest
from .persistence import SavedOnWriterThread, make_tracking_dir, open_persister
from .plugins import PluginManager, manager_for
from .results import assemble_result
from .visualize import graph_mermaid

if TYPE_CHECKING:
    from .batch import BatchListener, BatchTask, ExecutorName, TaskOutcome

__all__ = ["CodeAgent", "ConfigurationError", "open_persister"]

log = logging.getLogger(__name__)


class _DeferredBackend(LLMBackend):
    """Creates the named backend on first use, so an agent can be built (and visualised) before it is configured."""

    def __init__(self, name: str, manager: PluginManager, config: AgentConfig) -> None:
        self.name = name
        self._manager = manager
        self._config = config
        self._backend: LLMBackend | None = None
        self.model = config.model

    def resolve(self) -> LLMBackend:
        if self._backend is None:
            created = self._manager.backends()[self.name].item.create(self._config)
            self._backend = finish_backend(created, self._config)
            self.model = self._backend.model
        return self._backend

    def generate(self, request: GenerationRequest[M]) -> Generation[M]:
        return self.resolve().generate(request)

    async def agenerate(self, request: GenerationRequest[M]) -> Generation[M]:
        return await self.resolve().agenerate(request)


class CodeAgent:
    """Turns a task in plain language into checked, tested Python code.

    Args:
        config: Settings; default ``AgentConfig()`` (environment, ``.env`` and ``pyproject.toml``).
        backend: A backend name (see ``codeagent backends``) or an :class:`LLMBackend` instance. Default:
            ``config.backend``.
        plugins: Extra plugins for this agent only (objects or modules with ``@hookimpl`` functions); the
            configuration may name their gates, backends and report formats.
        listeners: Callables that receive an :class:`~burr_codeagent.events.AgentEvent` as work happens.
        hooks: Extra Burr lifecycle adapters added to the application.
        manager: A ready :class:`~burr_codeagent.plugins.PluginManager` to use instead of ``plugins`` (the CLI
            builds one per command).

    Raises:
        ConfigurationError: the backend, a gate or a report format named in the configuration is not registered.

    Example:
        >>> from burr_codeagent import CodeAgent
        >>> result = CodeAgent().run("Create a function that reverses a string")  # doctest: +SKIP
    """

    def __init__(
        self,
        config: AgentConfig | None = None,
        backend: str | LLMBackend | None = None,
        plugins: Sequence[object] = (),
        listeners: Sequence[Listener] = (),
        hooks: Sequence[LifecycleAdapter] = (),
        *,
        manager: PluginManager | None = None,
    ) -> None:
        self.config = config if config is not None else AgentConfig()
        if manager is not None and plugins:
            raise ConfigurationError("give CodeAgent either plugins or a manager, not both")
        self.manager = manager if manager is not None else manager_for(plugins)
        self.listeners = list(listeners)
        self.hooks = list(hooks)
        if isinstance(backend, LLMBackend):
            self.backend: LLMBackend = finish_backend(backend, self.config)  # recording is wrapped here, once
            self.config = self.config.model_copy(update={"backend": backend.name})
        elif backend is not None and backend != self.config.backend:
            self.config = self.config.model_copy(update={"backend": backend})
        # Names are checked once, against the plugins this agent runs with.
        self.manager.validate(self.config, backend=not isinstance(backend, LLMBackend))
        if not isinstance(backend, LLMBackend):
            self.backend = _DeferredBackend(self.config.backend, self.manager, self.config)

    # -- building ---------------------------------------------------------------------------------------------

    def _services(self, acceptance_tests: str | None, module: ModuleUnderTest | None = None) -> Services:
        return Services(
            backend=self.backend,
            # The model's own `# nosec` comments must not switch off its review.
            checker=Checker(self.config, self.manager, self.listeners, honour_nosec=False),
            config=with_model_limits(self.config, self.backend.model),
            manager=self.manager,
            listeners=self.listeners,
            acceptance_tests=acceptance_tests,
            module=module or ModuleUnderTest(),
        )

    def application(
        self,
        task: str = "",
        *,
        app_id: str | None = None,
        acceptance_tests: str | None = None,
        asynchronous: bool = False,
    ) -> Application[Any]:
        """The Burr application for ``task``, built but not run, for embedding or inspection."""
        return self._build(task, app_id, acceptance_tests, asynchronous, bind=True)[0]

    def _build(
        self,
        task: str,
        app_id: str | None,
        acceptance_tests: str | None,
        asynchronous: bool,
        start: Improvement | None = None,
        module: ModuleUnderTest | None = None,
        *,
        bind: bool = False,
    ) -> tuple[Application[Any], Services]:
        """The application and its services; ``bind``: the services bound into the actions (an application to run
        outside :meth:`_drive`), else the shared graph, which :meth:`_drive` runs with the services in context."""
        services = self._services(acceptance_tests, start.module if start else module)
        if bind:
            graph = build_graph(services, asynchronous=asynchronous)
        else:
            graph = shared_graph(GraphShape.of(services.config, asynchronous=asynchronous))
        first = initial_state(task, self.config)
        entrypoint = GENERATOR
        if start is not None:  # existing code: check it first, as if it were the model's answer
            first = initial_state(
                task, self.config, existing=start.existing, change_requested=start.change_requested
            )
            first["module_under_test"] = start.module.to_state()  # what a resumed run imports the code as
            entrypoint = IMPROVE_ENTRYPOINT
        builder: ApplicationBuilder[Any] = (
            ApplicationBuilder()  # type: ignore[no-untyped-call]
            .with_graph(graph)
            .with_identifiers(app_id=app_id or str(uuid.uuid4()))
        )
        if self.config.persistence is not None:
            # Every step is saved; a run with the same app_id resumes at the step that was interrupted.
            persister = open_persister(self.config.persistence)
            # An async run saves each step on the writer thread (awaited: saved before the next step starts), so
            # the event loop serves the other runs meanwhile; Burr's own hook would save on the loop.
            if asynchronous:
                builder = builder.with_hooks(SavedOnWriterThread(persister))
            else:
                builder = builder.with_state_persister(persister)
            builder = builder.initialize_from(
                persister,
                resume_at_next_action=True,
                default_state=first,
                default_entrypoint=entrypoint,
            )
        else:
            builder = builder.with_state(State(first)).with_entrypoint(entrypoint)
        if self.config.tracking:
            params = {"storage_dir": str(self.config.storage_dir)} if self.config.storage_dir else {}
            make_tracking_dir(self.config.project, params.get("storage_dir"))
            builder = builder.with_tracker("local", project=self.config.project, params=params)
        if self.hooks:
            builder = builder.with_hooks(*self.hooks)
        return builder.build(), services

    # -- running ----------------------------------------------------------------------------------------------

    def _prepare(self, task: str) -> str:
        if not isinstance(task, str) or not task.strip():
            raise ConfigurationError("the task is empty: describe the code you want in plain language")
        if isinstance(self.backend, _DeferredBackend):
            try:
                self.backend.resolve()
            except BackendError:
                raise
            except Exception as exc:
                raise BackendNotConfiguredError(
                    f"backend {self.backend.name!r} could not be created: {exc}", backend=self.backend.name
                ) from exc
        return task

    def run(
        self, task: str, *, acceptance_tests: str | None = None, app_id: str | None = None
    ) -> AgentResult:
        """Generate, check and improve code for ``task`` until it passes or the retries run out.

        Raises:
            ConfigurationError: the task is empty.
            BackendNotConfiguredError: the backend lacks credentials or settings.
        """
        task = self._prepare(task)
        app, services = self._build(task, app_id, acceptance_tests, False)
        return self._drive(app, services, task)

    def improve(
        self,
        code: str,
        tests: str | None = None,
        *,
        task: str | None = None,
        module_name: str | ModuleUnderTest | None = None,
        app_id: str | None = None,
    ) -> AgentResult:
        """Start the loop from existing ``code`` (and its ``tests``): check it first, then improve it as ``run``
        does.

        Code that already passes, with no ``task`` asking for a change, is returned as it is without a model call
        (``stop_reason`` ``passed``, one attempt: the code as given). Otherwise the findings and the numbered code
        go to the model, which answers with edits (or a whole new version), until it passes or the retries run
        out. Without ``tests`` the model is asked to write them. The best attempt wins; the given code is
        attempt 1, so a run whose changes all score worse returns the code unchanged.

        Args:
            code: The module's source.
            tests: Its pytest tests, importing it as ``module_name`` (default ``solution``), or None.
            task: What to change, in plain language; None or empty: only make it pass the checks.
            module_name: The name the tests import the code by (``"mymod"``), or a :class:`ModuleUnderTest` for
                a module inside a project (``ModuleUnderTest.of_file(path)``).

        Raises:
            ConfigurationError: empty code, or ``module_name`` is no module name.
            BackendNotConfiguredError: the backend lacks credentials or settings.
        """
        start = improvement(code, tests, task, module_name)
        self._prepare(start.task)
        app, services = self._build(start.task, app_id, None, False, start)
        return self._drive(app, services, start.task)

    async def aimprove(
        self,
        code: str,
        tests: str | None = None,
        *,
        task: str | None = None,
        module_name: str | ModuleUnderTest | None = None,
        app_id: str | None = None,
    ) -> AgentResult:
        """Async :meth:`improve` (the model awaited natively, the checks in the check pool)."""
        from .backends.clients import off_loop

        start = improvement(code, tests, task, module_name)
        await off_loop(self._prepare, start.task)
        app, services = await off_loop(self._build, start.task, app_id, None, True, start)
        return await self._adrive(app, services, start.task)

    def resume(self, app_id: str, *, acceptance_tests: str | None = None) -> AgentResult:
        """Finish a run that was interrupted (a crash, a kill) from its last saved step.

        Needs ``config.persistence`` (a SQLite file) set for both the original run and this call. Finished
        generations are not asked for again: each one's answer was saved with the step that produced it.

        Raises:
            ConfigurationError: persistence is off, or nothing was saved under ``app_id``.
        """
        if self.config.persistence is None:
            raise ConfigurationError("resume needs persistence: set AgentConfig(persistence='runs.sqlite')")
        saved = open_persister(self.config.persistence).load(partition_key=None, app_id=app_id)
        if saved is None:
            raise ConfigurationError(f"no saved run {app_id!r} in {self.config.persistence}")
        if "usage" not in saved["state"]:
            raise ConfigurationError(
                f"run {app_id!r} was saved by an older burr-codeagent (flat token counters in its state, "
                "no 'usage') and cannot be resumed by this version; run the task again"
            )
        task = self._prepare(saved["state"]["task"])
        module = ModuleUnderTest.from_state(saved["state"].get("module_under_test"))
        app, services = self._build(task, app_id, acceptance_tests, False, module=module)
        return self._drive(app, services, task, resumed=True)

    async def arun(
        self, task: str, *, acceptance_tests: str | None = None, app_id: str | None = None
    ) -> AgentResult:
        """Async :meth:`run`: the model is awaited natively (no thread held while it thinks) and the checks run on
        a bounded pool of one thread per core, so many runs can share one event loop (see :meth:`arun_many`)."""
        from .backends.clients import off_loop

        # Creating the backend may build an SDK client (~50 ms of CPU), and opening the SQLite persistence waits on
        # the disk: neither happens on the loop that other runs share. One trip to a builder thread, not two: with
        # 50 runs on the loop, each trip waits ~10-30 ms for the loop to take the result back.
        app, services = await off_loop(self._prepared_build, task, app_id, acceptance_tests)
        return await self._adrive(app, services, task)

    def _prepared_build(
        self, task: str, app_id: str | None, acceptance_tests: str | None
    ) -> tuple[Application[Any], Services]:
        """:meth:`_prepare` then :meth:`_build` (asynchronous), on the calling thread."""
        return self._build(self._prepare(task), app_id, acceptance_tests, True)

    def with_config(self, config: AgentConfig) -> CodeAgent:
        """This agent (same backend, plugins, listeners and hooks) with other settings, e.g. per batch task."""
        clone = copy.copy(self)
        clone.config = config
        return clone

    async def arun_many(
        self,
        tasks: Iterable[str | BatchTask | Mapping[str, Any]],
        *,
        concurrency: int | None = None,
        output_dir: Path | None = None,
        write_dir: Path | None = None,
        executor: ExecutorName = "local",
        ray_address: str | None = None,
        listener: BatchListener | None = None,
    ) -> list[TaskOutcome]:
        """Run many tasks, at most ``concurrency`` (default ``config.concurrency``) at once; resumable.

        ``tasks`` are strings, mappings with ``task`` and optionally ``id``, ``tests`` (acceptance tests) and
        ``module``, or :class:`~burr_codeagent.batch.BatchTask`. Each outcome is appended to
        ``output_dir/results.jsonl`` (default: ``config.output_dir / "batch"``) as its task finishes, and each
        task's steps are saved under ``output_dir/state/``: calling again with the same tasks and directory skips
        the finished tasks and resumes interrupted ones. One task's failure (even its backend's) becomes its outcome
        and never stops the others. ``executor="processes"`` spreads the tasks over a process per core, each with
        its own event loop (see :mod:`burr_codeagent.executors.processes`); ``executor="ray"`` runs each task as a
        Ray task (``pip install 'burr-codeagent[ray]'``), on the cluster at ``ray_address`` or a local one.

        Returns:
            One :class:`~burr_codeagent.batch.TaskOutcome` per task, in task order; ``outcome.result`` holds the
            :class:`AgentResult` of tasks run in this call.
        """
        from .backends.clients import off_loop
        from .batch import arun_batch

        await off_loop(self._prepare, "batch")  # an unconfigured backend fails here, once, not once per task
        return await arun_batch(
            self,
            tasks,
            output_dir=Path(output_dir) if output_dir is not None else Path(self.config.output_dir) / "batch",
            concurrency=concurrency,
            write_dir=write_dir,
            executor=executor,
            ray_address=ray_address,
            listener=listener,
        )

    def run_many(
        self,
        tasks: Iterable[str | BatchTask | Mapping[str, Any]],
        *,
        concurrency: int | None = None,
        output_dir: Path | None = None,
        write_dir: Path | None = None,
        executor: ExecutorName = "local",
        ray_address: str | None = None,
        listener: BatchListener | None = None,
    ) -> list[TaskOutcome]:
        """Blocking :meth:`arun_many` (runs its own event loop)."""
        return asyncio.run(
            self.arun_many(
                tasks,
                concurrency=concurrency,
                output_dir=output_dir,
                write_dir=write_dir,
                executor=executor,
                ray_address=ray_address,
                listener=listener,
            )
        )

    def _started(self, app: Application[Any], task: str, resumed: bool) -> None:
        details: dict[str, Any] = {"task": task, "app_id": app.uid}
        if resumed:
            details["resumed"] = True
        emit(self.listeners, AgentEvent("run_started", None, details))

    def _drive(
        self, app: Application[Any], services: Services, task: str, *, resumed: bool = False
    ) -> AgentResult:
        """Run a built application to its end, writing the reports of finished attempts if interrupted."""
        self._started(app, task, resumed)
        with self._reports_on_interrupt(app, services), running_with(services):
            *_, state = app.run(halt_after=[END])
        return self._finish(app.uid, state)

    async def _adrive(self, app: Application[Any], services: Services, task: str) -> AgentResult:
        """Async :meth:`_drive`."""
        self._started(app, task, False)
        with self._reports_on_interrupt(app, services), running_with(services):
            *_, state = await app.arun(halt_after=[END])
        return self._finish(app.uid, state)

    @contextlib.contextmanager
    def _reports_on_interrupt(self, app: Application[Any], services: Services) -> Iterator[None]:
        """On Ctrl-C or cancellation, write the reports of the attempts that finished, then let it propagate."""
        try:
            yield
        except (KeyboardInterrupt, asyncio.CancelledError):
            if app.state["attempts"]:
                picture = graph_mermaid(app.graph)
                update = finish(app.state, services, app.uid, "interrupted", graph_mermaid=picture)
                log.warning(
                    "run %s interrupted after %d attempt(s); reports written: %s",
                    app.uid,
                    len(app.state["attempts"]),
                    ", ".join(update["report_paths"].values()),
                )
            raise

    def _finish(self, app_id: str, state: State[Any]) -> AgentResult:
        result = assemble_result(state.get_all(), self.config, app_id=app_id, model=self.backend.model)
        paths = {name: Path(path) for name, path in (state.get("report_paths") or {}).items()}
        result = result.model_copy(update={"report_paths": paths})
        emit(self.listeners, AgentEvent("run_finished", None, {"result": result}))
        log.info("run %s finished: %s after %d attempt(s)", app_id, result.stop_reason, len(result.attempts))
        return result

    def graph(self) -> Graph:
        """The Burr graph of this agent with its services bound: a graph to embed in a bigger Burr application (see
        ``examples/subgraph.py``) or to draw (see :mod:`burr_codeagent.visualize`)."""
        return build_graph(self._services(None))
