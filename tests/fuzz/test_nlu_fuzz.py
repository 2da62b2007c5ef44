"""Any text through the NLU: a valid Parse, never an exception."""

from __future__ import annotations

from hypothesis import given, settings

from nlu import Parser
from tests.fuzz.properties import check_parse
from tests.fuzz.strategies import texts


@settings(max_examples=200, deadline=None)
@given(text=texts())
def test_any_text_gives_a_valid_parse(nlu_parser: Parser, text: str) -> None:
    check_parse(nlu_parser, text)
