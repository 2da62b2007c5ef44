"""The resident's draft card: what was understood so far, and its buttons."""

from __future__ import annotations

from bot.conversation import awaiting, callbacks
from bot.conversation.awaiting import expect
from bot.conversation.resident.draft import (
    DRAFT_JOIN_S,
    Draft,
)
from bot.core.i18n import t
from bot.core.messages import Button
from bot.core.render import category_name, preview, urgency_name
from bot.core.turn import Turn
from dispatch.core.enums import TicketKind
from nlu import Parse


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


async def show_card(turn: Turn, draft: Draft) -> None:
    turn.send(*card_of(turn, draft))
    if not draft.located:
        expect(turn, awaiting.Place())
        turn.say("report.ask_place")
    elif draft.kind is TicketKind.HELP_REQUEST and not draft.time:
        expect(turn, awaiting.Time())
        turn.say("help.ask_time")


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
    community = turn.community or (t("card.own_unit", lang) if community_of(turn)
                                   else t("card.missing", lang))
    lines.append(t("card.community", lang, community=community))
    lines.append(t("card.hint", lang))
    buttons = [
        [turn.button("card.submit", callbacks.Submit(d))],
        [turn.button("card.change_category", callbacks.ShowCategories(d)),
         turn.button("card.add_place", callbacks.AskPlace(d))],
        [turn.button("card.add_photo", callbacks.AskPhoto(d)),
         turn.button("card.cancel", callbacks.Discard(d))],
    ]
    if draft.kind is TicketKind.REPORT and not draft.phone:  # staff may need to call back
        buttons.insert(-1, [turn.button("card.add_phone", callbacks.AskPhone(d))])
    if draft.category_unsure:  # the likely categories, one tap each
        buttons.insert(0, [Button(category_name(c, lang), callbacks.PickCategory(d, c).pack())
                           for c in draft.likely_categories()])
    if draft.kind is TicketKind.HELP_REQUEST:
        buttons[1][0] = turn.button("card.add_time", callbacks.AskTime(d))
    elif any(role == "grid_worker" for role, _ in turn.contact.roles):
        buttons[0].append(turn.button("card.submit_whistle", callbacks.SubmitAndWhistle(d)))
    return "\n".join(lines), buttons


def cancelled_key(draft: Draft) -> str:
    return ("report.cancelled.help_request" if draft.kind is TicketKind.HELP_REQUEST
            else "report.cancelled")


def community_of(turn: Turn) -> int | None:
    """The resident's community; for grid workers reporting themselves, their own community."""
    if turn.contact.community_id is not None:
        return turn.contact.community_id
    return next((unit for role, unit in turn.contact.roles if role == "grid_worker"), None)

