"""Ids in callback data and commands: ASCII digits of bounded length, nothing else.

Callback data comes from the client and can be anything; `str.isdigit()` accepts '²' (which
int() refuses) and unbounded numbers overflow the database's integer columns.
"""

import re

_ID = re.compile(r"[0-9]{1,9}")


def is_id(text: str) -> bool:
    return _ID.fullmatch(text) is not None
