"""A whole production deployment as real processes on loopback, and residents to load it.

PostgreSQL (a throwaway database on the machine's server), a private Redis with an append-only
file (as production runs it), the Bot API stand-in, `shaosheng run` and `shaosheng worker`
processes. Used by the fault tests in CI and by `bench/faults.py` / `bench/intake.py`.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent.parent
PG_ADMIN = os.environ.get("SHAOSHENG_TEST_PG_URL",
                          "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
TOKEN = "7000000001:fault-run"
# A report's confirmation; an emergency gets its ticket at once, without a card to confirm.
CONFIRMED = re.compile(r"(已提交，编号|已按紧急事件登记，编号) ([A-Z]{1,6}-\d{4}-\d{6})")
PLACES = ["{c}{n}号楼门口", "{c}{n}栋楼道", "{c}南门第{n}个路口", "{c}菜市场{n}号摊位旁"]
PROBLEMS = ["的路灯坏了好几天了", "的垃圾堆了三天没人清", "的井盖松了走上去咣咣响",
            "的下水道堵了污水漫出来", "有人乱停车把消防通道堵了", "的健身器材坏了好久没人修"]


def cpu_seconds(pid: int | str) -> float:
    """A process's CPU so far: utime + stime, and cutime + cstime, the children it reaped
    (PostgreSQL's postmaster reaps the backends that ended during a run; theirs would be lost
    otherwise). 0 for a process gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def process_name(pid: int | str) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not come up")


