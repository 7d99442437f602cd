"""Edits vs whole answers, retry-prompt size, and answers lost to an 8,192-token output limit, from recordings.

Replays what a capable model answered through ``bench/model_relay.py`` (cassettes in ``bench/cassettes/``: the
recorded exchanges, the run reports with every attempt, and the prompts as the model saw them; prompt
``000N.prompt.md`` is request N in the order ttl_lru_cache, scraper, simple, moderate, complex) and prints, side by
side:

1. each first answer's output tokens and whether an 8,192-token limit loses it: before (one call for module and
   tests: lost when longer) and after (recovered in two calls: lost only when the module or the tests alone are
   longer);
2. each retry prompt's size under the old rule (a fixed 8,000-character feedback cap that left the code out) and the
   new one (numbered previous code always in, budget from GPT-4o's context window), next to the previous code's size;
3. the output tokens of each recorded retry (the model rewrote everything, as the old prompt asked) next to the
   same change expressed as edits (search/replace hunks with one line of context, derived with difflib from the two
   recorded versions: the size an edits answer needs, not a recorded answer);
4. recorded retries that the model answered with edits (``EDIT_RUNS``: runs recorded with ``--warning-threshold 0``
   after edit retries existed; their prompts are under ``prompts/<run>/``): the first whole answer's output tokens
   next to the edits answer's, how many edits were applied, and the retry prompt's size next to the code it carried.

Tokens are counted with ``o200k_base`` (GPT-4o's tokenizer, from ``bpe-openai``), as the relay counted them.

Usage::

    python bench/edits.py
"""

from __future__ import annotations

import difflib
import itertools
import json
from pathlib import Path
from typing import Any

from burr_codeagent import AgentConfig, Attempt
from burr_codeagent.model_limits import with_model_limits
from burr_codeagent.prompts import feedback_prompt
from burr_codeagent.steps.code_generator import retry_prompt_chars

HERE = Path(__file__).parent / "cassettes"
TASKS = ["ttl_lru_cache", "scraper", "simple", "moderate", "complex"]
LIMIT = 8_192
EDIT_RUNS = sorted(p.stem for p in (HERE / "reports").glob("*.json") if p.stem not in TASKS)

try:
    import bpe_openai

    _ENCODING: Any = bpe_openai.get_encoding("o200k_base")
except ImportError:  # pragma: no cover
    _ENCODING = None


