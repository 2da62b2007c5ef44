"""A voice message read as the text it says, when a speech-to-text server is configured."""

from __future__ import annotations

import dataclasses

from bot.conversation.menu import main_menu
from bot.core.i18n import t
from bot.core.turn import Turn
from bot.speech.transcriber import NotHeard

SPOKEN = frozenset({"voice", "audio", "video_note"})


async def hear(turn: Turn) -> bool:
    """Turn the voice message into its transcript (``turn.msg.text``, marked ``voiced``) and
    say what was heard; False, with the reason said, when there is nothing to go on."""
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
    turn.say("voice.heard", text=text)
    return True