def report_text(i: int, community: str) -> str:
    place = PLACES[i % len(PLACES)].format(c=community, n=i // 7 + 1)
    return place + PROBLEMS[i % len(PROBLEMS)]


@dataclass
class System:
    """Start with ``start()``, stop with ``stop()``; processes can be killed and restarted."""

    workers: int = 1  # `shaosheng worker` processes beside `run`
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="shaosheng-")))
    redis_port: int = field(default_factory=free_port)
    standin_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    db_name: str = field(default_factory=lambda: f"faults_{uuid.uuid4().hex[:8]}")
    standin_limits: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)
    mode: str = "polling"  # or "webhook": the stand-in posts updates to `run`, as Telegram does
    webhook_port: int = field(default_factory=free_port)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    residents: list[tuple[int, str]] = field(default_factory=list)  # (user id, community name)
    staff: list[int] = field(default_factory=list)
    existing: bool = False  # `db_name` is a kept fill (bench/city.py): not made, not dropped

    @property
    def db_url(self) -> str:
        return PG_ADMIN.rsplit("/", 1)[0] + f"/{self.db_name}"

    @property
    def standin(self) -> str:
        return f"http://127.0.0.1:{self.standin_port}"

    @property
    def env(self) -> dict[str, str]:
        lifted = {} if self.standin_limits else {  # what the bot itself can do (benchmarks)
            "SHAOSHENG__TELEGRAM__SEND_PER_SECOND": "100000",
            "SHAOSHENG__TELEGRAM__SEND_BURST": "100000",
            "SHAOSHENG__TELEGRAM__PRIVATE_PER_SECOND": "1000"}
        webhook = {} if self.mode == "polling" else {
            "SHAOSHENG__TELEGRAM__MODE": "webhook",
            "SHAOSHENG__TELEGRAM__WEBHOOK_SECRET": "system-secret",
            "SHAOSHENG__TELEGRAM__WEBHOOK__LISTEN_PORT": str(self.webhook_port)}
        return dict(os.environ, **lifted, **webhook, **self.extra_env,
                    SHAOSHENG__DB__URL=self.db_url,
                    SHAOSHENG__REDIS__URL=f"redis://127.0.0.1:{self.redis_port}/0",
                    SHAOSHENG__TELEGRAM__TOKEN=TOKEN,
                    SHAOSHENG__TELEGRAM__API_BASE=self.standin,
                    SHAOSHENG__NLU__MODEL_DIR=str(ROOT / "var" / "nlu"),
                    SHAOSHENG__ABUSE__TICKETS_PER_DAY="1000")

    # -- processes ------------------------------------------------------------------------

    def _spawn(self, name: str, args: list[str]) -> None:
        log = (self.tmp / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(args, env=self.env, cwd=ROOT, stdout=log,
                                            stderr=log)

    def start_redis(self) -> None:
        self._spawn("redis", ["redis-server", "--port", str(self.redis_port), "--bind",
                              "127.0.0.1", "--appendonly", "yes", "--appendfsync", "everysec",
                              "--save", "", "--dir", str(self.tmp)])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.redis_port)) == 0:
                    return
            time.sleep(0.1)
        raise AssertionError("redis did not start")

    def start_run(self) -> None:
        self._spawn("run", [sys.executable, "-m", "shaosheng", "run", "--workers", "1",
                            "--web-port", str(self.web_port)])
        wait_http(f"http://127.0.0.1:{self.web_port}/healthz")

    def start_worker(self, index: int) -> None:
        self._spawn(f"worker{index}", [sys.executable, "-m", "shaosheng", "worker"])

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs[name]
        proc.send_signal(sig)
        proc.wait(timeout=60)

    async def start(self) -> None:
        if not self.existing:
            conn = await asyncpg.connect(PG_ADMIN.replace("+asyncpg", ""))
            await conn.execute(f'CREATE DATABASE "{self.db_name}"')
            await conn.close()
        await asyncio.to_thread(self._prepare)
        if self.existing:
            # Each run brings a new stand-in whose update ids start at 1 again (Telegram's
            # never do): the inbox would take a rerun's first updates for the last run's.
            conn = await self.connect()
            try:
                await conn.execute("DELETE FROM inbound_updates")
            finally:
                await conn.close()
        await self._communities()
        await asyncio.to_thread(self._launch)

    def _prepare(self) -> None:
        self.start_redis()
        shaosheng = [sys.executable, "-m", "shaosheng"]
        subprocess.run([*shaosheng, "db", "upgrade"], env=self.env, cwd=ROOT, check=True,
                       capture_output=True)
        if not self.existing:  # a kept fill has its own districts: loading the sample
            # over them would retire every unit the sample does not name
            subprocess.run([*shaosheng, "org", "load", str(ROOT / "dispatch/sample/changle.yml")],
                           env=self.env, cwd=ROOT, check=True, capture_output=True)

    def _launch(self) -> None:
        args = [sys.executable, "-m", "shaosheng", "stand-in", "--port", str(self.standin_port),
                "--any-chat"]
        self._spawn("standin", args)
        wait_http(f"{self.standin}/_test/stats")
        if not self.standin_limits:
            httpx.post(f"{self.standin}/_test/config", json={"limits_enabled": False})
        for index in range(1, self.workers + 1):
            self.start_worker(index)
        self.start_run()

    async def _communities(self) -> None:
        """The communities and villages; ``add_residents`` enrols a grid worker in each."""
        conn = await self.connect()
        try:
            self.communities = await conn.fetch(
                "SELECT id, name FROM units WHERE kind IN ('community', 'village') ORDER BY id")
        finally:
            await conn.close()

    async def add_residents(self, n: int, first_id: int = 100_000) -> None:
        from dispatch.core.enums import Role
        from dispatch.org.people import enrol
        from dispatch.store.db import create_engine, session_factory
        from shaosheng.clock import utc_now

        engine = create_engine(self.db_url)
        try:
            async with session_factory(engine)() as session, session.begin():
                for k, unit in enumerate(self.communities):
                    if len(self.staff) < len(self.communities):
                        await enrol(session=session, channel="telegram",
                                    external_id=str(20_000 + k), name=f"网格员{k}",
                                    role=Role.GRID_WORKER, unit_id=unit["id"], clock=utc_now)
                        self.staff.append(20_000 + k)
                for i in range(n):
                    unit = self.communities[i % len(self.communities)]
                    await enrol(session=session, channel="telegram",
                                external_id=str(first_id + i), name=f"居民{i}",
                                role=Role.RESIDENT, unit_id=unit["id"], clock=utc_now,
                                community_id=unit["id"])
                    self.residents.append((first_id + i, unit["name"]))
        finally:
            await engine.dispose()

    async def connect(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.db_url.replace("+asyncpg", ""))

    def stop(self) -> None:
        """The bot's processes first (they drain), then the stand-in and Redis they used."""
        bots = {"run", *(n for n in self.procs if n.startswith("worker"))}
        for group in (bots, set(self.procs) - bots):
            procs = [p for n, p in self.procs.items() if n in group and p.poll() is None]
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

    async def drop(self) -> None:
        if not self.existing:
            conn = await asyncpg.connect(PG_ADMIN.replace("+asyncpg", ""))
            await conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            await conn.close()
        if os.environ.get("SHAOSHENG_KEEP_LOGS"):  # to read the processes' logs afterwards
            print(f"logs kept in {self.tmp}", file=sys.stderr)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def rss_mb(self, name: str) -> float:
        """Peak resident memory (VmHWM) of one process, in MB."""
        status = Path(f"/proc/{self.procs[name].pid}/status").read_text()
        kb = next(int(line.split()[1]) for line in status.splitlines()
                  if line.startswith("VmHWM"))
        return kb / 1024


