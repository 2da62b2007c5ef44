"""Delivering outbox pushes: render in the person's language, send or edit cards, record.

Every bus entry may arrive more than once (republished, reclaimed), so delivery starts with a
claim on the outbox row: one conditional UPDATE that only an undelivered, due row passes, and
that leases it (``available_at`` moves ahead) so a twin entry handled meanwhile does nothing.
No database transaction stays open while talking to Telegram. Logs carry ids only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.sender import DeliveryError, Rejected
from bot.core.messages import Reply, Sender
from bot.delivery.cards import (
    CardEdit,
    cards_to_replace,
    cards_to_retire,
    edit_cards,
    mark_retired,
)
from bot.delivery.notices import render_notice
from bot.intake.outage import through_outage
from dispatch.core.i18n import normalise_language
from dispatch.notify.outbox import Notice
from dispatch.notify.relay import Sessions
from dispatch.store.models import ChatIdentity, OutboxMessage, Person, PushCard

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Job:
    """A claimed row and all that is needed to send it, read before any network call."""

    outbox_id: int
    attempts: int
    person_id: int
    chat_id: str
    notice: Notice
    reply: Reply
    cards: list[CardEdit] = field(default_factory=list)


class Deliverer:
    """Implements one delivery of one outbox row, safely repeatable."""

    def __init__(
        self, *, sessions: Sessions, sender: Sender, clock: Callable[[], datetime] = utc_now,
        channel: str = "telegram", max_attempts: int = 5,
        # While the lease runs, twins of this row's bus entry are ignored and the relay leaves
        # it alone. It is renewed while the send lasts (a chat's queue, 429 retries), so it
        # only runs out when the deliverer died: then another takes the row over.
        lease: timedelta = timedelta(seconds=60),
        backoff: timedelta = timedelta(seconds=5),
        max_backoff: timedelta = timedelta(minutes=10),
    ) -> None:
        self.sessions, self.sender, self.clock, self.channel = sessions, sender, clock, channel
        self.max_attempts, self.lease = max_attempts, lease
        self.backoff, self.max_backoff = backoff, max_backoff

    async def deliver(self, outbox_id: int) -> None:
        job = await self._claim(outbox_id)
        if job is None:
            return
        done = asyncio.Event()
        renewer = asyncio.create_task(self._renew(job, done))
        try:
            message_id = await self._send(job)
        except Exception as exc:
            await self._failed(job, exc)
            return
        finally:
            # The flag ends the renewer even if a driver swallows the cancellation.
            done.set()
            renewer.cancel()
        await self._finish(job, message_id)

    async def _renew(self, job: _Job, done: asyncio.Event) -> None:
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            if done.is_set():
                return
            try:
                async with self.sessions() as session, session.begin():
                    await session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.id == job.outbox_id,
                               OutboxMessage.attempts == job.attempts,
                               OutboxMessage.delivered_at.is_(None))
                        .values(available_at=self.clock() + self.lease)
                        .execution_options(synchronize_session=False))
            except Exception as exc:  # the lease may lapse: a twin delivery at worst
                log.warning("lease renewal of outbox %s failed: %s", job.outbox_id,
                            type(exc).__name__)

    async def _claim(self, outbox_id: int) -> _Job | None:
        now = self.clock()
        claim = (
            update(OutboxMessage)
            .where(
                OutboxMessage.id == outbox_id,
                OutboxMessage.delivered_at.is_(None),
                OutboxMessage.available_at <= now,
            )
            .values(available_at=now + self.lease, attempts=OutboxMessage.attempts + 1)
            .returning(OutboxMessage.person_id, OutboxMessage.payload, OutboxMessage.attempts)
            .execution_options(synchronize_session=False)
        )
        async with self.sessions() as session, session.begin():
            row = (await session.execute(claim)).one_or_none()
            if row is None:  # delivered, not yet due, or another deliverer holds the lease
                return None
            return await self._prepare(
                session, outbox_id, row.person_id, row.payload, row.attempts
            )

    async def _prepare(
        self, session: AsyncSession, outbox_id: int, person_id: int | None,
        payload: dict[str, Any], attempts: int,
    ) -> _Job | None:
        if payload.get("retire") is not None:  # stale cards, whoever holds them
            return await self._prepare_retire(session, outbox_id, payload, attempts)
        if person_id is None and payload.get("chat_id"):  # a channel, not a person
            notice = Notice.from_payload(payload)
            reply = render_notice(notice, normalise_language(str(payload.get("lang", "zh"))))
            return _Job(outbox_id, attempts, 0, str(payload["chat_id"]), notice, reply)
        person = await session.get(Person, person_id) if person_id is not None else None
        chat_id = await self._chat_of(session, person_id) if person else None
        if person is None or person.blocked or chat_id is None:
            # Nobody to reach: retrying could never succeed, so the row is closed for good.
            reason = "no person" if person is None else "person blocked" if person.blocked else (
                "no chat identity"
            )
            await _mark_delivered(session, outbox_id, self.clock(), reason)
            log.info("outbox %s not deliverable: %s", outbox_id, reason)
            return None
        notice = Notice.from_payload(payload)
        reply = render_notice(notice, normalise_language(person.language))
        job = _Job(outbox_id, attempts, person.id, chat_id, notice, reply)
        if notice.replace_cards is not None:
            job.cards = await cards_to_replace(session, notice, person.id, reply)
        return job

    async def _prepare_retire(self, session: AsyncSession, outbox_id: int,
                              payload: dict[str, Any], attempts: int) -> _Job | None:
        notice = Notice.from_payload(payload)
        edits = await cards_to_retire(session, notice, outbox_id)
        if not edits:  # nobody holds a card about it (yet): nothing to edit, ever
            await _mark_delivered(session, outbox_id, self.clock(), None)
            return None
        return _Job(outbox_id, attempts, 0, "", notice, edits[0].reply, edits)

    async def _chat_of(self, session: AsyncSession, person_id: int | None) -> str | None:
        identity = await session.scalar(
            select(ChatIdentity)
            .where(ChatIdentity.person_id == person_id, ChatIdentity.channel == self.channel)
            .order_by(ChatIdentity.id.desc())
            .limit(1)
        )
        if identity is None:
            return None
        # A private chat's id is the user's id, so an identity seen only as a user still works.
        return identity.chat_id or identity.external_id

    async def _send(self, job: _Job) -> int | None:
        if job.notice.replace_cards is not None or job.notice.retire is not None:
            await edit_cards(self.sender, job.cards, job.outbox_id)
            return None
        # The text goes first and alone so the card is a text message, which editMessageText
        # can change later; photos follow bare.
        message_id = await self.sender.send(job.chat_id, job.reply)
        for photo_id in job.notice.photo_ids:
            await self.sender.send(job.chat_id, Reply(text="", photo_id=photo_id))
        return message_id

    async def _finish(self, job: _Job, message_id: int | None) -> None:
        # The push is out: if the lease ran out meanwhile, a twin would send it again.
        await through_outage(lambda: self._record(job, message_id))

    async def _record(self, job: _Job, message_id: int | None) -> None:
        now = self.clock()
        async with self.sessions() as session, session.begin():
            if not await _mark_delivered(session, job.outbox_id, now, None):
                return  # the lease ran out and a twin finished first: keep its card
            if job.notice.retire is not None:
                await mark_retired(session, job.cards)
            card = job.notice.card
            if card is not None and message_id:
                session.add(PushCard(
                    outbox_id=job.outbox_id, ticket_id=card[0], person_id=job.person_id,
                    kind=card[1], chat_id=job.chat_id, message_id=message_id, created_at=now,
                ))

    async def _failed(self, job: _Job, exc: Exception) -> None:
        reason = _reason(exc)
        async with self.sessions() as session, session.begin():
            if _refused(exc):  # blocked by the user, chat gone: Telegram will not change its mind
                await _mark_delivered(session, job.outbox_id, self.clock(), f"refused: {reason}")
            elif job.attempts >= self.max_attempts:
                await _mark_delivered(session, job.outbox_id, self.clock(), f"gave up: {reason}")
            else:
                await self._retry_later(session, job, reason)
        log.warning("outbox %s attempt %s failed: %s", job.outbox_id, job.attempts,
                    type(exc).__name__)

    async def _retry_later(self, session: AsyncSession, job: _Job, reason: str) -> None:
        delay = min(self.backoff * 2 ** (job.attempts - 1), self.max_backoff)
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == job.outbox_id, OutboxMessage.delivered_at.is_(None))
            # published_at cleared: the relay publishes it again once available_at comes.
            .values(available_at=self.clock() + delay, published_at=None, last_error=reason)
            .execution_options(synchronize_session=False)
        )


async def _mark_delivered(
    session: AsyncSession, outbox_id: int, now: datetime, error: str | None
) -> bool:
    """Close the row (delivered, or given up with ``error``) unless a twin already did."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, OutboxMessage.delivered_at.is_(None))
        .values(delivered_at=now, last_error=error)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _refused(exc: BaseException) -> bool:
    return isinstance(exc, DeliveryError) and isinstance(exc.__cause__, Rejected)


def _reason(exc: Exception) -> str:
    # Telegram's and the sender's messages name ids and causes, never texts; any other
    # exception is named by type only, since its message could quote a row.
    if isinstance(exc, DeliveryError):
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    return type(exc).__name__
