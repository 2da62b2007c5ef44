"""The button codec: exact shapes in, typed records out; the wire format of sent cards kept."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args, get_origin

import pytest

from bot.conversation import callbacks
from dispatch.core import buttons
from dispatch.core.buttons import CallbackData, Malformed
from dispatch.core.enums import Category, RejectReason, Urgency

# Written out by hand, as cards already in people's chats carry them: these must keep working.
SENT_BEFORE = [
    (buttons.Claim(12), "k:c:12"), (buttons.Start(12), "k:s:12"), (buttons.Note(3), "k:n:3"),
    (buttons.Done(3), "k:d:3"), (buttons.HandBack(3), "k:b:3"), (buttons.AskAssist(3), "k:a:3"),
    (buttons.AddAssist(3, 40), "k:aa:3:40"), (buttons.HandleHere(7), "v:h:7"),
    (buttons.Whistle(7), "v:w:7"), (buttons.Reject(7), "v:r:7"),
    (buttons.RejectBecause(7, RejectReason.NOT_ACTIONABLE), "v:rr:7:not_actionable"),
    (buttons.MergeTwin(7, 2), "v:m:7:2"), (buttons.ListImmediate(9), "x:i:9"),
    (buttons.ListPhased(9), "x:p:9"), (buttons.ListUnderstanding(9), "x:u:9"),
    (buttons.SetLead(9, 31), "x:l:9:31"), (buttons.AddCoUnit(9, 31), "x:c:9:31"),
    (buttons.PickLead(9, 2), "x:pl:9:2"), (buttons.Reassign(9, 0), "x:r:9:0"),
    (buttons.ReassignTo(9, 31), "x:rt:9:31"), (buttons.CloseUnderstanding(9), "x:uc:9"),
    (buttons.EscalateNow(9), "x:e:9"), (buttons.Recategorize(9), "x:k:9"),
    (buttons.RecategorizeTo(9, Category.SANITATION), "x:kc:9:0"),
    (buttons.RecategorizeTo(9, Category.OTHER), "x:kc:9:13"), (buttons.MergeInto(9), "x:m:9"),
    (buttons.Rate("sat", 5), "g:sat:5"), (buttons.Rate("uns", 5), "g:uns:5"),
    (buttons.CommunityRate("bas", 5), "gc:bas:5"), (buttons.OpenTicket(5), "o:5"),
    (buttons.FollowTwin(6, 5), "f:6:5"), (buttons.MessageHolder(5), "hm:5"),
    (callbacks.Submit("4f2a9c0b1d"), "r:ok:4f2a9c0b1d"),
    (callbacks.SubmitAndWhistle("4f2a9c0b1d"), "r:okw:4f2a9c0b1d"),
    (callbacks.ShowCategories("4f2a"), "r:cats:4f2a"),
    (callbacks.PickCategory("4f2a", Category.NOISE), "r:cat:4f2a:noise"),
    (callbacks.AskPlace("4f2a"), "r:place:4f2a"), (callbacks.AskTime("4f2a"), "r:time:4f2a"),
    (callbacks.AskPhoto("4f2a"), "r:photo:4f2a"),
    (callbacks.AskPhone("4f2a"), "r:tel:4f2a"), (callbacks.Discard("4f2a"), "r:x:4f2a"),
    (callbacks.PickStreet(2), "c:st:2"), (callbacks.PickCommunity(8), "c:cm:8"),
    (callbacks.PickLanguage("en"), "l:en"), (callbacks.Menu("fb"), "m:fb"),
    (callbacks.Timeline(4), "t:4"), (callbacks.WithdrawAsk(4), "w:ask:4"),
    (callbacks.WithdrawYes(4), "w:yes:4"), (callbacks.WithdrawNo(4), "w:no:4"),
    (callbacks.Helped("ab12cd34"), "q:ok:ab12cd34"),
    (callbacks.NotHelped("ab12cd34"), "q:no:ab12cd34"),
    (callbacks.DidYouMean("ab12cd34", 2), "q:pick:ab12cd34:2"),
    (callbacks.ForgetMe(), "a:forget"), (callbacks.KeepMe(), "a:keep"),
    (callbacks.Hurry(4), "w:hurry:4"), (callbacks.QuestionPage(2), "q:pg:2"),
    (buttons.Publish(9), "b:p:9"),
    (callbacks.DangerYes("ab12cd34"), "e:y:ab12cd34"),
    (callbacks.DangerNo("ab12cd34"), "e:n:ab12cd34"),
    (buttons.ChangeUrgency(9), "x:g:9"), (buttons.SetUrgency(9, Urgency.HIGH), "x:gu:9:high"),
    (buttons.Resume(9, "p", 0), "x:rs:9:p:0"), (buttons.ResumeLead(9, 31, "i"), "x:rl:9:31:i"),
]


@pytest.mark.parametrize(("record", "wire"), SENT_BEFORE, ids=[w for _, w in SENT_BEFORE])
def test_the_wire_format_of_sent_cards_is_kept(record: CallbackData, wire: str) -> None:
    assert record.pack() == wire
    assert CallbackData.unpack(wire) == record


def test_every_kind_is_pinned_above() -> None:
    assert {type(r) for r, _ in SENT_BEFORE} == set(CallbackData.kinds())


def _largest(hint: Any) -> Any:
    if get_origin(hint) is Annotated:
        hint = get_args(hint)[0]
    if hint is int:
        return 999_999_999
    if get_origin(hint) is Literal:
        return max(get_args(hint), key=len)
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return max(hint, key=len)
    return "f" * 32


@pytest.mark.parametrize("kind", CallbackData.kinds(), ids=lambda k: k.prefix)
def test_every_kind_fits_telegrams_64_bytes_and_round_trips(kind: type[CallbackData]) -> None:
    record = kind(**{name: _largest(h) for name, h in kind.field_types().items()})
    packed = record.pack()
    assert len(packed.encode()) <= 64, packed
    assert CallbackData.unpack(packed) == record
    assert kind.unpack(packed) == record


@pytest.mark.parametrize("data", [
    "", ":", "::", "k", "k:", "k:c", "k:c:", "k:c:12:", "k:c:12:13", "k:c:-1", "k:c:0x1",
    "k:c: 1", "k:c:１", "k:c:²", "k:c:1234567890", "k:c:" + "9" * 70, "K:c:1", " k:c:1",
    "k:zz:1", "zz:1", "g:not:5", "g:satisfied:5", "gc:sat", "x:kc:9:14", "x:kc:9:noise",
    "v:rr:7:because", "r:cat:4f2a:nosuch", "r:ok:a@b", "r:ok:" + "a" * 33, "r:ok:",
    "l:fr", "m:other", "a:forget:1", "a", "t:1.0", "o:1:2", "hm:", "f:1",
])
def test_anything_but_an_exact_shape_is_refused(data: str) -> None:
    with pytest.raises(Malformed):
        CallbackData.unpack(data)


def test_a_kind_unpacks_only_its_own_data() -> None:
    assert buttons.Claim.unpack("k:c:5") == buttons.Claim(5)
    with pytest.raises(Malformed):
        buttons.Claim.unpack("k:s:5")


def test_packing_refuses_what_unpacking_would() -> None:
    with pytest.raises(ValueError, match="token"):
        callbacks.Submit("a:b").pack()


def test_a_prefix_that_would_make_unpacking_guess_is_refused_when_declared() -> None:
    with pytest.raises(TypeError, match="clashes"):
        @dataclass(frozen=True)
        class Shadow(CallbackData, prefix="k"):  # "k" already names the k:… family
            ticket: int
    with pytest.raises(TypeError, match="clashes"):
        @dataclass(frozen=True)
        class Again(CallbackData, prefix="k:c"):
            ticket: int
