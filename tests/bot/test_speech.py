"""The speech-to-text client against a server of the OpenAI-compatible shape: what it sends,
what it reads back, and every way it can fail turned into one plain reason."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.speech.transcriber import NotHeard, Transcriber


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[dict[str, object]]]]:
    seen: list[dict[str, object]] = []

    async def transcriptions(request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["file"]
        assert isinstance(upload, web.FileField)
        audio = upload.file.read()
        seen.append({"audio": audio, "model": form["model"],
                     "auth": request.headers.get("Authorization")})
        replies = {b"ok": {"text": "  楼道灯\n坏了  "}, b"silent": {"text": ""},
                   b"odd": {"result": "no text key"}}
        if audio == b"broken":
            return web.Response(status=500, text="boom")
        return web.json_response(replies[audio])

    app = web.Application()
    app.router.add_post("/v1/audio/transcriptions", transcriptions)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}", seen
    await runner.cleanup()


def _client(url: str, audio: bytes | None, **kw: object) -> Transcriber:
    async def fetch(file_id: str) -> bytes | None:
        assert file_id == "F1"
        return audio

    return Transcriber(url=url, fetch=fetch, **kw)  # type: ignore[arg-type]


async def test_the_words_come_back_tidied_with_model_and_key_sent(server) -> None:
    url, seen = server
    client = _client(url + "/v1/audio/transcriptions", b"ok", model="sensevoice",
                     api_key="k-123")
    assert await client.transcribe("F1", language="zh") == "楼道灯 坏了"
    assert seen == [{"audio": b"ok", "model": "sensevoice", "auth": "Bearer k-123"}]


@pytest.mark.parametrize(("audio", "reason"), [
    (b"silent", "empty"), (b"broken", "unreachable"), (b"odd", "unreachable"),
    (None, "unreachable"),
])
async def test_each_failure_is_one_plain_reason(server, audio, reason) -> None:
    url, _ = server
    with pytest.raises(NotHeard) as failed:
        await _client(url, audio).transcribe("F1")
    assert failed.value.reason == reason


async def test_a_server_that_is_not_there_is_unreachable() -> None:
    client = _client("http://127.0.0.1:9", b"ok", timeout_s=2.0)
    with pytest.raises(NotHeard) as failed:
        await client.transcribe("F1")
    assert failed.value.reason == "unreachable"
