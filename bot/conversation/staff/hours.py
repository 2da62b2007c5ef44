"""/hours: a volunteer's own record of service and its total."""

from __future__ import annotations

from bot.core.i18n import t
from bot.core.render import day_words, duration_words
from bot.core.turn import Turn
from dispatch.tickets import mine


async def hours_command(turn: Turn, _: str = "") -> None:
    turn.answer.recomputable = True  # a view: computed again after a crash
    record = await mine.service_record(single=turn.ctx.single, person_id=turn.contact.person_id)
    lang = turn.lang
    if not record.count:
        turn.say("hours.none")
        return
    lines = [t("hours.header", lang)]
    lines += [t("hours.line", lang, number=e.number, day=day_words(e.done_at, lang),
                duration=duration_words(e.minutes, lang)) for e in record.entries]
    lines.append(t("hours.total", lang, n=record.count,
                   duration=duration_words(record.total_minutes, lang)))
    turn.send("\n".join(lines))
