"""The message catalogues: every sentence exists in Chinese and English, with the same blanks."""

from __future__ import annotations

import os
import string
from pathlib import Path

import pytest
import yaml

from bot.core.i18n import CHAT
from desk.i18n import DESK
from dispatch.core.i18n import DOMAIN, STRICT_ENV, Catalogue, CatalogueError, fill

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


def test_a_layer_never_redefines_a_domain_sentence() -> None:
    """The chat and the desk fall back to the domain's words; the same key in both would let
    one silently hide the other."""
    for layer in (CHAT, DESK):
        for language in ("zh", "en"):
            assert sorted(set(layer.entries(language)) & set(DOMAIN.entries(language))) == []


@pytest.mark.parametrize("catalogue", [CHAT, DOMAIN, DESK], ids=["bot", "dispatch", "desk"])
def test_each_layer_answers_the_same_keys_in_both_languages(catalogue: Catalogue) -> None:
    assert sorted(catalogue.keys("zh") ^ catalogue.keys("en")) == []


def test_the_layers_share_one_loader_and_fall_back_to_the_domain() -> None:
    domain_key = next(iter(sorted(DOMAIN.entries("en"))))
    assert CHAT.t(domain_key, "en") == DOMAIN.t(domain_key, "en")
    assert DESK.t(domain_key, "en-US") == DOMAIN.t(domain_key, "en")


def test_under_the_tests_a_missing_placeholder_raises() -> None:
    assert os.environ.get(STRICT_ENV) == "1"  # tests/conftest.py turns strict mode on
    with pytest.raises(CatalogueError, match="demo.key"):
        fill("demo.key", "工单 {number} 已由 {unit} 接单", {"unit": "吴航街道"})
    with pytest.raises(CatalogueError, match="demo.broken"):
        fill("demo.broken", "工单 {number", {"number": "CL-2026-000001"})


def test_at_run_time_a_mistake_is_logged_and_shown_visibly(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(STRICT_ENV)
    filled = fill("demo.key", "工单 {number} 已由 {unit} 接单", {"unit": "吴航街道"})
    assert filled == "工单 {number} 已由 吴航街道 接单"
    assert "demo.key" in caplog.text
    assert CHAT.t("no.such.key", "en") == "no.such.key"
