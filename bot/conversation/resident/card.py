"""The resident's draft card: what was understood so far, and its buttons."""

from __future__ import annotations

import hashlib

from bot.conversation import awaiting, callbacks
from bot.conversation.awaiting import expect
from bot.conversation.resident.draft import (
    DRAFT_JOIN_S,
    Draft,
)
from bot.core.i18n import t
from bot.core.messages import Button, Reply
from bot.core.render import category_name, preview, urgency_name
from bot.core.turn import Turn
from dispatch.core.enums import TicketKind
from dispatch.org.places import community_named
from nlu import Parse
from nlu.text import normalize


def entity_text(parse: Parse, name: str) -> str | None:
    """What the person wrote for the entity (normalised values are for machines)."""
    values = [parse.text[e.start : e.end] or e.value for e in parse.entities if e.entity == name]
    return "，".join(dict.fromkeys(values)) if values else None


def expired(turn: Turn, draft: Draft) -> bool:
    return turn.ctx.clock().timestamp() - draft.started > DRAFT_JOIN_S


def draft_of(turn: Turn) -> Draft | None:
    return Draft.from_json(turn.state.get("draft"))


def keep(turn: Turn, draft: Draft) -> None:
    turn.update(draft=draft.to_json())


CARD_SIG = "card_sig"  # the state's note of the draft card as last shown: [name, digest]


def card_name(draft: Draft) -> str:
    """The name the draft's one card is remembered under (Reply.remember)."""
    return f"draft:{draft.id}"


async def show_card(turn: Turn, draft: Draft) -> None:
    """The draft's one card: sent once, then edited in place as the draft grows (its id comes
    back from the channel, Reply.remember); below it, the next question or a short note that
    the card above changed, so the person sees an answer where they are writing."""
    await name_community(turn, draft)
    text, buttons = card_of(turn, draft)
    name, known = card_name(draft), turn.sent_id(card_name(draft))
    digest = hashlib.sha1(repr((text, buttons)).encode()).hexdigest()[:12]
    if known is None:
        turn.send(text, buttons=buttons, remember=name)
    elif turn.state.get(CARD_SIG) != [name, digest]:  # Telegram refuses an edit that changes
        turn.answer.replies.append(Reply(text=text, buttons=buttons, edit_message_id=known,
                                         remember=name))  # nothing
    turn.update(**{CARD_SIG: [name, digest]})
    # Each question is put once per draft: asked again after every fragment, "where is it?"
    # reads as if the bot had not listened. The card itself shows what is still missing.
    if not draft.located and draft.first_time("place"):
        expect(turn, awaiting.Place())
        turn.say("report.ask_place")
    elif draft.kind is TicketKind.HELP_REQUEST and not draft.time and draft.first_time("time"):
        expect(turn, awaiting.Time())
        turn.say("help.ask_time")
    elif known is not None:
        turn.say(f"card.updated.{draft.kind}")
    keep(turn, draft)


def retire_card(turn: Turn, draft: Draft, key: str) -> None:
    """The draft's card, if it was shown, keeps what it said with ``key`` below it and loses
    its buttons (a draft replaced by a newer one, or cancelled by a command)."""
    known = turn.sent_id(card_name(draft))
    if known is not None:
        text, _ = card_of(turn, draft)
        turn.answer.replies.append(Reply(text=f"{text}\n\n{t(key, turn.lang)}",
                                         edit_message_id=known))


def card_of(turn: Turn, draft: Draft) -> tuple[str, list[list[Button]]]:
    lang, d = turn.lang, draft.id
    place = draft.place or (t("card.shared_location", lang) if draft.lat else None)
    lines = [
        t(f"card.title.{draft.kind}", lang),
        t("card.text", lang, text=preview(" / ".join(draft.texts) or "…")),
        t("card.category_unsure" if draft.category_unsure else "card.category", lang,
          category=category_name(draft.category, lang)),
        t("card.urgency", lang, urgency=urgency_name(draft.urgency, lang)),
        t("card.place", lang, place=place or t("card.missing", lang)),
    ]
    if draft.kind is TicketKind.HELP_REQUEST:
        lines.append(t("card.time", lang, time=draft.time or t("card.missing", lang)))
    if draft.photos:
        lines.append(t("card.photos", lang, n=len(draft.photos)))
    if draft.named is not None:  # the place names another community: the ticket goes there
        lines.append(t("card.community_by_place", lang, community=named_name(draft, lang)))
    else:
        community = turn.community or (t("card.own_unit", lang) if community_of(turn)
                                       else t("card.missing", lang))
        lines.append(t("card.community", lang, community=community))
    if draft.also is not None:  # another unit's matter in the same message
        lines.append(t("card.also", lang, text=preview(draft.also[0], 40),
                       category=category_name(draft.also[1], lang)))
    lines.append(t("card.hint", lang))
    buttons = [
        [turn.button("card.submit", callbacks.Submit(d))],
        [turn.button("card.change_category", callbacks.ShowCategories(d)),
         turn.button("card.change_place" if draft.place else "card.add_place",
                     callbacks.AskPlace(d))],
        [turn.button("card.add_photo", callbacks.AskPhoto(d)),
         turn.button("card.cancel", callbacks.Discard(d))],
    ]
    if draft.kind is TicketKind.REPORT and not draft.phone:  # staff may need to call back
        buttons.insert(-1, [turn.button("card.add_phone", callbacks.AskPhone(d))])
    if draft.category_unsure:  # the likely categories, one tap each
        buttons.insert(0, [Button(category_name(c, lang), callbacks.PickCategory(d, c).pack())
                           for c in draft.likely_categories()])
    if draft.kind is TicketKind.HELP_REQUEST:
        buttons[1][0] = turn.button("card.change_time" if draft.time else "card.add_time",
                                    callbacks.AskTime(d))
    elif any(role == "grid_worker" for role, _ in turn.contact.roles):
        buttons[0].append(turn.button("card.submit_whistle", callbacks.SubmitAndWhistle(d)))
    return "\n".join(lines), buttons


def cancelled_key(draft: Draft) -> str:
    return ("report.cancelled.help_request" if draft.kind is TicketKind.HELP_REQUEST
            else "report.cancelled")


async def name_community(turn: Turn, draft: Draft) -> None:
    """Note on the draft the community its place names, when it is not the resident's own."""
    # Reads only (the org's mark, the units when it changed): no BEGIN and ROLLBACK.
    found = await community_named(sessions=turn.ctx.single, own=community_of(turn),
                                  folded_place=normalize(draft.place or ""))
    draft.named = (found.id, found.name, found.name_en) if found else None


def named_name(draft: Draft, lang: str) -> str:
    assert draft.named is not None
    _, name, name_en = draft.named
    return name_en if lang == "en" and name_en else name


def community_of(turn: Turn) -> int | None:
    """The resident's community; for grid workers reporting themselves, their own community."""
    if turn.contact.community_id is not None:
        return turn.contact.community_id
    return next((unit for role, unit in turn.contact.roles if role == "grid_worker"), None)

