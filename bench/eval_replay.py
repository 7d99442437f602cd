"""``codeagent eval humaneval`` over all 164 problems with a replayed model, locally and through Ray.

Run: ``python bench/eval_replay.py [--limit 164] [--concurrency 8] [--ray] [--gates syntax,execution]`` (needs
``[eval]``, and ``[ray]`` with ``--ray``; ``--gates`` limits the agent's gates, default all the default ones). The model is replayed: it answers each problem with the dataset's reference solution and that
solution's tests at once, so the figures measure the harness (the agent loop with its default gates, sandboxed
judging, persistence, reports), not a model. Prints wall time and the evaluation's figures per executor; the Ray run
starts a local Ray with 2 CPUs (``ray.init`` time printed apart).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from burr_codeagent import AgentConfig, CodeAgent, PythonCodeGenerationResponse
from burr_codeagent.backends.base import Generation, GenerationRequest, LLMBackend, M
from burr_codeagent.evaluation import Problem, acceptance_tests_for, aevaluate, load_problems
from burr_codeagent.models import Usage


class ReferenceModel(LLMBackend):
    """Answers each HumanEval task with its reference solution (found by the problem's prompt, quoted whole in the
    task; an entry point alone is ambiguous: another problem's prompt may mention it)."""

    name = "reference"
    model = "reference"

    def __init__(self, problems: list[Problem]) -> None:
        self.by_prompt = {f"```python\n{p.prompt}\n```": p for p in problems}

    def generate(self, request: GenerationRequest[M]) -> Generation[M]:
        text = request.messages[0].content
        problem = next(p for key, p in self.by_prompt.items() if key in text)
        answer = PythonCodeGenerationResponse(
            function_name=problem.entry_point,
            code=problem.reference_code,
            explanation="reference",
            dependencies=None,
            test_code=acceptance_tests_for(problem),
            usage_examples=[],
        )
        return Generation(
            answer, Usage(input_tokens=900, output_tokens=250, api_calls=1), answer.model_dump_json()
        )  # type: ignore[arg-type]

    async def agenerate(self, request: GenerationRequest[M]) -> Generation[M]:
        return self.generate(request)


def run(executor: str, problems: list[Problem], concurrency: int, gates: str | None) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="codeagent-eval-bench-"))
    limited = {"gates": {"enable": gates.split(",")}} if gates else {}
    config = AgentConfig(tracking=False, output_dir=scratch / "reports", max_retries=1, **limited)  # type: ignore[arg-type]
    agent = CodeAgent(config, backend=ReferenceModel(problems))
    start = time.perf_counter()
    report = asyncio.run(
        aevaluate(agent, problems, output_dir=scratch / "eval", concurrency=concurrency, executor=executor)  # type: ignore[arg-type]
    )
    wall = time.perf_counter() - start
    print(
        f"{executor:<8}{len(problems):>9}{wall:>9.1f}{report.pass_at_1_first:>9.3f}{report.pass_at_1_final:>9.3f}"
        f"{report.generations:>7}"
    )
    for score in report.scores:
        if not score.final or score.unverified:
            verdict = "unverified" if score.unverified else "failed"
            print(f"  {score.task_id} {verdict} (agent: {score.agent_passed}): {score.detail}")
    print(f"  (work in {scratch})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=164)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--ray", action="store_true")
    parser.add_argument("--gates", help="comma-separated gates to enable (default: the default gates)")
    args = parser.parse_args()
    problems = load_problems(limit=args.limit)
    print(f"{'executor':<8}{'problems':>9}{'wall s':>9}{'pass@1':>9}{'final':>9}{'gens':>7}")
    print(
        f"gates: {args.gates or 'default'}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    run("local", problems, args.concurrency, args.gates)
    if args.ray:
        import ray

        start = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
        print(f"(ray.init with 2 CPUs took {time.perf_counter() - start:.1f}s)")
        run("ray", problems, 2, args.gates)
        ray.shutdown()


if __name__ == "__main__":
    main()
