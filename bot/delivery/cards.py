"""Cards already delivered, edited: the holder's card replaced in place, or stale ones retired.

Cards are looked up when the edit is delivered. A retiring edit takes only the cards sent
before its own outbox row (``outbox_id`` is the order the pushes were written in), never a card
that was written after it, so the next unit's fresh offer keeps its buttons.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.sender import DeliveryError, Rejected
from bot.core.i18n import t
from bot.core.messages import Reply, Sender
from bot.delivery.notices import render_params
from dispatch.core.i18n import normalise_language
from dispatch.notify.outbox import Notice
from dispatch.notify.retire import RETIRED
from dispatch.store.models import Person, PushCard

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CardEdit:
    card_id: int
    chat_id: str
    message_id: int
    reply: Reply


async def cards_to_replace(session: AsyncSession, notice: Notice, person_id: int,
                           reply: Reply) -> list[CardEdit]:
    """The person's cards of this ticket and kind, each to become ``reply``."""
    assert notice.replace_cards is not None
    ticket_id, kind = notice.replace_cards
    cards = await session.scalars(
        select(PushCard).where(PushCard.ticket_id == ticket_id, PushCard.kind == kind,
                               PushCard.person_id == person_id).order_by(PushCard.id))
    return [_edit(card, reply) for card in cards]


async def cards_to_retire(session: AsyncSession, notice: Notice,
                          outbox_id: int) -> list[CardEdit]:
    """Every card about the ticket sent before this row, each in its holder's language, with
    no buttons; the spared person's (who acted) and blocked people's stay as they are."""
    rows = await session.execute(
        select(PushCard, Person.language)
        .join(Person, Person.id == PushCard.person_id)
        .where(PushCard.ticket_id == notice.retire, PushCard.kind != RETIRED,
               or_(PushCard.outbox_id < outbox_id, PushCard.outbox_id.is_(None)),
               Person.blocked.is_(False),
               *([PushCard.kind.in_(notice.retire_kinds)] if notice.retire_kinds else []),
               *([PushCard.person_id != notice.spare] if notice.spare is not None else []))
        .order_by(PushCard.id))
    texts: dict[str, str] = {}
    edits = []
    for card, language in rows:
        lang = normalise_language(language)
        if lang not in texts:
            texts[lang] = t(notice.key, lang, **render_params(notice.params, lang))
        edits.append(_edit(card, Reply(text=texts[lang])))
    return edits


def _edit(card: PushCard, reply: Reply) -> CardEdit:
    return CardEdit(card.id, card.chat_id, card.message_id,
                    Reply(text=reply.text, buttons=reply.buttons,
                          edit_message_id=card.message_id))


async def edit_cards(sender: Sender, edits: list[CardEdit], outbox_id: int) -> None:
    for edit in edits:
        try:
            await sender.send(edit.chat_id, edit.reply)
        except DeliveryError as exc:
            if not isinstance(exc.__cause__, Rejected):
                raise
            # A card deleted by the user or too old to edit: the other cards still change.
            log.info("card %s of outbox %s not edited (refused)", edit.card_id, outbox_id)


async def mark_retired(session: AsyncSession, edits: list[CardEdit]) -> None:
    """Retired for good: later replacements and retirements leave these cards alone."""
    if edits:
        await session.execute(
            update(PushCard).where(PushCard.id.in_([e.card_id for e in edits]))
            .values(kind=RETIRED).execution_options(synchronize_session=False))
