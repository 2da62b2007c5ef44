"""aiogram's models built on first use (bot/channels/aiogram_models.py) are aiogram's own.

Each check runs in a fresh interpreter: whether aiogram builds its models at import depends on
what imported it first, and a test process has usually imported it already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parent.parent.parent

# The types and methods the runtime validates, sends or reads answers with, and the answers.
SCHEMAS = """
import json, sys
if sys.argv[1] == "eager":
    import aiogram  # aiogram alone: every model built at import, as aiogram ships
import bot.channels.aiogram_runtime
import aiogram.methods as M
import aiogram.types as T
from aiogram.client.session.base import Response
from pydantic.json_schema import GenerateJsonSchema

class Lenient(GenerateJsonSchema):
    def handle_invalid_for_json_schema(self, schema, error_info):
        return {"not in JSON": error_info}

def schema(model):
    return model.model_json_schema(schema_generator=Lenient)

built = sorted(n for n in T.__all__ if getattr(getattr(T, n), "__pydantic_complete__", False))
out = {"built at import": len(built)}
for name in ("Update", "Message", "CallbackQuery", "InlineKeyboardMarkup",
             "ReplyKeyboardMarkup", "BotCommand", "ErrorEvent"):
    out[name] = schema(getattr(T, name))
for name in ("GetMe", "GetUpdates", "SetMyCommands", "DeleteWebhook", "SetWebhook",
             "SendMessage", "SendPhoto", "SendDocument", "EditMessageText",
             "AnswerCallbackQuery"):
    method = getattr(M, name)
    out[name] = schema(method)
    out[f"Response[{name}]"] = schema(Response[method.__returning__])
print(json.dumps(out, sort_keys=True, default=str))
"""

# A caller's local that shares a name with an aiogram type must not leak into the type.
SHADOWED = """
import bot.channels.aiogram_runtime
import aiogram.types as T

def read(User=dict, Chat=dict):
    return T.Message.model_validate({
        "message_id": 1, "date": 0, "chat": {"id": 7, "type": "private"},
        "from": {"id": 7, "is_bot": False, "first_name": "A"}})

message = read()
print(type(message.from_user).__name__, type(message.chat).__name__)
"""


def _run(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", script, *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _schemas(mode: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(_run(SCHEMAS, mode))
    return loaded


def test_the_runtime_imports_aiogram_without_building_its_types() -> None:
    lazy = _schemas("lazy")
    eager = _schemas("eager")
    assert lazy.pop("built at import") == 0
    assert eager.pop("built at import") > 400  # aiogram alone builds them all
    # Built on first use, every model the runtime uses is the one aiogram builds itself.
    assert sorted(lazy) == sorted(eager)
    for name in eager:
        assert lazy[name] == eager[name], name


def test_a_type_first_used_beside_a_local_of_the_same_name_is_still_aiogram_s() -> None:
    assert _run(SHADOWED).split() == ["User", "Chat"]
