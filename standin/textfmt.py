"""Message text as Telegram sees it: HTML parsed into plain text plus UTF-16 entities."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from standin.errors import bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024

_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
}


def utf16_len(text: str) -> int:
    """Telegram measures text and entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


class _Parser(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self._source = source
        self._line_starts = [0]
        for i, ch in enumerate(source):
            if ch == "\n":
                self._line_starts.append(i + 1)
        self.parts: list[str] = []
        self.length = 0
        self.stack: list[tuple[str, int, dict[str, str | None]]] = []
        self.entities: list[dict[str, Any]] = []

    def _byte_offset(self) -> int:
        line, col = self.getpos()
        index = self._line_starts[line - 1] + col
        return len(self._source[:index].encode())

    def _fail(self, reason: str) -> None:
        raise bad_request(f"can't parse entities: {reason} at byte offset {self._byte_offset()}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag not in _SIMPLE or (tag == "span" and attr.get("class") != "tg-spoiler"):
            self._fail(f'Unsupported start tag "{tag}"')
        self.stack.append((tag, self.length, attr))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack:
            self._fail(f'Unexpected end tag "{tag}"')
        open_tag, start, attr = self.stack.pop()
        if open_tag != tag:
            self._fail(f'Unmatched end tag "{tag}", expected "</{open_tag}>"')
        if self.length > start:
            self.entities.append(_entity(tag, start, self.length - start, attr, self.stack))

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.length += utf16_len(data)


def _entity(
    tag: str, offset: int, length: int, attr: dict[str, str | None], outer: list[Any]
) -> dict[str, Any]:
    entity: dict[str, Any] = {"type": _SIMPLE[tag], "offset": offset, "length": length}
    if tag == "a":
        entity["url"] = attr.get("href") or ""
    elif tag == "blockquote" and "expandable" in attr:
        entity["type"] = "expandable_blockquote"
    elif tag == "tg-emoji":
        entity["custom_emoji_id"] = attr.get("emoji-id") or ""
    elif tag == "code" and outer and outer[-1][0] == "pre":
        language = (attr.get("class") or "").removeprefix("language-")
        if language:
            outer[-1][2]["language"] = language
    elif tag == "pre" and attr.get("language"):
        entity["language"] = attr["language"]
    return entity


def parse_text(
    text: str | None, parse_mode: str | None, *, limit: int = MAX_TEXT
) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities of a message; raises Telegram's 400s on bad input."""
    text = text or ""
    entities: list[dict[str, Any]] = []
    mode = (parse_mode or "").lower()
    if mode == "html":
        parser = _Parser(text)
        parser.feed(text)
        parser.close()
        if parser.stack:
            raise bad_request(
                f"can't parse entities: Can't find end tag corresponding to start tag "
                f'"{parser.stack[-1][0]}"'
            )
        text = "".join(parser.parts)
        entities = sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
    elif mode not in ("", "markdown", "markdownv2"):
        # Markdown modes are accepted and passed through as plain text (see README).
        raise bad_request("unsupported parse_mode")
    return _strip(text, entities, limit)


def _strip(
    text: str, entities: list[dict[str, Any]], limit: int
) -> tuple[str, list[dict[str, Any]]]:
    stripped = text.strip()
    if limit == MAX_TEXT and not stripped:
        raise bad_request("message text is empty")
    if utf16_len(stripped) > limit:
        what = "message" if limit == MAX_TEXT else "message caption"
        raise bad_request(f"{what} is too long")
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    end = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(0, entity["offset"] - shift)
        stop = min(end, entity["offset"] - shift + entity["length"])
        if stop > start:
            kept.append({**entity, "offset": start, "length": stop - start})
    return stripped, kept
