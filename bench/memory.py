"""Memory per process, as production starts them, and what each import costs.

Starts the deployment of `tests/production/system.py` (PostgreSQL, Redis, the stand-in,
`shaosheng run` and one `shaosheng worker` as real processes) once per kind — polling on
aiogram, polling on python-telegram-bot, webhook on aiogram — has residents report, confirm
and ask `/my`, a grid worker open the web desk (which `run` serves), and prints per process:
peak RSS (VmHWM), RSS, USS (private pages) and PSS (shared pages split among the processes
that map them), from /proc/<pid>/status and /proc/<pid>/smaps_rollup.

`--imports` also prints, in a fresh interpreter, the RSS each group of imports adds in the
order a bot process meets them, and the slowest top-level imports (`python -X importtime`).

    .venv/bin/python bench/memory.py [--kinds aiogram,ptb,webhook] [--imports] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from tests.production import system as deployment  # noqa: E402
from tests.production.system import System, messages, report, wait_for  # noqa: E402

KINDS = {
    "aiogram": {"mode": "polling", "env": {}},
    "ptb": {"mode": "polling", "env": {"SHAOSHENG__TELEGRAM__RUNTIME": "ptb"}},
    "webhook": {"mode": "webhook", "env": {}},
}
# The order a bot process meets them (`shaosheng run`): each line's RSS is what it adds.
IMPORT_GROUPS = [
    ("python + click", ["click"]),
    ("numpy", ["numpy"]),
    ("pydantic + settings", ["pydantic", "pydantic_settings", "yaml"]),
    ("shaosheng.cli (settings, nlu package)", ["shaosheng.cli"]),
    ("sqlalchemy + asyncpg + alembic", ["sqlalchemy.ext.asyncio", "asyncpg", "alembic"]),
    ("aiohttp + redis", ["aiohttp", "redis.asyncio"]),
    ("dispatch + bot (handlers)", ["dispatch.tickets.desk", "bot.conversation.router"]),
    ("shaosheng.production", ["shaosheng.production"]),
    ("aiogram runtime", ["bot.channels.aiogram_runtime"]),
    ("scipy.sparse", ["scipy.sparse"]),
    ("scikit-learn", ["sklearn.feature_extraction.text", "sklearn.linear_model"]),
    ("jinja2 / openpyxl / matplotlib (desk, exports)", ["jinja2", "openpyxl", "matplotlib"]),
]
_LINK = re.compile(r"https?://\S+")


# -- one deployment --------------------------------------------------------------------------


class SlowHost(System):
    """The same deployment, waiting longer for `run`: on a shared, loaded host its start (the
    NLU and the FAQ loading) can take longer than the fault tests' two minutes."""

    def start_run(self) -> None:
        self._spawn("run", [sys.executable, "-m", "shaosheng", "run", "--workers", "1",
                            "--web-port", str(self.web_port)])
        deployment.wait_http(f"http://127.0.0.1:{self.web_port}/healthz", seconds=600)


async def measure_kind(kind: str, residents: int) -> dict[str, Any]:
    spec = KINDS[kind]
    system = SlowHost(workers=1, mode=spec["mode"], extra_env=dict(spec["env"]))
    # The worker answers /desk too: its link must name the port `run` serves the desk on.
    system.extra_env["SHAOSHENG__DESK__PUBLIC_URL"] = f"http://127.0.0.1:{system.web_port}"
    await system.start()
    try:
        await system.add_residents(residents)
        async with httpx.AsyncClient(base_url=system.standin, timeout=60) as http:
            outcomes = await asyncio.gather(*(
                report(http, user, f"{community}{i + 1}号楼门口的路灯坏了好几天了")
                for i, (user, community) in enumerate(system.residents)))
            for user, _ in system.residents:
                await http.post("/_test/send", json={"user_id": user, "text": "/my"})
            for user, _ in system.residents:
                await wait_for(http, user, lambda m: "/my" not in (m.get("text") or "")
                               and "工单" in (m.get("text") or ""), 60, 0.3)
            desk_ok = await _open_desk(http, system)
        failed = sum(1 for o in outcomes if o.error)
        procs = {name: proc_memory(proc.pid) for name, proc in system.procs.items()
                 if name in ("run", "worker1", "standin")}
    finally:
        system.stop()
        await system.drop()
    return {"kind": kind, "reports": residents, "failed": failed, "desk_opened": desk_ok,
            "processes": procs}


async def _open_desk(http: httpx.AsyncClient, system: System) -> bool:
    """A grid worker asks for /desk and opens the ticket table, as staff would."""
    staff = system.staff[0]
    await http.post("/_test/send", json={"user_id": staff, "text": "/desk"})
    shown = await wait_for(http, staff, lambda m: bool(_LINK.search(m.get("text") or "")),
                           60, 0.3)
    if shown is None:
        await messages(http, staff)
        return False
    link = _LINK.search(shown["text"])
    assert link is not None
    try:
        async with httpx.AsyncClient(follow_redirects=True, timeout=60) as browser:
            first = await browser.get(link.group().rstrip("）)。."))
            table = await browser.get(str(first.url).split("/desk/")[0] + "/desk/tickets")
    except httpx.HTTPError:
        return False
    return first.status_code == 200 and table.status_code == 200


