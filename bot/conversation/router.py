"""The entry point every channel calls: dedupe, know the person, route the message."""

from __future__ import annotations

import functools
import logging
import re

from bot.conversation import voice
from bot.conversation.awaiting import AWAIT, Awaited, awaited, stop_waiting, waited_s
from bot.conversation.ids import ticket_ref
from bot.conversation.menu import main_menu
from bot.conversation.resident import (
    consult,
    emergency,
    fragments,
    onboarding,
    reminder,
    report,
    status,
)
from bot.conversation.staff import cards, coordinator, lookup
from bot.conversation.staff.stale import answer_retired_press, explain_stale_press
from bot.conversation.table import COMMANDS, PRESSES, STEPS
from bot.core.context import BotContext
from bot.core.i18n import t
from bot.core.messages import Answer, Handler, Incoming, Reply
from bot.core.metrics import count
from bot.core.state import conversation_key
from bot.core.turn import Turn, note_sent, replayed
from dispatch.core.buttons import CallbackData, Malformed
from dispatch.core.errors import ShaoshengError
from dispatch.core.i18n import normalise_language
from dispatch.org import accounts
from dispatch.org.residents import Contact
from nlu import Parse
from nlu.emergency import alarm_words, emergency_kind

log = logging.getLogger(__name__)
SEEN_TTL_S = 3 * 24 * 3600
# Telegram's shared senders: an anonymous group admin (GroupAnonymousBot), a channel posting
# in its discussion group, service notifications. Many people behind one id: never a person.
SHARED_USER_IDS = frozenset({"1087968824", "136817688", "777000"})
HASH_REF = re.compile(r"^#\d{1,9}$")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# 「催一下」 alone asks after the person's reports, whatever the model read (each has a button);
# "hurry up" stays with the words of alarm.
HURRY = re.compile(r"(?:我要|我想|帮我|请|麻烦)?再?(?:催一下|催催|催办|催促一下|催一催)"
                   r"(?:吧|呀|啊)?[\s!！。.]*"
                   r"|(?:please\s+)?chase\s+(?:it|them|this)\s+up[\s!.]*", re.IGNORECASE)
# With a ticket named, these words mean withdrawing it whatever the model read.
WITHDRAW_WORDS = re.compile(r"撤回|撤销|取消|不用(?:处理|办)了|withdraw|cancel", re.IGNORECASE)

def make_handler(ctx: BotContext) -> Handler:
    async def handle(msg: Incoming) -> Answer:
        seen_key = None
        if msg.dedupe_key and ctx.dedupe_in_handler:
            seen_key = f"shaosheng:seen:{msg.dedupe_key}"
        if seen_key and not await ctx.state.mark_seen(seen_key, SEEN_TTL_S):
            return Answer()  # a redelivered update: answered already
        try:
            answer = await _handle(ctx, msg)
        except Exception:
            if seen_key:  # let a redelivery try again rather than lose the message
                await ctx.state.delete(seen_key)
            raise
        if ctx.on_change is not None:
            ctx.on_change()
        count("updates")
        return answer

    return handle


async def _handle(ctx: BotContext, msg: Incoming) -> Answer:
    if not msg.is_private:
        return _in_a_group(ctx, msg)
    if msg.user_id in SHARED_USER_IDS:
        return Answer()
    contact = await _contact(ctx, msg)
    # The state and the person's count for the rate limit come in one round trip. An update
    # replayed after a restart (below) therefore counts once more: harmless, and rare.
    rate_key = f"shaosheng:rate:{contact.person_id}"
    kept, sent = await ctx.state.get_counting(_key(ctx, msg), rate_key, 60)
    state = kept or {}
    if (again := replayed(msg, state)) is not None:
        log.info("update %s was handled before a restart: its answer again", msg.update_id)
        return again
    lang = state.get("lang") or contact.language or ctx.default_language
    turn = Turn(ctx=ctx, msg=msg, contact=contact, lang=lang, state=state)
    turn.answer.sent = functools.partial(note_sent, ctx, turn.key)
    if await _refused(turn, sent):
        return turn.answer
    draft_before = reminder.draft_id(state)
    try:
        await _route(turn)
    except ShaoshengError as exc:
        if msg.press is not None:  # a refused button: a notice on the button, nothing else
            log.info("press refused for person %s: %s", contact.person_id, type(exc).__name__)
            # …unless the card is stale: then the notice says what became of the ticket.
            if not await explain_stale_press(turn):
                turn.answer.toast, turn.answer.alert = exc.message(turn.lang), True
        else:
            turn.send(exc.message(turn.lang))
    await turn.save()
    await reminder.follow_draft(turn, draft_before)
    return turn.answer