def tokens(text: str) -> int:
    """o200k_base tokens of ``text`` (4 characters a token without bpe-openai)."""
    return len(_ENCODING.encode(text)) if _ENCODING is not None else max(1, len(text) // 4)


def attempts(task: str) -> list[Attempt]:
    report = json.loads((HERE / "reports" / f"{task}.json").read_text())
    return [Attempt.model_validate(a) for a in report["attempts"]]


def prompts() -> dict[str, list[str]]:
    """The user part of every recorded prompt, by task, in order."""
    files = sorted((HERE / "prompts").glob("*.prompt.md"))
    texts = [f.read_text() for f in files]
    users = [t.split("## user", 1)[1].split("## Answer format", 1)[0].strip() for t in texts]
    order = [t for t in TASKS for _ in range(len(attempts(t)))]
    grouped: dict[str, list[str]] = {t: [] for t in TASKS}
    for task, text in zip(order, users, strict=False):
        grouped[task].append(text)
    return grouped


def edits_for(before: str, after: str, target: str) -> list[dict[str, str]]:
    """The change from ``before`` to ``after`` as search/replace hunks with one line of context."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    found = []
    for group in difflib.SequenceMatcher(None, old, new, autojunk=False).get_grouped_opcodes(1):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        found.append({"target": target, "search": "".join(old[i1:i2]), "replace": "".join(new[j1:j2])})
    return found


def split_tokens(attempt: Attempt) -> tuple[int, int]:
    """Tokens of the module part and of the tests part of an answer, as the two recovery calls would send them."""
    assert attempt.response is not None
    data = attempt.response.model_dump()
    tests = {"test_code": data.pop("test_code")}
    return tokens(json.dumps(data)), tokens(json.dumps(tests))


def main() -> None:
    recorded = prompts()
    config = with_model_limits(AgentConfig(backend="openai", model="gpt-4o"), "gpt-4o")
    budget = retry_prompt_chars(config)
    print(f"1. First answers at a {LIMIT:,}-token output limit (o200k tokens)")
    print(f"{'task':<15}{'answer':>9}{'module':>9}{'tests':>8}  {'before':<8}{'after':<8}")
    lost_before = lost_after = 0
    for task in TASKS:
        found = attempts(task)
        first = found[0]
        whole = first.usage.output_tokens
        cut = first.response is None
        source = first if not cut else found[-1]  # the retry's whole answer stands in for a cut-off first one
        module, tests = split_tokens(source)
        before = cut or whole > LIMIT
        after = module > LIMIT or tests > LIMIT
        lost_before += before
        lost_after += after
        note = "  (cut off at 16,384 too; parts measured on the retry's answer)" if cut else ""
        print(
            f"{task:<15}{whole:>9,}{module:>9,}{tests:>8,}  {'lost' if before else 'kept':<8}"
            f"{'lost' if after else 'kept':<8}{note}"
        )
    print(f"generations lost: before {lost_before} of {len(TASKS)}, after {lost_after} of {len(TASKS)}\n")

    print(f"2. Retry prompts (characters; new budget for gpt-4o: {budget:,})")
    print(f"{'task':<15}{'prev code+tests':>16}{'old prompt':>12}{'code in old':>12}{'new prompt':>12}")
    for task in TASKS:
        found = attempts(task)
        if len(found) < 2:
            continue
        last = found[0]
        previous = last.response
        size = len(previous.code) + len(previous.test_code) if previous else 0
        old = recorded[task][1] if len(recorded[task]) > 1 else ""
        had_code = bool(previous) and previous.code.splitlines()[0] in old if previous else False
        new = feedback_prompt(
            task, previous, last.report, max_chars=budget, attempt=1, auto_fixes=last.auto_fixes
        )
        print(f"{task:<15}{size:>16,}{len(old):>12,}{'yes' if had_code else 'no':>12}{len(new):>12,}")
    print()

    print("3. Output tokens of a retry: recorded whole answer vs the same change as edits (derived)")
    print(f"{'task':<15}{'whole':>8}{'edits':>8}{'hunks':>7}  changed lines")
    for task in TASKS:
        found = attempts(task)
        if len(found) < 2 or found[0].response is None or found[1].response is None:
            continue
        a, b = found[0].response, found[1].response
        hunks = edits_for(a.code, b.code, "code") + edits_for(a.test_code, b.test_code, "tests")
        answer = json.dumps({"edits": hunks, "explanation": b.explanation})
        changed = sum(len(h["replace"].splitlines()) for h in hunks)
        print(f"{task:<15}{found[1].usage.output_tokens:>8,}{tokens(answer):>8,}{len(hunks):>7}  {changed}")

    print()

    print("4. Recorded retries answered with edits (output tokens as the relay counted them)")
    print(
        f"{'run':<15}{'whole #1':>9}{'retry':>7}{'edits':>7}{'applied':>9}{'prompt':>9}{'prev code+tests':>16}"
    )
    for run in EDIT_RUNS:
        found = attempts(run)
        for before, after in itertools.pairwise(found):
            if not after.edits or before.response is None:
                continue
            size = len(before.response.code) + len(before.response.test_code)
            prompt_files = sorted((HERE / "prompts" / run).glob("*.prompt.md"))
            prompt = prompt_files[after.index - 1].read_text() if len(prompt_files) >= after.index else ""
            applied = sum(1 for e in after.edits if e.applied)
            print(
                f"{run:<21}{found[0].usage.output_tokens:>9,}{after.usage.output_tokens:>7,}{len(after.edits):>7}"
                f"{applied:>9}{len(prompt):>9,}{size:>16,}"
            )


if __name__ == "__main__":
    main()
