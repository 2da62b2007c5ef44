from __future__ import annotations

import pytest

from nlu.parser import BuiltinParser
from nlu.schema import Parse

BAD_INPUTS = [
    "", "   \n\t ", "😀😀😀", "🔥" * 3, "a" * 20_000, "楼" * 20_000, "\x00\x01\x02\x7f",
    "\ud800 lone surrogate", bytes(range(256)).decode("latin-1"),
    "<script>alert('x')</script>", "'; DROP TABLE tickets; --", "SELECT * FROM users WHERE 1=1",
    "\u202e\u200b\ufeff", "？？？！！！", "1234567890" * 50,
]


@pytest.mark.parametrize("text", BAD_INPUTS)
def test_bad_input_gives_a_valid_parse(parser: BuiltinParser, text: str) -> None:
    result = parser.parse(text)
    assert isinstance(result, Parse)
    assert result.intent.name == "out_of_scope" or result.intent.confidence < 0.9
    assert 0.0 <= result.intent.confidence <= 1.0
    assert result.to_dict()["intent"]["name"] == result.intent.name


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "？？？"])
def test_messages_without_content_are_out_of_scope(parser: BuiltinParser, text: str) -> None:
    assert parser.parse(text).intent.name == "out_of_scope"


@pytest.mark.parametrize("junk", [None, 42, b"\xff\xfe\x00bytes"])
def test_non_strings_do_not_raise(parser: BuiltinParser, junk: object) -> None:
    assert isinstance(parser.parse(junk), Parse)  # type: ignore[arg-type]


def test_an_internal_failure_answers_out_of_scope_with_zero_confidence(
        parser: BuiltinParser, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(texts: list[str]) -> None:
        raise RuntimeError("simulated")

    monkeypatch.setattr(parser, "_probabilities", boom)
    result = parser.parse("路灯坏了")
    assert (result.intent.name, result.intent.confidence) == ("out_of_scope", 0.0)


def test_long_emergency_text_is_still_caught(parser: BuiltinParser) -> None:
    text = "煤气味很重！" + "快来人 " * 4000
    result = parser.parse(text)
    assert result.emergency == "gas"
    assert result.text == text
