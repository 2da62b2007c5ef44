"""Ids in callback data and commands: ASCII digits of bounded length, nothing else; and the
public ticket numbers people type or quote.

Callback data comes from the client and can be anything; `str.isdigit()` accepts '²' (which
int() refuses) and unbounded numbers overflow the database's integer columns.
"""

import re

_ID = re.compile(r"[0-9]{1,9}")
# A public ticket number anywhere in a text: tickets.number_prefix (1-6 letters)-year-sequence.
TICKET_NUMBER = re.compile(r"\b[A-Z]{1,6}-\d{4}-\d{6}\b", re.IGNORECASE)


def is_id(text: str) -> bool:
    return _ID.fullmatch(text) is not None