def _in_a_group(ctx: BotContext, msg: Incoming) -> Answer:
    """Nothing personal is shown in a group, and nobody is registered from one (their pushes
    would go there): a pointer to the private chat, or silence in the quiet chats."""
    if msg.chat_id in ctx.quiet_chats:
        return Answer()
    lang = normalise_language(msg.language_code) or ctx.default_language
    pointer = t("group.private_only", lang, link=f"https://t.me/{ctx.bot_username}")
    if msg.press is not None:
        return Answer(toast=pointer, alert=True)
    return Answer(replies=[Reply(text=pointer)])


async def _contact(ctx: BotContext, msg: Incoming) -> Contact:
    """Who wrote: one query for someone known; a transaction only to register someone new."""
    return await accounts.who_wrote(
        engine=ctx.autocommit, sessions=ctx.sessions, channel=ctx.channel,
        external_id=msg.user_id, chat_id=msg.chat_id, name=msg.first_name,
        language=normalise_language(msg.language_code), clock=ctx.clock,
    )


async def _refused(turn: Turn, sent: int) -> bool:
    """Blocked people and floods get one polite answer, then silence; nothing is processed.

    ``sent`` is how many messages the person sent in the current minute, this one included.
    """
    ctx, person = turn.ctx, turn.contact.person_id
    if turn.contact.blocked:
        if await ctx.state.mark_seen(f"shaosheng:blocked-told:{person}", 24 * 3600):
            turn.say("abuse.blocked")
        return True
    if sent <= ctx.messages_per_minute or emergency_kind(turn.msg.text or ""):
        return False  # a life-safety message is never held back by a rate limit
    log.warning("rate limit: person %s sent %s messages in a minute", person, sent)
    count("rate_limited")
    if sent == ctx.messages_per_minute + 1:
        turn.say("abuse.slow_down")
    return True


def _key(ctx: BotContext, msg: Incoming) -> str:
    return conversation_key(ctx.channel, msg.chat_id, msg.user_id)


async def _route(turn: Turn) -> None:
    msg = turn.msg
    if msg.press is not None:
        await _route_press(turn)
        return
    question = _open_question(turn)  # before a location, which may answer one too
    if msg.location is not None:
        if not await emergency.followup_location(turn):
            await onboarding.location(turn)
        return
    if msg.phone is not None and not msg.text:
        await fragments.contact_shared(turn)
        return
    if msg.media in voice.SPOKEN and not msg.text and not msg.photo_ids:
        if not await voice.hear(turn):
            return
        msg = turn.msg  # its transcript, read below like any text
    elif msg.media is not None and not msg.text and not msg.photo_ids:
        turn.say("input.media", buttons=main_menu(turn))
        return
    text = (msg.text or "").strip()
    if msg.photo_ids and question is not None and STEPS[type(question)].photo:
        await STEPS[type(question)].answer(turn, question, text)
        return
    if msg.photo_ids and not text:
        await fragments.photo_only(turn)
        return
    if not text:
        turn.say("input.empty", buttons=main_menu(turn))
        return
    if text.startswith("/"):
        command, _, rest = text.partition(" ")
        handler = COMMANDS.get(command.split("@")[0].lower())
        if handler is None:
            turn.say("input.unknown_command", buttons=main_menu(turn))
            return
        await handler(turn, rest.strip())
        return
    await _follow_language(turn, written_language(text))
    voice.said_back(turn)
    if question is not None and await STEPS[type(question)].answer(turn, question, text):
        return
    await _route_text(turn, text)


