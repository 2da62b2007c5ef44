"""Reading the Rasa NLU YAML training data (and optional correction files)."""

from __future__ import annotations

import csv
import hashlib
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nlu.schema import CATEGORIES, INTENTS, TICKET_INTENTS, URGENCIES

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
# [text](entity) or [text]{"entity": "x"} — Rasa's inline annotation forms.
_INLINE = re.compile(r"\[([^\]]+)\]\(([^)]+)\)|\[([^\]]+)\](\{[^}]*\})")


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str
    category: str | None = None
    urgency: str | None = None
    entities: tuple[tuple[str, int, int], ...] = ()  # (entity, start, end) in `text`


@dataclass(slots=True)
class TrainingData:
    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)
    regexes: dict[str, list[str]] = field(default_factory=dict)
    lookups: dict[str, list[str]] = field(default_factory=dict)


def strip_entities(annotated: str) -> tuple[str, tuple[tuple[str, int, int], ...]]:
    """Plain text of an annotated example and the entity spans in that plain text."""
    out: list[str] = []
    spans: list[tuple[str, int, int]] = []
    pos, length = 0, 0
    for match in _INLINE.finditer(annotated):
        out.append(annotated[pos:match.start()])
        length += match.start() - pos
        surface = match.group(1) or match.group(3)
        name = match.group(2) or _json_entity(match.group(4))
        spans.append((name, length, length + len(surface)))
        out.append(surface)
        length += len(surface)
        pos = match.end()
    out.append(annotated[pos:])
    return "".join(out), tuple(spans)


def _json_entity(raw: str) -> str:
    found = re.search(r'"entity"\s*:\s*"([^"]+)"', raw)
    return found.group(1) if found else "unknown"


def data_files(data_dir: Path) -> list[Path]:
    """The YAML files of a data directory in a stable order (the model hash depends on it)."""
    return sorted(p for p in data_dir.glob("*.yml") if p.is_file())


def load_training_data(data_dir: Path, corrections: Path | None = None) -> TrainingData:
    data = TrainingData()
    for path in data_files(data_dir):
        _read_file(path, data)
    if corrections is not None and corrections.exists():
        data.examples.extend(read_tsv(corrections))
    return data


def _read_file(path: Path, data: TrainingData) -> None:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        # One writer's broken file must not stop the bot from training on the others.
        log.warning("skipping unreadable training file %s: %s", path.name, exc)
        return
    for block in doc.get("nlu") or []:
        if isinstance(block, dict):
            _read_block(block, data, path.name)


def _read_block(block: dict[str, object], data: TrainingData, source: str) -> None:
    lines = _example_lines(block.get("examples"))
    if "intent" in block:
        data.examples.extend(_intent_examples(block, lines, source))
    elif "synonym" in block:
        for line in lines:
            data.synonyms[strip_entities(line)[0]] = str(block["synonym"])
    elif "regex" in block:
        data.regexes.setdefault(str(block["regex"]), []).extend(lines)
    elif "lookup" in block:
        data.lookups.setdefault(str(block["lookup"]), []).extend(lines)


def _example_lines(raw: object) -> list[str]:
    if not isinstance(raw, str):
        return []
    lines = (line.strip() for line in raw.splitlines())
    return [line[2:].strip() for line in lines if line.startswith("- ") and line[2:].strip()]


def _intent_examples(block: dict[str, object], lines: list[str], source: str) -> Iterator[Example]:
    intent = str(block["intent"])
    meta = block.get("metadata") if isinstance(block.get("metadata"), dict) else {}
    assert isinstance(meta, dict)
    category, urgency = meta.get("category"), meta.get("urgency")
    if not _valid_labels(intent, category, urgency):
        log.warning("skipping block %s/%s/%s in %s", intent, category, urgency, source)
        return
    for line in lines:
        text, spans = strip_entities(line)
        yield Example(text, intent, category, urgency, spans)


def _valid_labels(intent: str, category: object, urgency: object) -> bool:
    if intent not in INTENTS:
        return False
    if intent not in TICKET_INTENTS:
        return category is None and urgency is None
    return category in CATEGORIES and urgency in URGENCIES


def read_tsv(path: Path) -> list[Example]:
    """Labelled lines `intent<TAB>category<TAB>urgency<TAB>text` ('-' = not applicable)."""
    examples = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            text = (row.get("text") or "").strip()
            if not text or not row.get("intent"):
                continue
            examples.append(Example(text, row["intent"].strip(), _dash(row.get("category")),
                                    _dash(row.get("urgency"))))
    return examples


def _dash(value: str | None) -> str | None:
    value = (value or "").strip()
    return None if value in ("", "-") else value


def data_fingerprint(paths: Iterable[Path], code_version: str) -> str:
    """12 hex digits of sha256 over the data files' bytes and the model code version."""
    digest = hashlib.sha256(code_version.encode())
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
