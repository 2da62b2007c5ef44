"""The conversation table is complete, and reads what earlier releases kept."""

from __future__ import annotations

import pytest

from bot.conversation import awaiting
from bot.conversation.awaiting import Awaited
from bot.conversation.table import PRESSES, STEPS
from dispatch.core.buttons import CallbackData
from dispatch.core.enums import RatingValue
from dispatch.core.packed import Malformed


def test_every_button_kind_has_a_handler_and_every_handler_a_kind() -> None:
    assert set(PRESSES) == set(CallbackData.kinds())


def test_every_awaited_input_has_a_step_and_the_twenty_are_all_there() -> None:
    assert set(STEPS) == set(Awaited.kinds())
    assert sorted(k.prefix for k in STEPS) == sorted((
        "place", "newplace", "time", "describe", "community", "rate_comment", "hmsg", "note",
        "done", "minutes", "handback", "expected", "understand", "understand_close", "merge",
        "sos", "sosplace", "urgency", "resume_date", "unit_search"))
    assert all(step.timeout.total_seconds() > 0 for step in STEPS.values())


# What conversation states in Redis hold from releases before the table (bare strings).
KEPT = [("place", awaiting.Place()), ("describe", awaiting.Describe()),
        ("community", awaiting.Community()), ("note:12", awaiting.ProgressNote(12)),
        ("minutes:3", awaiting.ServiceMinutes(3)), ("hmsg:7", awaiting.MessageToHolder(7)),
        ("rate_comment:12:unsatisfied", awaiting.RateComment(12, RatingValue.UNSATISFIED))]


@pytest.mark.parametrize(("kept", "record"), KEPT, ids=[k for k, _ in KEPT])
def test_states_kept_by_earlier_releases_read_as_the_same_question(kept: str,
                                                                   record: Awaited) -> None:
    assert Awaited.unpack(kept) == record
    assert record.pack() == kept


@pytest.mark.parametrize("kept", ["note", "note:x", "rate_comment:12", "place:1", "k:c:1"])
def test_a_state_no_release_wrote_is_refused(kept: str) -> None:
    with pytest.raises(Malformed):
        Awaited.unpack(kept)
