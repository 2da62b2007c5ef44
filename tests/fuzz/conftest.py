"""Fuzzing fixtures: the NLU and FAQ loaded once, and a seeded district per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nlu import Parser
from nlu.knowledge import Knowledge
from tests.fuzz.district import District, load_faq, load_nlu


@pytest.fixture(scope="session")
def nlu_parser() -> Parser:
    return load_nlu()


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_faq()


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory, nlu_parser: Parser,
             knowledge: Knowledge) -> Iterator[District]:
    """Sync on purpose: hypothesis drives the district's own loop, one case at a time."""
    world = District(tmp_path_factory.mktemp("district"), nlu_parser, knowledge)
    yield world
    world.close()
