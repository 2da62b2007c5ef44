"""A file a person sent, fetched through the Bot API (getFile, then the download)."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from bot.speech.transcriber import MAX_AUDIO_BYTES


@dataclass(frozen=True)
class BotApiFiles:
    api_base: str  # "https://api.telegram.org", or the local stand-in
    token: str
    timeout_s: float = 15.0

    async def fetch(self, file_id: str) -> bytes | None:
        base = self.api_base.rstrip("/")
        timeout = aiohttp.ClientTimeout(total=self.timeout_s)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            async with http.get(f"{base}/bot{self.token}/getFile",
                                params={"file_id": file_id}) as answer:
                if answer.status != 200:
                    return None
                found = await answer.json()
            path = (found.get("result") or {}).get("file_path") if found.get("ok") else None
            if not path:
                return None
            async with http.get(f"{base}/file/bot{self.token}/{path}") as download:
                if download.status != 200 or (download.content_length or 0) > MAX_AUDIO_BYTES:
                    return None
                return await download.read()
