"""A bigger run of the questions property test (tests/coord/test_questions_oracle.py).

    .venv/bin/python bench/questions_oracle.py --examples 200 [--seed 7] [--steps 80]

Plays random histories through the real services on SQLite and compares every question form's
answer with the oracle written in tests/coord/oracle.py; prints the histories, answers compared
and the first disagreement (exit status 1) if any.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.coord.oracle import prepare  # noqa: E402
from tests.coord.test_questions_oracle import check  # noqa: E402


async def run(examples: int, seed: int, steps: int) -> int:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.db"
        await prepare(template)
        asked, started = 0, time.monotonic()
        for n in range(examples):
            history = [(rng.randint(0, 7), rng.randint(0, 30), rng.randint(0, 200))
                       for _ in range(rng.randint(5, steps))]
            try:
                asked += await check(template, Path(tmp) / "history.db", history)
            except AssertionError as exc:
                print(f"history {n} (seed {seed}) disagrees:\n{exc}\nsteps={history}")
                return 1
        print(f"{examples} histories, {asked} answers equal to the oracle "
              f"({time.monotonic() - started:.0f} s)")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", type=int, default=80)
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args.examples, args.seed, args.steps)))


if __name__ == "__main__":
    main()
