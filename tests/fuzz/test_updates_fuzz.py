"""Malformed Telegram updates: read without raising, and refused at the webhook with a 4xx."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings

from tests.fuzz.door import Door
from tests.fuzz.properties import (
    check_hostile,
    check_typed_update,
    check_update,
    check_webhook,
)
from tests.fuzz.strategies import hostile_bodies, junk_updates, telegram_updates, webhook_bodies


@example(update={"message": {"photo": [{}]}})  # found by fuzzing, kept as fixed cases
@example(update={"message": {"location": {"latitude": 1.0}}})
@example(update={"callback_query": {"message": {"chat": "x"}}})
@settings(max_examples=300, deadline=None)
@given(update=junk_updates())
def test_junk_updates_are_read_without_raising(update: dict[str, Any]) -> None:
    check_update(update)


@settings(max_examples=200, deadline=None)
@given(update=telegram_updates(junk=False))
def test_telegram_shaped_updates_give_a_typed_incoming(update: dict[str, Any]) -> None:
    check_typed_update(update)


@pytest.mark.e2e
@pytest.mark.filterwarnings("ignore:Detected unknown update type")  # aiogram, on junk
@pytest.mark.parametrize("kind", ["aiogram", "ptb"])
def test_junk_bodies_with_the_secret_never_get_a_5xx(kind: str) -> None:
    door = Door(kind)
    try:
        # Nested so one runtime serves every case; it is stopped before the log is read.
        @settings(max_examples=100, deadline=None)
        @given(body=webhook_bodies())
        def post(body: bytes) -> None:
            check_webhook(door, body)

        post()
        assert door.still_answers()
    finally:
        errors = door.close()
    assert not errors, errors[:5]
    assert door.probe_seen(), "after the junk, a plain update never reached the handler"


@pytest.mark.e2e
@pytest.mark.filterwarnings("ignore:Detected unknown update type")
@pytest.mark.parametrize("kind", ["aiogram", "ptb"])
def test_deep_huge_and_unstorable_json_gets_200_or_4xx_never_5xx(kind: str) -> None:
    door = Door(kind)
    try:
        @settings(max_examples=60, deadline=None)
        @given(body=hostile_bodies())
        def post(body: bytes) -> None:
            check_hostile(door.post(body), body)

        post()
        assert door.still_answers()
    finally:
        errors = door.close()
    assert not errors, errors[:5]
    assert door.probe_seen()
