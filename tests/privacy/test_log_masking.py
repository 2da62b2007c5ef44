"""Logs are masked on the way out: a library quoting a phone number or the bot token in its
message does not put either on disk."""

from __future__ import annotations

import json
import logging

from shaosheng.observability import JsonFormatter, MaskedFormatter

TOKEN = "7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord("aiogram", logging.WARNING, __file__, 1, message, None, None)


def test_json_and_console_logs_carry_neither_phone_nor_token() -> None:
    record = _record(f"POST /bot{TOKEN}/sendMessage text=我是张建国 电话138 1234 5678 住在1203")
    line = json.loads(JsonFormatter().format(record))["message"]
    console = MaskedFormatter("%(levelname)s %(name)s: %(message)s").format(record)
    for shown in (line, console):
        for secret in ("AAHdqTcvCH1vGWJx", "7000000001", "5678", "张建国", "1203"):
            assert secret not in shown
    assert line == "POST /bot***/sendMessage text=我是*** 电话*** 住在***"
