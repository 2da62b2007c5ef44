"""Voice messages through the stand-in, both runtimes: transcribed by a speech-to-text server
speaking the OpenAI-compatible API (a small aiohttp server here), then read like any text;
a failing server is said plainly and loses nothing; without a server the bot reads text only."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from nlu import Parser
from nlu.knowledge import Knowledge
from shaosheng.app import with_speech
from shaosheng.demo import DEMO_TOKEN
from tests.e2e.conftest import System, running_system
from tests.e2e.test_resident import LI, WANG, submit_card

LIGHT = b"OggS\x00\x02voice-light"
LIGHT_EN = b"OggS\x00\x02voice-light-en"
SILENCE = b"OggS\x00\x02voice-silence"
HEARD = {
    LIGHT: "西湖新村6栋楼道的灯坏了三天了，晚上黑乎乎的",
    LIGHT_EN: "The light in the stairwell of building 6 in Xihu Xincun has been out for days",
    SILENCE: "",
}


@dataclass
class SpeechServer:
    """POST /v1/audio/transcriptions as OpenAI (and FunASR, whisper servers) answer it."""

    up: bool = True
    calls: list[dict[str, object]] = field(default_factory=list)

    async def transcriptions(self, request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["file"]
        assert isinstance(upload, web.FileField)
        audio = upload.file.read()
        self.calls.append({"model": form.get("model"), "audio": audio,
                           "language": form.get("language"),
                           "auth": request.headers.get("Authorization")})
        if not self.up:
            return web.json_response({"error": {"message": "model not loaded"}}, status=503)
        return web.json_response({"text": HEARD.get(audio, "?")})


@pytest.fixture
async def speech_server() -> AsyncIterator[tuple[SpeechServer, str]]:
    server = SpeechServer()
    app = web.Application()
    app.router.add_post("/v1/audio/transcriptions", server.transcriptions)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture(params=["aiogram", "ptb"])
async def voiced(
    request: pytest.FixtureRequest, tmp_path: Path, nlu_parser: Parser, knowledge: Knowledge,
    speech_server: tuple[SpeechServer, str],
) -> AsyncIterator[tuple[System, SpeechServer]]:
    server, url = speech_server

    def wire(ctx, settings, api_base):  # noqa: ANN001, ANN202
        return with_speech(ctx, settings, api_base=api_base, token=DEMO_TOKEN)

    async with running_system(request.param, tmp_path, nlu_parser, knowledge,
                              {"speech.url": url, "speech.model": "paraformer-zh"},
                              wire) as running:
        yield running, server


def _voice(audio: bytes) -> dict[str, object]:
    return {"voice": {"content_b64": base64.b64encode(audio).decode(), "duration": 4}}


async def test_a_chinese_voice_report_becomes_a_ticket(voiced) -> None:
    system, server = voiced
    wang = system.chat(WANG)
    await wang.send(**_voice(LIGHT))
    heard = await wang.wait_text("🎤 我听到的是")
    assert HEARD[LIGHT] in heard["text"]
    card = await wang.wait_text("请确认")
    assert "🎤" in card["text"]
    assert HEARD[LIGHT] in card["text"]
    number = await submit_card(wang, card)
    (ticket,) = await system.tickets()
    assert ticket.number == number
    assert HEARD[LIGHT] in ticket.text
    assert "🎤" in ticket.text  # the unit sees it was spoken
    (call,) = server.calls  # the audio the person sent, fetched through getFile
    assert (call["audio"], call["model"], call["language"]) == (LIGHT, "paraformer-zh", "zh")


async def test_an_english_voice_report_is_answered_in_english(voiced) -> None:
    system, _ = voiced
    li = system.chat(LI, language_code="en")
    await li.send(**_voice(LIGHT_EN))
    heard = await li.wait_text("🎤 What I heard")
    assert HEARD[LIGHT_EN] in heard["text"]
    card = await li.wait_text("Please check your report")
    assert "🎤" in card["text"]
    await submit_card(li, card)
    assert len(await system.tickets()) == 1


async def test_a_failing_server_is_said_and_loses_nothing(voiced) -> None:
    system, server = voiced
    wang = system.chat(WANG)
    await wang.send("西湖新村6栋楼道的灯坏了三天了")
    card = await wang.wait_text("请确认")
    server.up = False
    await wang.send(**_voice(LIGHT))
    failed = await wang.wait_text("没能转成文字")
    assert "您正在写的报告还在" in failed["text"]
    server.up = True
    await wang.send(**_voice(SILENCE))  # the server back, but nothing said
    await wang.wait_text("没听清")
    number = await submit_card(wang, card)
    (ticket,) = await system.tickets()
    assert (ticket.number, ticket.text) == (number, "西湖新村6栋楼道的灯坏了三天了")


async def test_without_a_server_the_bot_reads_text_only(system) -> None:
    wang, newcomer = system.chat(WANG), system.chat(9301, language_code="en")
    await wang.send(voice=True)
    await wang.wait_text("我只能读文字")
    await newcomer.send(voice=True)  # an English phone, nothing written yet
    await newcomer.wait_text("I can only read text")
    assert await system.tickets() == []
