"""A voice message read as the text it says, when a speech-to-text server is configured."""

from __future__ import annotations

import dataclasses

from bot.conversation.menu import main_menu
from bot.core.i18n import t
from bot.core.turn import Turn
from bot.speech.transcriber import NotHeard

SPOKEN = frozenset({"voice", "audio", "video_note"})


def as_written(turn: Turn, text: str) -> str:
    """A text for the draft: a transcript keeps its 🎤, so the card and the unit see it was
    spoken (and may have been misheard)."""
    return f"🎤 {text}" if turn.msg.voiced else text


async def hear(turn: Turn) -> bool:
    """Turn the voice message into its transcript (``turn.msg.text``, marked ``voiced``);
    False, with the reason said, when there is nothing to go on."""
    msg, speech = turn.msg, turn.ctx.speech
    if speech is None or msg.audio_id is None:
        turn.say("input.voice", buttons=main_menu(turn))
        return False
    try:
        text = await speech.transcribe(msg.audio_id, language=turn.lang)
    except NotHeard as exc:
        # Nothing else changes: an open draft and its card stay as they were.
        kept = t("voice.kept_draft", turn.lang) if turn.state.get("draft") else ""
        turn.say(f"voice.{exc.reason}", kept=kept)
        return False
    # A transcript is words, never a command: 「/start」 read aloud is not typed.
    text = text.lstrip("/ ")[: turn.ctx.max_text_chars]
    turn.msg = dataclasses.replace(msg, text=text, voiced=True, media=None, audio_id=None)
    return True  # what was heard is said once the language it is in is known (`said_back`)


def said_back(turn: Turn) -> None:
    """A transcript is told back first: the person sees what the bot understood."""
    if turn.msg.voiced and turn.msg.text:
        turn.say("voice.heard", text=turn.msg.text)

