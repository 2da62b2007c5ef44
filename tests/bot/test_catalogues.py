"""The message catalogues: every sentence exists in Chinese and English, with the same blanks."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import yaml

from dispatch.core.i18n import fill

ROOT = Path(__file__).parent.parent.parent
FOLDERS = [ROOT / "bot" / "locales", ROOT / "dispatch" / "locales", ROOT / "desk" / "locales"]


def _entries(folder: Path, language: str) -> dict[str, tuple[str, object]]:
    """key → (file, text); a key written in two files of one language is an error."""
    found: dict[str, tuple[str, object]] = {}
    for path in sorted(folder.glob(f"*.{language}.yml")):
        for key, text in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            assert key not in found, f"{key} is in both {found[key][0]} and {path.name}"
            found[key] = (path.name, text)
    return found


def _blanks(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.parent.name)
def test_every_key_is_in_both_languages(folder: Path) -> None:
    zh, en = _entries(folder, "zh"), _entries(folder, "en")
    assert sorted(set(zh) - set(en)) == []
    assert sorted(set(en) - set(zh)) == []


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.parent.name)
def test_both_languages_fill_the_same_blanks(folder: Path) -> None:
    zh, en = _entries(folder, "zh"), _entries(folder, "en")
    differ = {key: (sorted(_blanks(str(zh[key][1]))), sorted(_blanks(str(en[key][1]))))
              for key in set(zh) & set(en)
              if _blanks(str(zh[key][1])) != _blanks(str(en[key][1]))}
    assert differ == {}


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.parent.name)
@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_entry_is_text_that_formats(folder: Path, language: str) -> None:
    broken = []
    for key, (name, text) in _entries(folder, language).items():
        if not isinstance(text, str) or not text.strip():
            broken.append(f"{name}: {key} is not text")
            continue
        try:
            text.format(**{blank: "x" for blank in _blanks(text)})
        except (KeyError, IndexError, ValueError) as exc:
            broken.append(f"{name}: {key}: {exc}")
    assert broken == []


def test_a_catalogue_mistake_is_logged_not_hidden(caplog: pytest.LogCaptureFixture) -> None:
    assert fill("demo.key", "工单 {number}", {}) == "工单 {number}"
    assert "demo.key" in caplog.text
