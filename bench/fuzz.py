"""Fuzzing at length: the tests/fuzz properties with many more cases than CI runs.

    .venv/bin/python bench/fuzz.py [--cases N] [--seed S]

Each property keeps going after a failure (no shrinking), so the table counts failing cases;
below it, one example per distinct failure (exception type and where it was raised). Exit code
1 when any case failed. Shrunk reproducers come from running the matching test in tests/fuzz.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/ is not an installed package

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.fuzz import strategies  # noqa: E402
from tests.fuzz.district import District, load_faq, load_nlu  # noqa: E402
from tests.fuzz.door import Door  # noqa: E402
from tests.fuzz.properties import (  # noqa: E402
    check_conversation,
    check_parse,
    check_typed_update,
    check_update,
    check_webhook,
)

# Shares of --cases per property: the handler and NLU cost the most per case.
SHARES = {"nlu.parse": 0.30, "update.junk": 0.25, "update.typed": 0.10,
          "handler.conversation": 0.25, "webhook.aiogram": 0.05, "webhook.ptb": 0.05}


@dataclass
class Tally:
    name: str
    cases: int = 0
    failures: int = 0
    seconds: float = 0.0
    examples: dict[str, str] = field(default_factory=dict)  # where it failed → one case

    def fail(self, where: str, example: str) -> None:
        self.failures += 1
        self.examples.setdefault(where, example)


def where(exc: BaseException) -> tuple[str, str]:
    """The exception type and the innermost frame of our own code that raised it; the message."""
    ours = [f for f in traceback.extract_tb(exc.__traceback__)
            if f.filename.startswith(str(ROOT)) and "/.venv/" not in f.filename]
    frame = ours[-1] if ours else None
    place = f"{Path(frame.filename).relative_to(ROOT)}:{frame.lineno}" if frame else "?"
    message = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"{type(exc).__name__} at {place}", message


def run(name: str, strategy: st.SearchStrategy[Any], check: Callable[[Any], None],
        cases: int, seed_value: int | None) -> Tally:
    tally = Tally(name)

    @settings(max_examples=cases, phases=[Phase.generate], database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def each(value: Any) -> None:
        tally.cases += 1
        try:
            check(value)
        except Exception as exc:  # counted, not raised: the run goes on to the next case
            place, message = where(exc)
            tally.fail(place, f"{message}\n    e.g. {repr(value)[:300]}")

    started = time.perf_counter()
    (seed(seed_value)(each) if seed_value is not None else each)()
    tally.seconds = time.perf_counter() - started
    return tally


def run_door(kind: str, cases: int, seed_value: int | None) -> Tally:
    door = Door(kind)
    try:
        tally = run(f"webhook.{kind}", strategies.webhook_bodies(),
                    lambda body: check_webhook(door, body), cases, seed_value)
        probed = door.still_answers()
    finally:
        errors = door.close()
    for error in errors:  # failures while handling accepted updates, after the 200
        tally.fail("logged ERROR", error)
    if not (probed and door.probe_seen()):
        tally.fail("probe", "after the junk, a plain update never reached the handler")
    return tally


def main() -> int:
    args = _arguments()
    logging.getLogger().addHandler(logging.NullHandler())  # quiet, but ERRORs still recorded
    warnings.filterwarnings("ignore", "Detected unknown update type")  # aiogram, on junk
    share = {name: max(1, round(args.cases * part)) for name, part in SHARES.items()}
    parser, knowledge = load_nlu(), load_faq()
    tallies = [
        run("nlu.parse", strategies.texts(), lambda text: check_parse(parser, text),
            share["nlu.parse"], args.seed),
        run("update.junk", strategies.junk_updates(), check_update, share["update.junk"],
            args.seed),
        run("update.typed", strategies.telegram_updates(junk=False), check_typed_update,
            share["update.typed"], args.seed),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        district = District(Path(tmp), parser, knowledge)
        try:
            tallies.append(run("handler.conversation", strategies.conversations(),
                               lambda messages: check_conversation(district.play(messages)),
                               share["handler.conversation"], args.seed))
        finally:
            district.close()
    tallies += [run_door(kind, share[f"webhook.{kind}"], args.seed) for kind in ("aiogram", "ptb")]
    _print(tallies)
    return 1 if any(t.failures for t in tallies) else 0


def _print(tallies: list[Tally]) -> None:
    width = max(len(t.name) for t in [*tallies, Tally("property")])
    print(f"{'property':<{width}}  {'cases':>7}  {'failures':>8}  {'seconds':>8}")
    print(f"{'-' * width}  {'-' * 7}  {'-' * 8}  {'-' * 8}")
    for t in tallies:
        print(f"{t.name:<{width}}  {t.cases:>7}  {t.failures:>8}  {t.seconds:>8.1f}")
    total = Tally("total", sum(t.cases for t in tallies), sum(t.failures for t in tallies),
                  sum(t.seconds for t in tallies))
    print(f"{total.name:<{width}}  {total.cases:>7}  {total.failures:>8}  {total.seconds:>8.1f}")
    for t in tallies:
        for place, example in t.examples.items():
            print(f"\n[{t.name}] {place}: {example}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000, help="cases in total")
    parser.add_argument("--seed", type=int, default=None, help="reproduce an earlier run")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
