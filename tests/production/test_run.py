"""`shaosheng run` as real processes: PostgreSQL, Redis, the stand-in, two workers."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from tests.conftest import REDIS_URL, SAMPLE_ORG
from tests.production.system import free_port, wait_http

ROOT = Path(__file__).parent.parent.parent


@pytest.fixture
def production(pg_database: str, tmp_path: Path):
    async def clean() -> None:
        redis = Redis.from_url(REDIS_URL)
        keys = [k async for k in redis.scan_iter("shaosheng:*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()

    asyncio.run(clean())
    standin_port, web_port = free_port(), free_port()
    env = dict(os.environ, SHAOSHENG__DB__URL=pg_database, SHAOSHENG__REDIS__URL=REDIS_URL,
               SHAOSHENG__TELEGRAM__TOKEN="7000000001:production-test",
               SHAOSHENG__TELEGRAM__API_BASE=f"http://127.0.0.1:{standin_port}",
               SHAOSHENG__NLU__MODEL_DIR=str(ROOT / "var" / "nlu"))
    shaosheng = [sys.executable, "-m", "shaosheng"]
    subprocess.run([*shaosheng, "org", "load", str(SAMPLE_ORG)], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    logs = tmp_path / "run.log"
    standin = subprocess.Popen([*shaosheng, "stand-in", "--port", str(standin_port),
                                "--any-chat"], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(f"http://127.0.0.1:{standin_port}/_test/stats")
    with logs.open("wb") as out:
        run = subprocess.Popen([*shaosheng, "run", "--workers", "2", "--web-port",
                                str(web_port)], env=env, cwd=ROOT, stdout=out, stderr=out)
        try:
            wait_http(f"http://127.0.0.1:{web_port}/healthz", seconds=120)
            yield {"standin": f"http://127.0.0.1:{standin_port}",
                   "web": f"http://127.0.0.1:{web_port}", "run": run, "logs": logs, "env": env}
        finally:
            if run.poll() is None:
                run.send_signal(signal.SIGTERM)
                run.wait(timeout=60)
            standin.terminate()
            standin.wait(timeout=30)


def _messages(base: str, chat: int) -> list[dict]:
    answer = httpx.get(f"{base}/_test/messages", params={"chat_id": chat, "since": 0})
    return answer.json()["messages"]


def _wait(base: str, chat: int, predicate, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in _messages(base, chat):
            if predicate(message):
                return message
        time.sleep(0.2)
    raise AssertionError([m["text"][:60] for m in _messages(base, chat)])


def test_a_resident_reports_through_the_production_processes(production) -> None:
    base, user = production["standin"], 9001
    send = lambda text: httpx.post(f"{base}/_test/send", json={  # noqa: E731
        "user_id": user, "text": text, "first_name": "Zhang", "language_code": "zh"})
    send("/start")
    _wait(base, user, lambda m: "街道" in (m["text"] or ""))
    send("西关")
    _wait(base, user, lambda m: "西关社区" in (m["text"] or ""))
    send("阳光花园3号楼门口的路灯坏了好几天了")
    card = _wait(base, user, lambda m: "请确认" in (m["text"] or ""))
    datas = [b["data"] for row in card["buttons"] for b in row]
    data = next(d for d in datas if d.startswith("r:ok:"))
    httpx.post(f"{base}/_test/press", json={"user_id": user, "message_id": card["message_id"],
                                             "data": data})
    # The card itself turns into the confirmation; the street's "nobody took it" message may
    # come before or after it.
    done = _wait(base, user, lambda m: m["message_id"] == card["message_id"]
                 and bool(re.search(r"CL-\d{4}-\d{6}", m["text"] or "")))
    assert "✅" in done["text"]
    metrics = httpx.get(f"{production['web']}/metrics").text
    # One ticket (nobody is enrolled in 西关 here, so it went up to the street at once).
    counts = re.findall(r'^shaosheng_tickets\{status="(\w+)"\} (\d+)$', metrics, re.M)
    assert sum(int(n) for _, n in counts) == 1, metrics
    assert httpx.get(f"{production['web']}/healthz").json() == {"ok": True}
    run = production["run"]
    run.send_signal(signal.SIGTERM)
    assert run.wait(timeout=60) == 0  # a graceful stop
    log_lines = production["logs"].read_text(encoding="utf-8").splitlines()
    assert any('"level": "info"' in line for line in log_lines)  # structured JSON logs
    assert not any("阳光花园" in line for line in log_lines)  # no resident's words in logs
    running = [line for line in log_lines if "is running" in line]
    assert len(running) == 2, running
    assert all("uvloop" in line for line in running), running


def test_doctor_reports_what_the_processes_use(production) -> None:
    from nlu import e5x

    def doctor(**env: str) -> tuple[int, dict[str, str]]:
        done = subprocess.run([sys.executable, "-m", "shaosheng", "doctor"], cwd=ROOT,
                              env=dict(production["env"], **env), capture_output=True,
                              text=True, timeout=120)
        rows = [re.match(r"(ok|FAIL)\s+(\S+(?: token| api)?)\s+(.*)", line)
                for line in done.stdout.splitlines()]
        return done.returncode, {m[2]: f"{m[1]} {m[3]}" for m in rows if m}

    code, rows = doctor()
    assert code == 0, rows
    assert rows["migrations"] == "ok at head"
    assert rows["redis"].startswith("ok reachable")
    assert rows["bot api"].startswith(f"ok {production['standin']} @")
    assert rows["embedding"] == f"ok {e5x.name()}"
    code, rows = doctor(SHAOSHENG__REDIS__URL=f"redis://127.0.0.1:{free_port()}/0",
                        SHAOSHENG__NLU__EMBEDDING="false")
    assert code == 1
    assert rows["redis"] == "FAIL ConnectionError"
    assert rows["database"].startswith("ok ")
    assert rows["embedding"] == "ok off: the n-grams alone classify"
