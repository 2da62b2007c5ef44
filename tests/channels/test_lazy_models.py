"""aiogram's models are built when first used, and then read updates as before."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent.parent

# Run in a fresh interpreter: elsewhere in the suite aiogram may already be imported.
_SCRIPT = """
import json
from pydantic import BaseModel
original = BaseModel.__dict__["model_rebuild"]
from bot.channels import aiogram_runtime
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, Update
out = {"restored": BaseModel.__dict__["model_rebuild"] is original,
       "message_built_at_import": Message.__pydantic_complete__}
update = Update.model_validate({
    "update_id": 7,
    "message": {"message_id": 5, "date": 0, "chat": {"id": 42, "type": "private"},
                "from": {"id": 42, "is_bot": False, "first_name": "王", "language_code": "zh"},
                "text": "路灯坏了", "location": {"latitude": 25.96, "longitude": 119.52}}})
press = Update.model_validate({"update_id": 8, "callback_query": {
    "id": "q1", "chat_instance": "c", "data": "r:ok:1",
    "from": {"id": 42, "is_bot": False, "first_name": "王"},
    "message": {"message_id": 9, "date": 0, "chat": {"id": 42, "type": "private"},
                "text": "card"}}})
markup = InlineKeyboardMarkup.model_validate(
    {"inline_keyboard": [[{"text": "提交", "callback_data": "r:ok:1"}]]})
out.update(text=update.message.text, name=update.message.from_user.first_name,
           latitude=update.message.location.latitude, data=press.callback_query.data,
           press_chat=press.callback_query.message.chat.id,
           markup=markup.model_dump(exclude_none=True),
           update_built_after=Update.__pydantic_complete__)
print(json.dumps(out, ensure_ascii=False))
"""


def test_aiogram_builds_its_models_on_first_use_and_reads_updates_as_before() -> None:
    done = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    out = json.loads(done.stdout)
    assert out["restored"] is True
    assert out["message_built_at_import"] is False
    assert out["update_built_after"] is True
    assert (out["text"], out["name"], out["latitude"]) == ("路灯坏了", "王", 25.96)
    assert (out["data"], out["press_chat"]) == ("r:ok:1", 42)
    assert out["markup"] == {"inline_keyboard": [[{"text": "提交", "callback_data": "r:ok:1"}]]}
