"""Configuration: file, environment overrides, secrets only from the environment, clear errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from shaosheng.settings import ConfigError, load_settings

ROOT = Path(__file__).parent.parent


def test_shipped_config_is_the_defaults(monkeypatch) -> None:
    monkeypatch.delenv("SHAOSHENG__DB__URL", raising=False)
    settings = load_settings(ROOT / "config.yml")
    assert settings.db.url.startswith("sqlite+aiosqlite")
    assert settings.time_limits["critical"].claim == "10m"
    assert settings.telegram.runtime == "aiogram"


def test_environment_overrides_nested_keys(monkeypatch) -> None:
    monkeypatch.setenv("SHAOSHENG__DB__URL", "postgresql+asyncpg://x@h/db")
    monkeypatch.setenv("SHAOSHENG__TELEGRAM__WEBHOOK__LISTEN_PORT", "9000")
    monkeypatch.setenv("SHAOSHENG__TELEGRAM__TOKEN", "123:abc")
    settings = load_settings(ROOT / "config.yml")
    assert settings.db.url == "postgresql+asyncpg://x@h/db"
    assert settings.telegram.webhook.listen_port == 9000
    assert settings.telegram.token.get_secret_value() == "123:abc"


def test_secret_in_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text("telegram:\n  token: '123:abc'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"telegram\.token.*environment"):
        load_settings(path)


def test_invalid_value_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text("time_limits:\n  critical: {claim: soon, resolve: 1h}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"time_limits\.critical\.claim"):
        load_settings(path)


def test_cli_exits_2_with_the_key_on_bad_config(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text("telegram:\n  runtime: telepathy\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "shaosheng", "--config", str(path), "org", "list"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "telegram.runtime" in result.stderr
