"""Operators' view: JSON logs and Prometheus metrics (counters in-process, gauges from the DB)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.metrics import COUNTERS
from dispatch.privacy.mask import mask
from dispatch.store import inbox
from dispatch.store.models import OutboxMessage, Ticket, TicketEvent


class JsonFormatter(logging.Formatter):
    """One JSON object per line; messages carry ids, never a resident's words, and are masked
    all the same (a library's message may quote a phone number or the bot token)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


class MaskedFormatter(logging.Formatter):
    """The plain format, masked: for the demo's console."""

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


def configure_json_logs(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Their DEBUG output can hold SQL parameters and message bodies: keep them quiet.
    for noisy in ("aiosqlite", "sqlalchemy", "httpx", "httpcore", "aiogram.event"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


async def render_metrics(sessions: async_sessionmaker[AsyncSession]) -> str:
    """Prometheus text format: counters of this process, gauges read from the database."""
    lines = ["# TYPE shaosheng_updates_total counter",
             f"shaosheng_updates_total {COUNTERS['updates']}",
             "# TYPE shaosheng_rate_limited_total counter",
             f"shaosheng_rate_limited_total {COUNTERS['rate_limited']}"]
    async with sessions() as session:
        by_status = (await session.execute(
            select(Ticket.status, func.count()).group_by(Ticket.status))).all()
        pending, oldest = (await session.execute(
            select(func.count(), func.min(OutboxMessage.created_at))
            .where(OutboxMessage.delivered_at.is_(None)))).one()
        escalations = await session.scalar(
            select(func.count()).select_from(TicketEvent).where(TicketEvent.action == "escalate"))
        delivered = await session.scalar(
            select(func.count()).select_from(OutboxMessage)
            .where(OutboxMessage.delivered_at.is_not(None)))
        waiting, first = await inbox.backlog(session=session)
    lines.append("# TYPE shaosheng_tickets gauge")
    lines += [f'shaosheng_tickets{{status="{status}"}} {n}' for status, n in by_status]
    lag = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
    lines += ["# TYPE shaosheng_push_queue_length gauge", f"shaosheng_push_queue_length {pending}",
              "# TYPE shaosheng_push_queue_lag_seconds gauge",
              f"shaosheng_push_queue_lag_seconds {lag:.1f}",
              "# TYPE shaosheng_pushes_delivered_total counter",
              f"shaosheng_pushes_delivered_total {delivered}",
              "# TYPE shaosheng_escalations_total counter",
              f"shaosheng_escalations_total {escalations}"]
    inbox_lag = (datetime.now(UTC) - first).total_seconds() if first else 0.0
    lines += ["# TYPE shaosheng_inbox_waiting gauge", f"shaosheng_inbox_waiting {waiting}",
              "# TYPE shaosheng_inbox_lag_seconds gauge",
              f"shaosheng_inbox_lag_seconds {inbox_lag:.1f}"]
    for name in ("inbox_stored", "inbox_redelivered", "inbox_handled", "inbox_retries",
                 "inbox_requeued"):
        lines += [f"# TYPE shaosheng_{name}_total counter",
                  f"shaosheng_{name}_total {COUNTERS[name]}"]
    return "\n".join(lines) + "\n"


__all__ = ["configure_json_logs", "render_metrics"]
