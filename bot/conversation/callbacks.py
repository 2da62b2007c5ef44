"""The buttons only the chat builds: the resident's draft card, menus, language, community,
status, withdrawal, questions and account. Same family and codec as the staff cards'
(``dispatch.core.buttons``); the wire format is the one sent before (``r:ok:DRAFT``…)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dispatch.core.buttons import CallbackData
from dispatch.core.enums import Category

# -- the draft card (DRAFT is the draft's nonce: a press on an older card is stale) -------------


@dataclass(frozen=True)
class Submit(CallbackData, prefix="r:ok"):
    draft: str


@dataclass(frozen=True)
class SubmitAndWhistle(CallbackData, prefix="r:okw"):
    """A grid worker's own report, whistled up at once."""

    draft: str


@dataclass(frozen=True)
class ShowCategories(CallbackData, prefix="r:cats"):
    draft: str


@dataclass(frozen=True)
class PickCategory(CallbackData, prefix="r:cat"):
    draft: str
    category: Category


@dataclass(frozen=True)
class AskPlace(CallbackData, prefix="r:place"):
    draft: str


@dataclass(frozen=True)
class AskTime(CallbackData, prefix="r:time"):
    draft: str


@dataclass(frozen=True)
class AskPhoto(CallbackData, prefix="r:photo"):
    draft: str


@dataclass(frozen=True)
class AskPhone(CallbackData, prefix="r:tel"):
    draft: str


@dataclass(frozen=True)
class Discard(CallbackData, prefix="r:x"):
    draft: str


DraftButton = (Submit | SubmitAndWhistle | ShowCategories | PickCategory | AskPlace | AskTime
               | AskPhoto | AskPhone | Discard)

# -- first contact ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PickStreet(CallbackData, prefix="c:st"):
    street: int


@dataclass(frozen=True)
class PickCommunity(CallbackData, prefix="c:cm"):
    community: int


@dataclass(frozen=True)
class PickLanguage(CallbackData, prefix="l"):
    lang: Literal["zh", "en"]


MenuChoice = Literal["report", "help", "ask", "my", "fb"]  # fb: report the last text after all


@dataclass(frozen=True)
class Menu(CallbackData, prefix="m"):
    choice: MenuChoice


# -- the resident's tickets ---------------------------------------------------------------------


@dataclass(frozen=True)
class Timeline(CallbackData, prefix="t"):
    ticket: int


@dataclass(frozen=True)
class WithdrawAsk(CallbackData, prefix="w:ask"):
    ticket: int


@dataclass(frozen=True)
class WithdrawYes(CallbackData, prefix="w:yes"):
    ticket: int


@dataclass(frozen=True)
class WithdrawNo(CallbackData, prefix="w:no"):
    ticket: int


@dataclass(frozen=True)
class Hurry(CallbackData, prefix="w:hurry"):
    ticket: int


# -- questions and the person's data ------------------------------------------------------------


@dataclass(frozen=True)
class Helped(CallbackData, prefix="q:ok"):
    question: str


@dataclass(frozen=True)
class NotHelped(CallbackData, prefix="q:no"):
    question: str


@dataclass(frozen=True)
class DidYouMean(CallbackData, prefix="q:pick"):
    """One of the close questions offered when no answer was confident (its place in the list
    kept with the question, so the data stays short)."""

    question: str
    choice: int


@dataclass(frozen=True)
class ForgetMe(CallbackData, prefix="a:forget"):
    pass


@dataclass(frozen=True)
class KeepMe(CallbackData, prefix="a:keep"):
    pass


# -- the one question before an alarm (a weak signal of danger) ---------------------------------


@dataclass(frozen=True)
class DangerYes(CallbackData, prefix="e:y"):
    """Someone is in danger now: the emergency path. ASK is the question's nonce."""

    ask: str


@dataclass(frozen=True)
class DangerNo(CallbackData, prefix="e:n"):
    """Nobody is in danger now: an ordinary report."""

    ask: str


# -- a coordinator's question: the next page of its ticket list ---------------------------------


@dataclass(frozen=True)
class QuestionPage(CallbackData, prefix="q:pg"):
    page: int
