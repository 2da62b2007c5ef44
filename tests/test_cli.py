"""The CLI contract: org load/list --json and invite, on a fresh SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
