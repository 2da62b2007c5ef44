"""The report being written: a typed draft, kept in the conversation's state as JSON.

The JSON keeps the keys earlier releases wrote (a plain dict then), so a draft open across a
release is read back unchanged; a key an older draft lacks takes its default, a value of the
wrong type is dropped rather than trusted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, TypeVar

from dispatch.core.enums import Category, TicketKind, Urgency
from dispatch.tickets.records import NewTicket
from nlu import Parse

DRAFT_JOIN_S = 30 * 60  # a text this long after the draft began starts a new one
MAX_PHOTOS = 10  # per report: enough to show a problem, not a way to flood responders
SUBMITTED_KEPT = 20  # drafts whose submission a second press can still confirm
REPORT_CATEGORIES = [c for c in Category if c is not Category.NEIGHBOR_HELP]
_CATEGORIES = {c.value for c in Category}


@dataclass(slots=True)
class Draft:
    id: str
    kind: TicketKind = TicketKind.REPORT
    started: float = 0.0  # epoch seconds
    texts: list[str] = field(default_factory=list)
    photos: list[str] = field(default_factory=list)
    category: Category = Category.OTHER
    ranking: list[Category] = field(default_factory=list)  # the NLU's next guesses
    urgency: Urgency = Urgency.NORMAL
    place: str | None = None
    time: str | None = None
    phone: str | None = None
    lat: float | None = None
    lon: float | None = None
    nlu: dict[str, Any] | None = None  # the parse, kept on the ticket for retraining
    corrected: bool = False  # the person chose the category themselves
    submit_after_community: bool = False  # submit pressed before the community was known
    asked: list[str] = field(default_factory=list)  # questions put once ("place", "time")
    # The community the place names when it is not the resident's own: [id, name, name_en].
    named: tuple[int, str, str | None] | None = None
    # A second problem told in the first message (its words, its category): reported apart
    # once this one is submitted.
    also: tuple[str, Category] | None = None

    @classmethod
    def new(cls, kind: TicketKind, parse: Parse | None, started: float = 0.0) -> Draft:
        category = Category.NEIGHBOR_HELP if kind is TicketKind.HELP_REQUEST else Category.OTHER
        return cls(id=uuid.uuid4().hex[:10], kind=kind, started=started, category=category,
                   nlu=parse.to_dict() if parse else None)

    @property
    def category_unsure(self) -> bool:
        """The model was not sure of the category and the person has not chosen one."""
        return (self.kind is TicketKind.REPORT and not self.corrected
                and isinstance(self.nlu, dict) and self.nlu.get("category_sure") is False)

    def likely_categories(self, n: int = 3) -> list[Category]:
        """The category shown and the model's next guesses: what an unsure card offers."""
        return list(dict.fromkeys([self.category, *self.ranking]))[:n]

    def model_category(self) -> str | None:
        """The category the model read, as kept with the parse."""
        found = self.nlu.get("category") if isinstance(self.nlu, dict) else None
        name = found.get("name") if isinstance(found, dict) else None
        return name if isinstance(name, str) else None

    def first_time(self, question: str) -> bool:
        """Whether ``question`` is put now for the first time (and note that it was)."""
        if question in self.asked:
            return False
        self.asked.append(question)
        return True

    @property
    def located(self) -> bool:
        return bool(self.place) or self.lat is not None

    def apply(self, parse: Parse) -> None:
        """What the NLU read: the category and its runners-up, the urgency."""
        self.urgency = Urgency(parse.urgency.name) if parse.urgency else Urgency.NORMAL
        if self.kind is TicketKind.HELP_REQUEST:
            return
        ranking = [Category(label.name) for label in parse.category_ranking
                   if label.name != Category.NEIGHBOR_HELP]
        if parse.category is not None and parse.category.name != Category.NEIGHBOR_HELP:
            self.category = Category(parse.category.name)
        elif ranking:
            self.category = ranking[0]
        self.ranking = ranking[:4]
        self.nlu = parse.to_dict()

    def ticket(self, *, reporter_id: int, community_id: int | None,
               source_key: str) -> NewTicket:
        texts = list(self.texts)
        if self.kind is TicketKind.HELP_REQUEST and self.time \
                and not any(self.time in text for text in texts):
            texts.append(self.time)  # the time answered apart: the volunteer's card needs it
        return NewTicket(
            kind=self.kind, category=self.category, urgency=self.urgency,
            text="\n".join(texts) or "-", reporter_id=reporter_id,
            community_id=community_id, place_text=self.place, latitude=self.lat,
            longitude=self.lon, photos=list(self.photos), contact_phone=self.phone,
            nlu=self.nlu, source_key=source_key,
            help_time=self.time if self.kind is TicketKind.HELP_REQUEST else None,
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id, "started": self.started, "kind": self.kind.value,
            "texts": self.texts, "photos": self.photos, "category": self.category.value,
            "ranking": [c.value for c in self.ranking], "urgency": self.urgency.value,
            "place": self.place, "time": self.time, "phone": self.phone,
            "lat": self.lat, "lon": self.lon, "nlu": self.nlu,
        }
        if self.corrected:
            data["corrected"] = True
        if self.submit_after_community:
            data["submit_after_community"] = True
        if self.asked:
            data["asked"] = self.asked
        if self.named:
            data["named"] = list(self.named)
        if self.also:
            data["also"] = [self.also[0], self.also[1].value]
        return data

    @classmethod
    def from_json(cls, data: object) -> Draft | None:
        """A draft as any release kept it; None for what is no draft at all."""
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            return None
        return cls(
            id=data["id"],
            kind=_member(TicketKind, data.get("kind"), TicketKind.REPORT),
            started=_number(data.get("started")) or 0.0,
            texts=_strings(data.get("texts")),
            photos=_strings(data.get("photos"))[:MAX_PHOTOS],
            category=_member(Category, data.get("category"), Category.OTHER),
            ranking=[Category(c) for c in _strings(data.get("ranking")) if c in _CATEGORIES],
            urgency=_member(Urgency, data.get("urgency"), Urgency.NORMAL),
            place=_text(data.get("place")), time=_text(data.get("time")),
            phone=_text(data.get("phone")),
            lat=_number(data.get("lat")), lon=_number(data.get("lon")),
            nlu=data["nlu"] if isinstance(data.get("nlu"), dict) else None,
            corrected=data.get("corrected") is True,
            submit_after_community=data.get("submit_after_community") is True,
            asked=_strings(data.get("asked")),
            named=_named(data.get("named")),
            also=_also(data.get("also")),
        )


E = TypeVar("E", TicketKind, Category, Urgency)


def _also(value: object) -> tuple[str, Category] | None:
    if (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)
            and value[0] and value[1] in _CATEGORIES):
        return value[0], Category(value[1])
    return None


def _member(enum: type[E], value: object, default: E) -> E:
    if not isinstance(value, str):
        return default
    try:
        return enum(value)
    except ValueError:
        return default


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _named(value: object) -> tuple[int, str, str | None] | None:
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], int) \
            and isinstance(value[1], str) and isinstance(value[2], str | None):
        return value[0], value[1], value[2]
    return None


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def remember_submitted(submitted: object, draft_id: str, number: str) -> dict[str, str]:
    """The map draft → ticket number, with this one last and only the newest kept."""
    kept = {k: v for k, v in submitted.items() if k != draft_id} \
        if isinstance(submitted, dict) else {}
    kept[draft_id] = number
    return dict(list(kept.items())[-SUBMITTED_KEPT:])
