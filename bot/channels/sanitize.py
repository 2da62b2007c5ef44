"""Any body posted to us as a Telegram update: either a clean, storable update or a ValueError.

Telegram's updates are shallow JSON objects with 64-bit ids and ordinary text. Anything else
(nesting deep enough to exhaust the parser's recursion, NaN/Infinity, ids PostgreSQL's BIGINT
cannot hold, NUL bytes or lone surrogates that PostgreSQL's JSON and text types refuse) must be
turned away with a 400 at the door, not stored and failed on for ever (a 503 makes Telegram
deliver the same body again, for ever).
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32  # a real update nests about six deep (message → reply_to_message → chat …)
MAX_UPDATE_ID = 2**63 - 1
# C0 controls but tab, newline and carriage return; DEL; C1 controls; lone surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """The text without NUL, other control characters and unpaired surrogates."""
    return _CONTROL.sub("", text)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _too_deep(value: Any) -> bool:
    # Iterative: a recursive walk would hit the very RecursionError this guards against.
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def _clean(value: Any) -> Any:
    # Depth is bounded (checked first), so recursion is safe here.
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def valid_update_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and (
        0 <= value <= MAX_UPDATE_ID)


def clean_update(update: object) -> dict[str, Any]:
    """An already parsed update, checked and cleaned; ValueError when it cannot be one."""
    if not isinstance(update, dict):
        raise ValueError("not a JSON object")
    if _too_deep(update):
        raise ValueError("nested too deep")
    if not valid_update_id(update.get("update_id")):
        raise ValueError("no usable update_id")
    cleaned: dict[str, Any] = _clean(update)
    return cleaned


def parse_update(body: bytes) -> dict[str, Any]:
    """The body as a clean update; ValueError for anything Telegram would not send."""
    try:
        value = json.loads(body, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise ValueError("nested too deep") from exc
    except UnicodeDecodeError as exc:
        raise ValueError("not UTF-8") from exc
    return clean_update(value)