def proc_memory(pid: int) -> dict[str, float]:
    """MB: peak RSS, RSS, USS (private clean + dirty), PSS, swap."""
    status = _fields(Path(f"/proc/{pid}/status").read_text())
    rollup = _fields(Path(f"/proc/{pid}/smaps_rollup").read_text())
    mb = lambda kb: round(kb / 1024, 1)  # noqa: E731
    return {"peak_rss": mb(status["VmHWM"]), "rss": mb(status["VmRSS"]),
            "uss": mb(rollup["Private_Clean"] + rollup["Private_Dirty"]),
            "pss": mb(rollup["Pss"]), "swap": mb(rollup.get("Swap", 0))}


def _fields(text: str) -> dict[str, int]:
    out = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        parts = rest.split()
        if len(parts) == 2 and parts[1] == "kB":
            out[name.strip()] = int(parts[0])
    return out


# -- imports ---------------------------------------------------------------------------------


def import_costs() -> list[dict[str, Any]]:
    """RSS added by each group, in a fresh interpreter (groups already loaded cost 0)."""
    script = (
        "import importlib, json, sys\n"
        "def rss():\n"
        "    return next(int(l.split()[1]) for l in open('/proc/self/status')\n"
        "                if l.startswith('VmRSS')) / 1024\n"
        "out, before = [], rss()\n"
        "for label, modules in json.loads(sys.argv[1]):\n"
        "    for m in modules: importlib.import_module(m)\n"
        "    now = rss(); out.append([label, round(now - before, 1), round(now, 1)])\n"
        "    before = now\n"
        "print(json.dumps(out))\n")
    done = subprocess.run([sys.executable, "-c", script, json.dumps(IMPORT_GROUPS)],
                          capture_output=True, text=True, cwd=ROOT, check=True)
    return [{"group": g, "added_mb": a, "total_mb": t} for g, a, t in json.loads(done.stdout)]


def loaded_by(module: str) -> list[str]:
    """Top-level packages a bot process has loaded once `module` is imported."""
    script = (f"import sys, {module}\n"
              "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    return done.stdout.split()


def import_times(module: str, top: int = 12) -> list[tuple[str, float]]:
    """The slowest third-party packages reached from `module` (cumulative ms)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                          capture_output=True, text=True, cwd=ROOT, check=True)
    rows: dict[str, float] = {}
    for line in done.stderr.splitlines()[1:]:
        _, cumulative, label = line.split(":", 1)[1].split("|")
        package = label.strip().split(".")[0]
        if package not in FIRST_PARTY and not package.startswith("_"):
            rows[package] = max(rows.get(package, 0.0), int(cumulative) / 1000)
    return sorted(rows.items(), key=lambda kv: -kv[1])[:top]


# -- output ----------------------------------------------------------------------------------


def show(results: list[dict[str, Any]], imports: dict[str, Any] | None) -> None:
    print(f"{'kind':<9}{'process':<10}{'peak RSS':>10}{'RSS':>8}{'USS':>8}{'PSS':>8}  MB")
    for result in results:
        for name, m in result["processes"].items():
            print(f"{result['kind']:<9}{name:<10}{m['peak_rss']:>10.1f}{m['rss']:>8.1f}"
                  f"{m['uss']:>8.1f}{m['pss']:>8.1f}")
        print(f"{'':<9}({result['reports']} reports, {result['failed']} failed, desk opened: "
              f"{result['desk_opened']})")
    if imports is None:
        return
    print("\nimports, RSS each group adds (fresh interpreter, in this order):")
    for row in imports["groups"]:
        print(f"  {row['group']:<50}{row['added_mb']:>8.1f} MB  (total {row['total_mb']:.1f})")
    print("\nslowest imports of shaosheng.production (cumulative ms):")
    for name, ms in imports["times"]:
        print(f"  {name:<30}{ms:>9.1f}")
    print("\nheavy packages a bot process loads:",
          " ".join(p for p in imports["loaded"] if p in HEAVY) or "none")


FIRST_PARTY = {"bot", "desk", "dispatch", "nlu", "shaosheng", "standin", "site", "encodings"}
HEAVY = {"sklearn", "scipy", "jinja2", "openpyxl", "matplotlib", "PIL", "telegram", "aiogram",
         "joblib", "threadpoolctl", "segno", "pygments", "narwhals", "tqdm"}


async def main(args: argparse.Namespace) -> None:
    results = [await measure_kind(kind, args.residents) for kind in args.kinds.split(",")]
    imports = None
    if args.imports:
        imports = {"groups": import_costs(), "times": import_times("shaosheng.production"),
                   "loaded": loaded_by("shaosheng.production")}
    if args.json:
        print(json.dumps({"runs": results, "imports": imports}, ensure_ascii=False))
    else:
        show(results, imports)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--kinds", default="aiogram,ptb,webhook")
    parser.add_argument("--residents", type=int, default=6)
    parser.add_argument("--imports", action="store_true")
    parser.add_argument("--json", action="store_true")
    asyncio.run(main(parser.parse_args()))
