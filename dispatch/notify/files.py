"""A file a person sent (a photo, a voice message), fetched back through the Bot API: getFile,
then the download. The chat's voice transcription and the desk's photo page both use it; the
chat keeps only Telegram's file ids."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

MAX_FILE_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download


@dataclass(frozen=True)
class BotFiles:
    api_base: str  # "https://api.telegram.org", or the local stand-in
    token: str
    timeout_s: float = 15.0

    async def fetch(self, file_id: str) -> bytes | None:
        """The file's bytes; None when the Bot API does not have it or it is too large."""
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
                if download.status != 200 or (download.content_length or 0) > MAX_FILE_BYTES:
                    return None
                return await download.read()
