"""Voice messages to text, through a speech-to-text server speaking the OpenAI-compatible
``POST /v1/audio/transcriptions`` (multipart ``file`` and ``model``; JSON ``{"text": …}``):
FunASR and whisper servers do. Optional: without a server the bot reads text only."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

log = logging.getLogger(__name__)
PATH = "/v1/audio/transcriptions"

# A channel's way to get a voice message's bytes from its file id (None: not found).
FetchAudio = Callable[[str], Awaitable[bytes | None]]


class NotHeard(Exception):
    """The voice could not be turned into text: the server failed, or heard nothing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unreachable" | "empty"


@dataclass(frozen=True)
class Transcriber:
    url: str  # the server, e.g. http://127.0.0.1:9000 (or the full transcriptions URL)
    fetch: FetchAudio
    model: str = "whisper-1"
    timeout_s: float = 30.0
    api_key: str | None = None

    @property
    def endpoint(self) -> str:
        base = self.url.rstrip("/")
        return base if base.endswith(PATH) else base + PATH

    async def transcribe(self, file_id: str, language: str | None = None) -> str:
        """The words of the voice message; NotHeard when there are none to give."""
        try:
            audio = await self.fetch(file_id)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.warning("voice %s could not be downloaded: %s", file_id, exc)
            raise NotHeard("unreachable") from exc
        if audio is None:
            raise NotHeard("unreachable")
        try:
            text = await self._post(audio, language)
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError) as exc:
            log.warning("speech-to-text server failed: %s", exc)
            raise NotHeard("unreachable") from exc
        text = " ".join(text.split())
        if not text:
            raise NotHeard("empty")
        return text

    async def _post(self, audio: bytes, language: str | None) -> str:
        form = aiohttp.FormData()
        form.add_field("file", audio, filename="voice.ogg", content_type="audio/ogg")
        form.add_field("model", self.model)
        form.add_field("response_format", "json")
        if language:
            form.add_field("language", language)
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        timeout = aiohttp.ClientTimeout(total=self.timeout_s)
        async with aiohttp.ClientSession(timeout=timeout) as http, \
                http.post(self.endpoint, data=form, headers=headers) as answer:
            if answer.status != 200:
                raise ValueError(f"HTTP {answer.status}")
            body = await answer.json(content_type=None)
        text = body["text"]
        if not isinstance(text, str):
            raise TypeError("text is not a string")
        return text