# -- residents ------------------------------------------------------------------------------


@dataclass
class Outcome:
    user: int
    card_s: float | None = None  # update in → card out
    done_s: float | None = None  # press → confirmation out
    error: str | None = None


async def messages(http: httpx.AsyncClient, chat: int, wait: float = 0) -> list[dict[str, Any]]:
    """What the bot shows in the chat; ``wait``: hold until there is something (long poll)."""
    for attempt in range(5):
        try:
            answer = await http.get("/_test/messages",
                                    params={"chat_id": chat, "since": 0, "wait": wait})
            return list(answer.json()["messages"])
        except httpx.HTTPError:
            await asyncio.sleep(0.5 * (attempt + 1))
    return []


async def wait_for(http: httpx.AsyncClient, chat: int, predicate: Any, within: float,
                    poll: float) -> dict[str, Any] | None:
    deadline = time.perf_counter() + within
    while time.perf_counter() < deadline:
        shown = await messages(http, chat, wait=min(10.0, deadline - time.perf_counter()))
        for message in shown:
            if predicate(message):
                return message
        if shown:  # waiting for an edit: the long poll returns at once, so poll
            await asyncio.sleep(poll)
    return None


def is_card(message: dict[str, Any]) -> bool:
    return any(b["data"].startswith("r:ok:") for row in message.get("buttons") or []
               for b in row)


async def report(http: httpx.AsyncClient, user: int, text: str, *, within: float = 240,
                 poll: float = 0.3) -> Outcome:
    """One resident: the text, the card, the press on 提交, the confirmation."""
    outcome = Outcome(user)
    start = time.perf_counter()
    await http.post("/_test/send", json={"user_id": user, "text": text, "first_name": "居民",
                                         "language_code": "zh"})
    card = await wait_for(
        http, user, lambda m: is_card(m) or CONFIRMED.search(m.get("text") or ""), within, poll)
    if card is None:
        outcome.error = "no card"
        return outcome
    outcome.card_s = time.perf_counter() - start
    if not is_card(card):  # an emergency: registered at once
        outcome.done_s = 0.0
        return outcome
    data = next(b["data"] for row in card["buttons"] for b in row
                if b["data"].startswith("r:ok:"))
    pressed = time.perf_counter()
    await http.post("/_test/press", json={"user_id": user, "message_id": card["message_id"],
                                          "data": data})
    done = await wait_for(http, user, lambda m: CONFIRMED.search(m.get("text") or ""),
                           within, poll)
    if done is None:
        outcome.error = "no confirmation"
        return outcome
    outcome.done_s = time.perf_counter() - pressed
    return outcome


async def burst(system: System, *, concurrency: int, during: Any = None,
                fault_after: int = 0) -> tuple[list[Outcome], float]:
    """Every resident reports once; ``during`` runs once ``fault_after`` reports are done."""
    slots = asyncio.Semaphore(concurrency)
    finished = 0
    fired = asyncio.Event()
    fault_task: asyncio.Task[Any] | None = None
    async with httpx.AsyncClient(base_url=system.standin, timeout=60,
                                 limits=httpx.Limits(max_connections=concurrency + 8)) as http:

        async def one(i: int, user: int, community: str) -> Outcome:
            nonlocal finished, fault_task
            async with slots:
                outcome = await report(http, user, report_text(i, community))
            finished += 1
            if during is not None and finished >= fault_after and not fired.is_set():
                fired.set()
                fault_task = asyncio.create_task(during())
            return outcome

        start = time.perf_counter()
        outcomes = await asyncio.gather(*(one(i, user, community) for i, (user, community)
                                          in enumerate(system.residents)))
        elapsed = time.perf_counter() - start
        if fault_task is not None:
            await fault_task
    return list(outcomes), elapsed


