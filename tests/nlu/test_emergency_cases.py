"""Every line of tests/nlu/data/emergency_cases.tsv and emergency_cases_safety.tsv (40 implicit
emergencies and 40 near-misses written for the chat's life-safety work, never taken from
../shared/eval) through the parser the bot runs (the trained
model with its embedding, as in production): an emergency is never missed (the alarm is
"certain", or at least the one question is asked), and a near-miss never raises a certain alarm
(it may ask, never alert)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dispatch.org import tree as org
from nlu import Parser, load_parser
from shaosheng.settings import load_settings

ROOT = Path(__file__).parent.parent.parent
DATA = Path(__file__).parent / "data"


def _rows(name: str) -> list[tuple[str, str, str]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return [(r["expect"], r["kind"], r["text"])
                for r in csv.DictReader(handle, delimiter="\t")]


CASES = _rows("emergency_cases.tsv") + _rows("emergency_cases_safety.tsv")
NEW = _rows("emergency_cases_safety.tsv")
EMERGENCIES = [(kind, text) for expect, kind, text in CASES if expect == "emergency"]
NEAR_MISSES = [text for expect, _, text in CASES if expect == "not"]


@pytest.fixture(scope="module")
def bot_parser() -> Parser:
    settings = load_settings(ROOT / "config.yml")
    return load_parser(settings.nlu,
                       gazetteer=org.gazetteer(org.parse_org_file(ROOT / settings.org.file)))


def test_the_file_is_what_the_tests_expect() -> None:
    assert len(EMERGENCIES) >= 78 + 40
    assert len(NEAR_MISSES) >= 81 + 40
    assert sum(expect == "emergency" for expect, _, _ in NEW) >= 40
    assert sum(expect == "not" for expect, _, _ in NEW) >= 40
    assert {expect for expect, _, _ in CASES} == {"emergency", "not"}


@pytest.mark.parametrize(("kind", "text"), EMERGENCIES)
def test_an_emergency_is_never_missed(bot_parser: Parser, kind: str, text: str) -> None:
    parse = bot_parser.parse(text)
    assert parse.alarm in ("certain", "ask"), (parse.alarm, parse.urgency)
    assert parse.emergency is not None


def test_most_certain_alarms_name_the_kind_the_line_is_about(bot_parser: Parser) -> None:
    """The advice follows the kind: of the lines alarmed at once, at least 85% get the kind
    they were written for (measured 2026-12-06: 83 of 95)."""
    kinds = [(kind, bot_parser.parse(text)) for kind, text in EMERGENCIES]
    certain = [(kind, parse.emergency) for kind, parse in kinds if parse.alarm == "certain"]
    right = sum(kind == found for kind, found in certain)
    assert len(certain) >= 90
    assert right / len(certain) >= 0.85, (right, len(certain))


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_a_near_miss_never_raises_a_certain_alarm(bot_parser: Parser, text: str) -> None:
    parse = bot_parser.parse(text)
    assert parse.alarm != "certain", (parse.emergency, parse.urgency)
