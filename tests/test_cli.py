"""The CLI contract: org load/list --json and invite, on a fresh SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.core.i18n import t
from tests.conftest import SAMPLE_ORG


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SHAOSHENG__DB__URL=f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    return subprocess.run(
        [sys.executable, "-m", "shaosheng", *args],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False,
    )


def test_org_load_list_and_invite(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    first = run(tmp_path, "org", "load", str(SAMPLE_ORG))
    assert first.returncode == 0, first.stderr
    again = run(tmp_path, "org", "load", str(SAMPLE_ORG))
    assert "created: 0, updated: 0" in again.stdout
    listed = run(tmp_path, "org", "list", "--json")
    units = json.loads(listed.stdout)
    assert {"code", "name", "kind", "parent"} <= set(units[0])
    xiguan = next(u for u in units if u["name"] == "西关社区")
    assert xiguan["parent"] == "wuhang"
    invited = run(tmp_path, "invite", "--role", "responder", "--unit", "wuhang")
    code, link = invited.stdout.split()
    assert len(code) == 10
    assert link.endswith(f"?start={code}")
    unknown = run(tmp_path, "invite", "--role", "responder", "--unit", "atlantis")
    assert unknown.returncode == 1
    assert "atlantis" in unknown.stderr


def test_console_talks_to_the_bot_in_the_terminal(tmp_path: Path) -> None:
    root = Path(__file__).parent.parent
    env = dict(os.environ, SHAOSHENG__DB__URL=f"sqlite+aiosqlite:///{tmp_path}/console.db",
               SHAOSHENG__NLU__MODEL_DIR=str(root / "var" / "nlu"))
    done = subprocess.run(
        [sys.executable, "-m", "shaosheng", "console", "--user-id", "77", "--lang", "en"],
        input="/my\nthe street light outside building 7 is broken\n/press 6\n",  # 6: Cancel
        capture_output=True, text=True, env=env, cwd=root, check=False, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    shown = done.stdout
    assert t("status.none", "en") in shown
    assert "[1] ✅ Submit" in shown  # the confirmation card, in English
    assert t("report.cancelled", "en") in shown.split("[1] ✅ Submit", 1)[1]
