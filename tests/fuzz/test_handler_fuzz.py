"""Random and forged messages through the real handler on a real SQLite district."""

from __future__ import annotations

from hypothesis import example, given, settings

from bot.core.messages import ButtonPress, Incoming, Location
from tests.fuzz.district import District
from tests.fuzz.properties import check_conversation, check_nothing_forged
from tests.fuzz.strategies import awaited_states, conversations


def _press(user: str, data: str) -> list[Incoming]:
    return [Incoming(channel="telegram", user_id=user, chat_id=user,
                     press=ButtonPress(query_id="q", data=data, message_id=1))]


def _text(user: str, text: str) -> list[Incoming]:
    return [Incoming(channel="telegram", user_id=user, chat_id=user, text=text)]


# Found by fuzzing; kept as fixed cases so CI does not depend on drawing them again.
@example(messages=_press("1001", "t:²"))  # str.isdigit() is True, int() refuses
@example(messages=_press("3001", "k:c:9223372036854775808"))  # beyond SQLite's INTEGER
@example(messages=_text("1001", "/t 99999999999999999999"))
@example(messages=_text("1001", "/publish zh"))  # no such ticket: said, not a catalogue error
@example(messages=[Incoming(channel="telegram", user_id="7", chat_id="7",
                            location=Location(-1.0321112720062462e16, 1.6030415664540652e16))])
@settings(max_examples=200, deadline=None)
@given(messages=conversations())
def test_no_message_breaks_the_handler_or_forges_a_change(
        district: District, messages: list[Incoming]) -> None:
    check_conversation(district.play(messages))


@example(question="rate_comment:2:unsatisfied", messages=_text("1001", "太差了"))  # not 1001's
@example(question="note:3", messages=_text("1002", "已处理"))  # a resident in a staff step
@example(question="merge:1", messages=_text("3001", "#2"))
@example(question="unit_search:1:draft", messages=_text("3001", "供电"))  # no such picker
@settings(max_examples=100, deadline=None)
@given(question=awaited_states(), messages=conversations())
def test_a_message_while_any_question_is_open_breaks_nothing_and_forges_nothing(
        district: District, question: str, messages: list[Incoming]) -> None:
    steps = district.play(messages, awaiting=question)
    check_conversation(steps)
    check_nothing_forged(steps)
