"""The Rasa backend against a local server answering Rasa's documented /model/parse schema."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from nlu.parser import BuiltinParser
from nlu.rasa import RasaParser, from_rasa, split_name
from nlu.settings import NluSettings

GAS = "楼道里煤气味很重"
# An answer shaped exactly like Rasa 3's POST /model/parse response.
RASA_ANSWER: dict[str, Any] = {
    "text": GAS,
    "intent": {"name": "report+utilities+high", "confidence": 0.62},
    "entities": [{"entity": "place", "start": 0, "end": 2, "value": "楼道",
                  "confidence_entity": 0.93, "extractor": "DIETClassifier"}],
    "intent_ranking": [
        {"name": "report+utilities+high", "confidence": 0.62},
        {"name": "report+utilities+critical", "confidence": 0.2},
        {"name": "consult+utilities+low", "confidence": 0.1},
        {"name": "greeting", "confidence": 0.08},
    ],
    "text_tokens": [[0, 2], [2, 3]],
}


class RasaStub:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.delay_s = 0.0
        self.answer: dict[str, Any] = RASA_ANSWER


@pytest.fixture
def rasa() -> Iterator[tuple[RasaStub, str]]:
    stub = RasaStub()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            url = urlparse(self.path)
            stub.requests.append({"path": url.path, "query": parse_qs(url.query), "body": body})
            time.sleep(stub.delay_s)
            payload = json.dumps(stub.answer).encode()
            self.send_response(stub.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield stub, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def make(parser: BuiltinParser, url: str, **extra: Any) -> RasaParser:
    return RasaParser(NluSettings(backend="rasa", rasa_url=url, **extra), fallback=parser)


def test_rasa_answer_is_mapped_into_a_parse(parser: BuiltinParser,
                                            rasa: tuple[RasaStub, str]) -> None:
    stub, url = rasa
    result = make(parser, url, rasa_token="s3cret").parse(GAS)
    assert stub.requests == [{"path": "/model/parse", "query": {"token": ["s3cret"]},
                              "body": {"text": GAS}}]
    assert (result.intent.name, result.intent.confidence) == ("report", pytest.approx(0.82))
    assert [label.name for label in result.intent_ranking] == ["report", "consult", "greeting"]
    assert result.category is not None
    assert result.category.name == "utilities"
    assert result.category.confidence == pytest.approx(0.92)
    assert [(e.entity, e.start, e.end, e.value) for e in result.entities] == \
        [("place", 0, 2, "楼道")]


def test_life_safety_patterns_override_rasa_urgency(parser: BuiltinParser,
                                                    rasa: tuple[RasaStub, str]) -> None:
    _, url = rasa
    result = make(parser, url).parse(GAS)
    assert result.urgency is not None
    assert result.urgency.name == "critical"
    assert result.emergency == "gas"


def test_plain_rasa_intent_names_have_no_category(parser: BuiltinParser,
                                                  rasa: tuple[RasaStub, str]) -> None:
    stub, url = rasa
    stub.answer = {"text": "hi", "intent": {"name": "greeting", "confidence": 0.99},
                   "entities": [], "intent_ranking": [{"name": "greeting", "confidence": 0.99}]}
    result = make(parser, url).parse("hi")
    assert result.intent.name == "greeting"
    assert result.category is None
    assert result.urgency is None


@pytest.mark.parametrize(("name", "expected"), [
    ("report+utilities+high", ("report", "utilities", "high")),
    ("consult+sanitation", ("consult", "sanitation", None)),
    ("thanks", ("thanks", None, None)),
    ("nlu_fallback", ("out_of_scope", None, None)),
    (None, ("out_of_scope", None, None)),
])
def test_split_name(name: str | None, expected: tuple[str, str | None, str | None]) -> None:
    assert split_name(name) == expected


def test_server_error_falls_back_to_builtin(parser: BuiltinParser, rasa: tuple[RasaStub, str],
                                            caplog: pytest.LogCaptureFixture) -> None:
    stub, url = rasa
    stub.status = 500
    result = make(parser, url).parse("小区门口的垃圾桶满了好几天没人清")
    assert result.to_dict() == parser.parse("小区门口的垃圾桶满了好几天没人清").to_dict()
    assert "built-in model answers" in caplog.text


def test_slow_server_falls_back_within_the_timeout(parser: BuiltinParser,
                                                   rasa: tuple[RasaStub, str]) -> None:
    stub, url = rasa
    stub.delay_s = 1.0
    started = time.perf_counter()
    result = make(parser, url, rasa_timeout_s=0.2).parse("你好")
    assert time.perf_counter() - started < 0.9
    assert result.intent.name == "greeting"


def test_server_down_falls_back(parser: BuiltinParser) -> None:
    # Port 9 on loopback: nothing listens there, so the connection is refused at once.
    result = make(parser, "http://127.0.0.1:9").parse("谢谢你们")
    assert result.intent.name == "thanks"


def test_malformed_answer_falls_back(parser: BuiltinParser, rasa: tuple[RasaStub, str]) -> None:
    stub, url = rasa
    stub.answer = {"unexpected": True}  # type: ignore[dict-item]
    assert make(parser, url).parse("你好").intent.name == "greeting"


def test_from_rasa_keeps_rasas_top_intent_first() -> None:
    answer = {"intent": {"name": "status", "confidence": 0.4},
              "intent_ranking": [{"name": "status", "confidence": 0.4},
                                 {"name": "report+noise+normal", "confidence": 0.3},
                                 {"name": "report+noise+low", "confidence": 0.3}],
              "entities": []}
    result = from_rasa("进度怎么样了", answer)
    assert result.intent.name == "status"
    assert result.category is None