def _open_question(turn: Turn) -> Awaited | None:
    """What the conversation waits for, unless it waited past its step's timeout."""
    question = awaited(turn)
    if question is None:
        if turn.state.get(AWAIT):  # a record no release knows any more
            stop_waiting(turn)
        return None
    step = STEPS[type(question)]
    if waited_s(turn) <= step.timeout.total_seconds():
        return question
    stop_waiting(turn)
    if step.notice:
        turn.say("await.expired")
    return None


async def _route_text(turn: Turn, text: str) -> None:
    if await cards.reply_to_card(turn, text):
        return
    if HASH_REF.match(text) and turn.contact.roles:
        await lookup.lookup_command(turn, text)
        return
    if fragments.nod_to_card(turn, text) or await fragments.draft_fragment(turn, text):
        return
    parse = await turn.read(text)  # read once: a place fragment's check may have read it
    number = ticket_ref(text)
    withdraws = number is not None and WITHDRAW_WORDS.search(text) is not None
    if parse.alarm == "certain":  # a life-safety pattern, or a confident model
        await emergency.critical(turn, text, parse)
    elif _asks(parse, text):  # a weak signal: one question before anyone is alerted
        await emergency.ask_danger(turn, text)
    elif (await coordinator.question(turn, text, parse)
          or await consult.takes(turn, text, parse)):
        return
    elif withdraws or (parse.intent.name == "cancel" and number is not None):
        await report.cancel_intent(turn, number)
    elif parse.intent.name == "status" or number is not None or HURRY.fullmatch(text):
        await status.status_text(turn, number)
    elif parse.intent.name == "cancel":
        await report.cancel_intent(turn, None)
    elif parse.intent.name in ("report", "help_request"):
        await report.add_text(turn, text, parse)
    elif parse.intent.name == "consult":
        await consult.ask(turn, text, parse)
    elif parse.intent.name in ("greeting", "thanks"):
        turn.say(f"chat.{parse.intent.name}", buttons=main_menu(turn))
    else:
        await fragments.not_understood(turn, text)


def _asks(parse: Parse, text: str) -> bool:
    """The one question, when the model leans critical or words of alarm stand alone. A
    critical probability above the ask line under a calmer best label ("楼道灯坏了，电话…")
    is read as the report it is: on the dev, 311 and held-out sets (2026-12-06) that asked 26
    people about 26 ordinary problems and found no emergency the other rules missed."""
    if parse.alarm != "ask":
        return False
    leans = parse.urgency is not None and parse.urgency.name == "critical"
    return leans or alarm_words(text)


def written_language(text: str) -> str | None:
    """The language a text is clearly written in, or None when it says too little: a line of
    English with a Chinese place name in it stays English, 「好的」, "ok" or 「502」 decide
    nothing; one English word as long as "hello" does."""
    cjk = len(_CJK.findall(text))
    found = _LATIN_WORD.findall(text)
    words = len(found)
    if words >= 2 and words * 2 >= cjk or not cjk and words == 1 and len(found[0]) >= 4:
        return "en"
    if cjk >= 3 and cjk > words * 2:
        return "zh"
    return None


async def _follow_language(turn: Turn, written: str | None) -> None:
    """The person's language follows what they write, and is stored, so that the pushes and
    reminders they get later come in it too."""
    if written is None or written == turn.lang and written == turn.contact.language:
        return
    turn.lang = written
    turn.update(lang=written)
    if turn.contact.language != written:
        await accounts.set_language(sessions=turn.ctx.sessions,
                                    person_id=turn.contact.person_id, language=written)


async def _route_press(turn: Turn) -> None:
    raw = turn.msg.press.data if turn.msg.press else ""
    try:
        data = CallbackData.unpack(raw)
    except Malformed:
        log.warning("invalid button data from person %s", turn.contact.person_id)
        turn.toast("press.invalid", alert=True)
        return
    if await answer_retired_press(turn, data):
        return
    await PRESSES[type(data)](turn, data)
