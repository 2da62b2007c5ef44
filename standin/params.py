"""Bot API parameters from any body a client sends: JSON, urlencoded form or multipart.

aiogram posts multipart with nested objects as JSON strings and uploads behind
``attach://name``; python-telegram-bot posts urlencoded values that are each JSON-encoded
(strings raw). Everything lands here as one mapping with typed getters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from standin.errors import bad_request


@dataclass
class Upload:
    file_name: str
    data: bytes
    content_type: str | None


async def read_params(request: web.Request) -> Params:
    values: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.read()
        if body:
            try:
                parsed = json.loads(body)
            except ValueError as exc:
                raise bad_request("can't parse JSON body") from exc
            if isinstance(parsed, dict):
                values.update(parsed)
    elif request.body_exists:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                values[key] = Upload(
                    file_name=value.filename or key,
                    data=value.file.read(),
                    content_type=value.content_type,
                )
            else:
                values[key] = value
    return Params(_resolve_attachments(values))


def _resolve_attachments(values: dict[str, Any]) -> dict[str, Any]:
    for key, value in list(values.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            values[key] = values.get(value.removeprefix("attach://"), value)
    return values


class Params:
    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def raw(self, name: str) -> Any:
        value = self.values.get(name)
        return None if value == "" else value

    def string(self, name: str) -> str | None:
        value = self.raw(name)
        if value is None or isinstance(value, Upload):
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self.raw(name)
        if value is None:
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            if name == "chat_id":
                raise bad_request("chat not found") from exc
            raise bad_request(f"invalid {name} specified") from exc

    def number(self, name: str) -> float | None:
        value = self.raw(name)
        if value is None:
            return None
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise bad_request(f"invalid {name} specified") from exc

    def flag(self, name: str) -> bool:
        value = self.raw(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes")
        return bool(value)

    def json(self, name: str) -> Any:
        value = self.raw(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                if name == "reply_markup":
                    raise bad_request("can't parse reply keyboard markup JSON object") from exc
                raise bad_request(f"can't parse {name} JSON object") from exc
        return value
