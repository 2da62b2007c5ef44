"""The deliverer against the real stand-in: dedupe, languages, cards, undeliverable rows."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from bot.channels.sender import DeliveryError, Rejected, Transient
from bot.core.messages import Reply, Sender
from bot.delivery.pushes import Deliverer
from dispatch.notify.outbox import Notice, NoticeButton, at, enqueue, tr
from dispatch.notify.relay import Sessions
from dispatch.store.models import ChatIdentity, OutboxMessage, Person, PushCard
from tests.conftest import FakeClock
from tests.delivery.conftest import UserView, add_people, add_ticket, outbox_row, push

CLAIMED = Notice(key="error.already_claimed", params={"who": "Li"})


async def test_delivering_twice_shows_the_user_one_message(
    sessions: Sessions, clock: FakeClock, sender: Sender, user_view: UserView
) -> None:
    [(person, chat)] = await add_people(sessions, clock, ["en"])
    outbox_id = await push(sessions, clock, person, CLAIMED, "twice")
    deliverer = Deliverer(sessions=sessions, sender=sender, clock=clock)

    await asyncio.gather(deliverer.deliver(outbox_id), deliverer.deliver(outbox_id))
    await deliverer.deliver(outbox_id)

    assert await user_view.texts(chat) == ["This ticket was already claimed by Li."]
    row = await outbox_row(sessions, outbox_id)
    assert (row.delivered_at, row.attempts, row.last_error) == (clock(), 1, None)


async def test_each_person_reads_the_push_in_their_language(
    sessions: Sessions, clock: FakeClock, sender: Sender, user_view: UserView
) -> None:
    people = await add_people(sessions, clock, ["zh", "en"])
    notice = Notice(
        key="report.submitted.report",
        params={"number": "CL-7", "category": tr("category.noise"), "due": at(clock()),
                "community": {"zh": "首占社区", "en": "Shouzhan Community"},
                "claim": "2h", "resolve": "1d"},
        buttons=[[NoticeButton("card.submit", "t:7:ok")]],
    )
    deliverer = Deliverer(sessions=sessions, sender=sender, clock=clock)
    for person, _chat in people:
        await deliverer.deliver(await push(sessions, clock, person, notice, f"lang{person}"))

    [zh] = await user_view.messages(people[0][1])
    [en] = await user_view.messages(people[1][1])
    assert "CL-7" in zh["text"]
    assert "首占社区" in zh["text"]
    assert "11月23日 10:00" in zh["text"]
    assert "Submitted, reference CL-7 (noise)" in en["text"]
    assert "Shouzhan Community" in en["text"]
    assert "23 Nov 10:00" in en["text"]
    assert zh["buttons"][0][0]["text"] == "✅ 提交"
    assert en["buttons"][0][0] == {"text": "✅ Submit", "data": "t:7:ok"}


async def test_a_card_is_recorded_and_later_edited(
    sessions: Sessions, clock: FakeClock, sender: Sender, user_view: UserView
) -> None:
    [(person, chat)] = await add_people(sessions, clock, ["en"])
    ticket = await add_ticket(sessions, clock)
    deliverer = Deliverer(sessions=sessions, sender=sender, clock=clock)
    card = Notice(key="status.new", buttons=[[NoticeButton("card.submit", "claim:1")]],
                  card=(ticket, "claim"))
    await deliverer.deliver(await push(sessions, clock, person, card, "card"))
    [sent] = await user_view.messages(chat)

    edit = Notice(key="error.already_claimed", params={"who": "Wang"},
                  replace_cards=(ticket, "claim"))
    await deliverer.deliver(await push(sessions, clock, person, edit, "edit"))

    [seen] = await user_view.messages(chat)
    assert seen["message_id"] == sent["message_id"]
    assert seen["edited"]
    assert seen["text"] == "This ticket was already claimed by Wang."
    assert not seen["buttons"]
    async with sessions() as session:
        cards = (await session.scalars(select(PushCard))).all()
    assert [(c.ticket_id, c.kind, c.chat_id, c.message_id) for c in cards] == [
        (ticket, "claim", chat, sent["message_id"])
    ]


async def test_a_retiring_row_edits_every_earlier_card_but_the_actor_s(
    sessions: Sessions, clock: FakeClock, sender: Sender, user_view: UserView
) -> None:
    """Cards sent before the row, to anyone but the one who acted, say what happened in their
    holder's language with no buttons; a card sent after it keeps its buttons; once retired a
    card is not edited again."""
    (zh, zh_chat), (en, en_chat), (actor, actor_chat) = await add_people(
        sessions, clock, ["zh", "en", "zh"])
    ticket = await add_ticket(sessions, clock)
    deliverer = Deliverer(sessions=sessions, sender=sender, clock=clock)
    offer = Notice(key="status.new", buttons=[[NoticeButton("btn.claim", "k:c:1")]],
                   card=(ticket, "claim"))
    for person in (zh, en, actor):
        await deliverer.deliver(await push(sessions, clock, person, offer, f"offer{person}"))
    retire = Notice(key="push.card.escalated",
                    params={"number": "CL-9", "unit": {"zh": "吴航街道", "en": "Wuhang"}},
                    retire=ticket, spare=actor)
    retire_id = await _enqueue_to_no_one(sessions, clock, retire, "retire1")
    later = await push(sessions, clock, zh, offer, "offer-after")  # the next unit's card
    await deliverer.deliver(later)
    await deliverer.deliver(retire_id)

    [old, new] = await user_view.messages(zh_chat)
    assert (old["text"], old["buttons"]) == ("⬆️ CL-9 已升级至 吴航街道，此卡片无需再操作。", [])
    assert new["buttons"]  # written after the retiring row: still an offer
    [seen] = await user_view.messages(en_chat)
    assert seen["text"] == "⬆️ CL-9 was escalated to Wuhang; nothing more to do on this card."
    [own] = await user_view.messages(actor_chat)
    assert own["buttons"]
    assert not own.get("edited")
    again = Notice(key="push.card.withdrawn", params={"number": "CL-9"}, retire=ticket,
                   spare=actor)
    await deliverer.deliver(await _enqueue_to_no_one(sessions, clock, again, "retire2"))
    assert [m["text"] for m in await user_view.messages(en_chat)] == [seen["text"]]
    assert "居民已撤回" in (await user_view.messages(zh_chat))[1]["text"]  # the later card
    assert (await outbox_row(sessions, retire_id)).delivered_at == clock()


async def _enqueue_to_no_one(sessions: Sessions, clock: FakeClock, notice: Notice,
                             key: str) -> int:
    async with sessions() as session, session.begin():
        assert await enqueue(session=session, person_id=None, notice=notice, dedupe_key=key,
                             clock=clock, kind="retire")
    async with sessions() as session:
        found = await session.scalar(select(OutboxMessage.id)
                                     .where(OutboxMessage.dedupe_key == key))
        assert found is not None
        return found


async def test_photos_follow_the_text(
    sessions: Sessions, clock: FakeClock, sender: Sender, user_view: UserView
) -> None:
    [(person, chat)] = await add_people(sessions, clock, ["en"])
    sent = await user_view.http.post("/_test/send", json={"user_id": 1, "photo": True})
    sent.raise_for_status()
    [photo_message] = [m for m in (await user_view.http.get(
        "/_test/chat", params={"user_id": 1})).json()["messages"] if m.get("photo")]
    photo_id = photo_message["file_id"]
    notice = Notice(key="error.already_claimed", params={"who": "Li"}, photo_ids=[photo_id])

    await Deliverer(sessions=sessions, sender=sender, clock=clock).deliver(
        await push(sessions, clock, person, notice, "photo")
    )

    seen = await user_view.messages(chat)
    assert [bool(m["photo"]) for m in seen] == [False, True]
    assert seen[0]["text"] == "This ticket was already claimed by Li."


@pytest.mark.parametrize("blocked", [False, True])
async def test_nobody_to_reach_is_closed_not_retried(
    sessions: Sessions, clock: FakeClock, sender: Sender, user_view: UserView, blocked: bool
) -> None:
    [(person, chat)] = await add_people(sessions, clock, ["zh"])
    async with sessions() as session, session.begin():
        await session.execute(update(Person).where(Person.id == person).values(blocked=True))
    [(other, _)] = await add_people(sessions, clock, ["zh"], first=9)
    target = person if blocked else other
    if not blocked:  # "other" has no Telegram identity at all
        async with sessions() as session, session.begin():
            await session.execute(delete(ChatIdentity).where(ChatIdentity.person_id == other))
    outbox_id = await push(sessions, clock, target, CLAIMED, "nobody")

    await Deliverer(sessions=sessions, sender=sender, clock=clock).deliver(outbox_id)

    row = await outbox_row(sessions, outbox_id)
    assert row.delivered_at == clock()
    assert row.last_error == ("person blocked" if blocked else "no chat identity")
    assert (await user_view.stats())["sent"] == 0


class FailingSender:
    """Fails as the sender does after its own retries; counts the calls."""

    def __init__(self, cause: Exception) -> None:
        self.cause, self.calls = cause, 0

    async def send(self, chat_id: str, reply: Reply) -> int:
        self.calls += 1
        raise DeliveryError("gave up after 5 attempts") from self.cause


async def test_a_failure_backs_off_then_gives_up(sessions: Sessions, clock: FakeClock) -> None:
    [(person, _)] = await add_people(sessions, clock, ["zh"])
    outbox_id = await push(sessions, clock, person, CLAIMED, "flaky")
    failing = FailingSender(Transient("502"))
    deliverer = Deliverer(sessions=sessions, sender=failing, clock=clock, max_attempts=3)

    await deliverer.deliver(outbox_id)
    row = await outbox_row(sessions, outbox_id)
    assert (row.attempts, row.published_at, row.delivered_at) == (1, None, None)
    assert row.available_at == clock() + timedelta(seconds=5)
    await deliverer.deliver(outbox_id)  # a twin entry before the back-off ends: nothing
    assert failing.calls == 1

    for _ in range(2):
        clock.advance(minutes=1)
        await deliverer.deliver(outbox_id)
    row = await outbox_row(sessions, outbox_id)
    assert failing.calls == 3
    assert row.delivered_at == clock()
    assert (row.last_error or "").startswith("gave up: DeliveryError")


async def test_a_refusal_is_final(sessions: Sessions, clock: FakeClock) -> None:
    [(person, _)] = await add_people(sessions, clock, ["zh"])
    outbox_id = await push(sessions, clock, person, CLAIMED, "refused")
    failing = FailingSender(Rejected("Forbidden: bot was blocked by the user"))

    await Deliverer(sessions=sessions, sender=failing, clock=clock).deliver(outbox_id)

    row = await outbox_row(sessions, outbox_id)
    assert (row.delivered_at, row.attempts) == (clock(), 1)
    assert (row.last_error or "").startswith("refused:")
