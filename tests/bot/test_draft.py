"""The typed draft: kept as the JSON earlier releases wrote, read back from any of it."""

from __future__ import annotations

from bot.conversation.resident.draft import SUBMITTED_KEPT, Draft, remember_submitted
from dispatch.core.enums import Category, TicketKind, Urgency

# A draft exactly as the release before the typed draft kept it in Redis.
KEPT_BEFORE = {
    "id": "4f2a9c0b1d", "started": 1796400000.5, "kind": "report",
    "texts": ["3号楼门口路灯坏了", "晚上很黑"], "photos": ["AgAD1"], "category": "municipal",
    "ranking": ["municipal", "property", "security"], "urgency": "high",
    "place": "阳光花园3号楼", "time": None, "phone": "13800138000", "lat": 25.96, "lon": 119.52,
    "nlu": {"intent": {"name": "report", "confidence": 0.9}}, "corrected": True,
}


def test_a_draft_kept_by_the_release_before_reads_back_with_every_value() -> None:
    draft = Draft.from_json(KEPT_BEFORE)
    assert draft == Draft(
        id="4f2a9c0b1d", kind=TicketKind.REPORT, started=1796400000.5,
        texts=["3号楼门口路灯坏了", "晚上很黑"], photos=["AgAD1"], category=Category.MUNICIPAL,
        ranking=[Category.MUNICIPAL, Category.PROPERTY, Category.SECURITY],
        urgency=Urgency.HIGH, place="阳光花园3号楼", time=None, phone="13800138000",
        lat=25.96, lon=119.52, nlu={"intent": {"name": "report", "confidence": 0.9}},
        corrected=True, submit_after_community=False)
    assert draft.to_json() == KEPT_BEFORE  # and is written back the same


def test_an_older_or_damaged_draft_takes_defaults_instead_of_failing() -> None:
    draft = Draft.from_json({"id": "ab", "kind": "help_request", "category": "no-such",
                             "urgency": 3, "texts": ["周六上午", 7, None], "lat": "25",
                             "ranking": ["noise", "bogus"], "submit_after_community": True})
    assert draft is not None
    assert (draft.kind, draft.category, draft.urgency) == (
        TicketKind.HELP_REQUEST, Category.OTHER, Urgency.NORMAL)
    assert draft.texts == ["周六上午"]
    assert draft.lat is None
    assert draft.started == 0.0
    assert draft.ranking == [Category.NOISE]
    assert draft.submit_after_community
    assert not draft.located


def test_what_is_no_draft_reads_as_none() -> None:
    for junk in (None, "draft", [], {}, {"id": 5}, {"texts": []}):
        assert Draft.from_json(junk) is None


def test_a_help_request_starts_as_neighbour_help() -> None:
    draft = Draft.new(TicketKind.HELP_REQUEST, None, started=5.0)
    assert draft.category is Category.NEIGHBOR_HELP
    assert len(draft.id) == 10
    assert Draft.from_json(draft.to_json()) == draft


def test_the_submitted_map_keeps_only_the_newest() -> None:
    submitted: object = None
    for n in range(SUBMITTED_KEPT + 15):
        submitted = remember_submitted(submitted, f"d{n}", f"CL-2026-{n:06d}")
    assert isinstance(submitted, dict)
    assert len(submitted) == SUBMITTED_KEPT
    assert list(submitted)[0] == "d15"
    assert submitted["d34"] == "CL-2026-000034"
    again = remember_submitted(submitted, "d20", "CL-2026-000020")  # pressed once more
    assert list(again)[-1] == "d20"
    assert len(again) == SUBMITTED_KEPT
    assert remember_submitted("junk", "d1", "CL-2026-000001") == {"d1": "CL-2026-000001"}


def test_a_question_is_put_once_and_remembered_across_a_restart() -> None:
    draft = Draft.new(TicketKind.REPORT, None)
    assert draft.first_time("place") is True
    kept = Draft.from_json(draft.to_json())
    assert kept is not None
    assert kept.first_time("place") is False
    assert kept.first_time("time") is True
