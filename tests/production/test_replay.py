"""An update handled again because the process died before the inbox stored its answer.

The inbox then hands the same update (same ``update_id``) to the handler a second time. What
the person sees must be the first answer, and nothing they wrote may count twice. The real
handler on the demo district (SQLite), as production runs it: no dedupe in the handler.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.messages import Answer, ButtonPress, Incoming
from tests.fuzz.district import District, Step, load_faq, load_nlu

USER = "1001"  # a resident of the seeded district, community chosen


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[District]:
    world = District(Path(tmp_path_factory.mktemp("replay")), load_nlu(), load_faq())
    yield world
    world.close()


def text(update_id: int, body: str) -> Incoming:
    return Incoming(channel="telegram", user_id=USER, chat_id=USER, text=body,
                    update_id=update_id)


def press(update_id: int, data: str) -> Incoming:
    return Incoming(channel="telegram", user_id=USER, chat_id=USER, update_id=update_id,
                    press=ButtonPress(query_id=f"q{update_id}", data=data, message_id=1))


def seen(answer: Answer) -> list[tuple[str, list[list[str]]]]:
    return [(r.text, [[b.data for b in row] for row in r.buttons]) for r in answer.replies]


def play(district: District, messages: list[Incoming]) -> list[Step]:
    return district.play(messages, dedupe_in_handler=False)


def test_a_report_text_handled_again_is_added_to_the_card_once(district: District) -> None:
    first, added, again, more = play(district, [
        text(1, "长乐社区3号楼门口的路灯坏了好几天了"),
        text(2, "灯杆也歪了，晚上很危险"),
        text(2, "灯杆也歪了，晚上很危险"),  # the same update after a crash
        text(3, "旁边的井盖也松了"),
    ])
    card = added.answer.replies[-1].text
    assert "灯杆也歪了，晚上很危险" in card
    assert seen(again.answer) == seen(added.answer)
    assert again.after == again.before  # no ticket changed
    latest = more.answer.replies[-1].text
    assert latest.count("灯杆也歪了，晚上很危险") == 1
    assert "旁边的井盖也松了" in latest


def test_a_submission_handled_again_makes_one_ticket_and_the_same_answer(
    district: District,
) -> None:
    steps = play(district, [
        text(11, "长乐社区3号楼门口的路灯坏了好几天了"),
        press(12, "r:ok:@draft"),
        press(12, "r:ok:@draft"),  # the same press after a crash
    ])
    _, submitted, again = steps
    new = set(submitted.after) - set(submitted.before)
    assert len(new) == 1
    assert again.after == submitted.after
    assert seen(again.answer) == seen(submitted.answer)
    assert again.answer.toast == submitted.answer.toast
