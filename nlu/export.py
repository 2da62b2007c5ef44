"""`nlu export-rasa`: the training data as plain Rasa NLU YAML for an external Rasa server.

Rasa has one label per example, so intent, category and urgency are joined into one intent name
(`report+utilities+high`); the Rasa backend splits them again. Inline entity annotations,
synonyms, regexes and lookups are kept as they are.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from nlu.rasa import SEPARATOR
from nlu.trainingdata import data_files


def export_rasa(data_dir: Path, out: Path) -> int:
    """Write one Rasa `nlu:` file; returns the number of examples written."""
    blocks: dict[str, list[str]] = defaultdict(list)
    extras: list[dict[str, Any]] = []
    for path in data_files(data_dir):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in doc.get("nlu") or []:
            if not isinstance(block, dict):
                continue
            if "intent" in block:
                blocks[_combined_name(block)].extend(_lines(block.get("examples")))
            else:
                extras.append(block)
    nlu = [{"intent": name, "examples": _Literal("".join(f"- {x}\n" for x in examples))}
           for name, examples in sorted(blocks.items())]
    out.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump({"version": "3.1", "nlu": nlu + extras}, Dumper=_Dumper,
                     allow_unicode=True, sort_keys=False, width=1000)
    out.write_text(text, encoding="utf-8")
    return sum(len(examples) for examples in blocks.values())


def _combined_name(block: dict[str, Any]) -> str:
    meta = block.get("metadata") or {}
    parts = [str(block["intent"]), meta.get("category"), meta.get("urgency")]
    return SEPARATOR.join(str(part) for part in parts if part)


def _lines(raw: object) -> list[str]:
    if not isinstance(raw, str):
        return []
    stripped = (line.strip() for line in raw.splitlines())
    return [line[2:].strip() for line in stripped if line.startswith("- ") and line[2:].strip()]


class _Literal(str):
    """A string dumped as a `|` block, as Rasa's own files are written."""


class _Dumper(yaml.SafeDumper):
    pass


def _represent_literal(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")


_Dumper.add_representer(_Literal, _represent_literal)