async def settle(system: System, seconds: float = 300) -> dict[str, int]:
    """Wait until nothing is left to handle or deliver; the backlog that remains."""
    conn = await system.connect()
    try:
        deadline = time.monotonic() + seconds
        while True:
            left = {
                "inbox_open": await conn.fetchval(
                    "SELECT count(*) FROM inbound_updates WHERE state <> 'done'"),
                "pushes_undelivered": await conn.fetchval(
                    "SELECT count(*) FROM outbox WHERE delivered_at IS NULL"),
            }
            if not any(left.values()) or time.monotonic() > deadline:
                return left
            await asyncio.sleep(1.0)
    finally:
        await conn.close()


async def check(system: System, outcomes: list[Outcome]) -> dict[str, Any]:
    """What the people and the database show after the run."""
    conn = await system.connect()
    try:
        per_reporter = await conn.fetch(
            "SELECT c.external_id, count(t.id) AS n FROM chat_identities c "
            "LEFT JOIN tickets t ON t.reporter_id = c.person_id "
            "WHERE c.external_id::bigint >= 100000 GROUP BY c.external_id")
        pushes = await conn.fetchval("SELECT count(*) FROM outbox")
        undelivered = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE delivered_at IS NULL")
    finally:
        await conn.close()
    tickets = {int(r["external_id"]): r["n"] for r in per_reporter}
    confirmations: dict[int, int] = {}
    cards: dict[int, int] = {}
    async with httpx.AsyncClient(base_url=system.standin, timeout=30) as http:
        for user, _ in system.residents:
            shown = await messages(http, user)
            confirmations[user] = sum(bool(CONFIRMED.search(msg.get("text") or ""))
                                      for msg in shown)
            cards[user] = sum(is_card(msg) for msg in shown)
        doubled_pushes = 0
        for chat in system.staff:
            texts = [msg.get("text") for msg in await messages(http, chat)]
            doubled_pushes += len(texts) - len(set(texts))
        stats = (await http.get("/_test/stats")).json()
    return {
        "reports": len(system.residents),
        "failed_reports": sum(o.error is not None for o in outcomes),
        "reporters_with_1_ticket": sum(n == 1 for n in tickets.values()),
        "reporters_with_0_tickets": sum(n == 0 for n in tickets.values()),
        "reporters_with_2+_tickets": sum(n > 1 for n in tickets.values()),
        "residents_with_1_confirmation": sum(n == 1 for n in confirmations.values()),
        "residents_with_2+_confirmations": sum(n > 1 for n in confirmations.values()),
        "residents_with_2+_cards": sum(n > 1 for n in cards.values()),
        "pushes": pushes,
        "pushes_undelivered": undelivered,
        "pushes_shown_twice": doubled_pushes,
        "webhook_deliveries": stats["webhook_deliveries"],
    }


def verdict(result: dict[str, Any], *, killed: bool = False) -> list[str]:
    """The checks that failed (empty: all passed).

    ``killed``: a process died by kill -9. A message it had handed to Telegram but not yet
    recorded as sent goes out again (Telegram has no idempotency key), so a push or a card
    shown twice is counted, not failed, there; a ticket or a confirmation twice always fails.
    """
    n = result["reports"]
    failed = []
    checks = [("failed_reports", 0), ("reporters_with_1_ticket", n),
              ("reporters_with_0_tickets", 0), ("reporters_with_2+_tickets", 0),
              ("residents_with_1_confirmation", n), ("residents_with_2+_confirmations", 0),
              ("pushes_undelivered", 0)]
    if not killed:
        checks += [("pushes_shown_twice", 0), ("residents_with_2+_cards", 0)]
    for key, want in checks:
        if result[key] != want:
            failed.append(f"{key} = {result[key]}, expected {want}")
    return failed
