"""Importing aiogram without building all of its ~900 pydantic models at once.

aiogram declares every Bot API type and method with ``defer_build=True`` and then, at the end
of ``aiogram.types``, calls ``model_rebuild`` on each of them to resolve their forward
references, which builds every validator there and then: ~120 MB of RSS per process (each
model's validator embeds copies of all the models it nests), most of which a bot never uses
(bench/memory.py; aiogram issue #1513). Inside ``deferred_rebuilds()`` such a call only records
the namespace the references resolve in, and pydantic builds a model the first time it
validates or serialises one (its own ``defer_build`` path), with the same result.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel

log = logging.getLogger(__name__)


@contextlib.contextmanager
def deferred_rebuilds() -> Iterator[None]:
    """While open, ``model_rebuild(_types_namespace=...)`` of a deferred model only records."""
    try:
        from pydantic._internal._model_construction import build_lenient_weakvaluedict
    except ImportError:  # another pydantic: build everything, as aiogram does by itself
        yield
        return
    original = BaseModel.__dict__["model_rebuild"]

    def model_rebuild(cls: type[BaseModel], *, force: bool = False, raise_errors: bool = True,
                      _parent_namespace_depth: int = 2,
                      _types_namespace: Mapping[str, Any] | None = None) -> bool | None:
        if (_types_namespace is not None and not force and not cls.__pydantic_complete__
                and cls.model_config.get("defer_build")):
            # What model_rebuild would read: the first build resolves names in it.
            cls.__pydantic_parent_namespace__ = build_lenient_weakvaluedict(
                {**(_unpacked(cls)), **_types_namespace})
            return None
        depth = _parent_namespace_depth + 1 if _parent_namespace_depth > 0 else 0
        rebuilt: bool | None = original.__func__(
            cls, force=force, raise_errors=raise_errors, _parent_namespace_depth=depth,
            _types_namespace=_types_namespace)
        return rebuilt

    BaseModel.model_rebuild = classmethod(model_rebuild)  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        BaseModel.model_rebuild = original  # type: ignore[method-assign]


def _unpacked(cls: type[BaseModel]) -> dict[str, Any]:
    from pydantic._internal._model_construction import unpack_lenient_weakvaluedict

    return unpack_lenient_weakvaluedict(cls.__pydantic_parent_namespace__) or {}
