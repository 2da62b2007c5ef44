"""aiogram imported without building all of its pydantic models at once (issue 27).

aiogram declares its ~440 Bot API types with ``defer_build=True`` and then, at the end of
``aiogram.types``, calls ``model_rebuild(_types_namespace=...)`` on each, which builds every
validator there and then: ~120 MB of RSS per process (each validator embeds copies of the models
it nests; aiogram issue #1513), nearly all for types a bot never sees. Import this module before
anything else from aiogram, and that call only makes the names of the namespace resolvable
later; pydantic builds a type the first time it is used, alone or nested in another model (a
method, ``Response[...]``), with the annotations resolving to the same objects:

- the names a type module imports only under ``TYPE_CHECKING`` (``ChatIdUnion``, most nested
  types) are added to that module, where pydantic looks for the names of a type nested in
  another. A first try (removed in e914612) kept them only on the type itself, which pydantic
  reads when the type is the one built, not when it is nested: ``SetMyCommands`` →
  ``BotCommandScopeChat`` → ``ChatIdUnion`` failed and no aiogram bot could start;
- the type's own parent namespace becomes the aiogram namespace over its module, as in
  aiogram's own build, so a type built on first use never picks a name up from the caller.

tests/channels/test_aiogram_models.py compares the JSON schemas with aiogram's own build.
"""

from __future__ import annotations

import contextlib
import sys
from collections import ChainMap
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel


@contextlib.contextmanager
def deferred_rebuilds() -> Iterator[None]:
    """While open, ``model_rebuild(_types_namespace=...)`` of a deferred model only records."""
    original = BaseModel.__dict__["model_rebuild"]

    def model_rebuild(cls: type[BaseModel], *, force: bool = False, raise_errors: bool = True,
                      _parent_namespace_depth: int = 2,
                      _types_namespace: Mapping[str, Any] | None = None) -> bool | None:
        if (_types_namespace is not None and not force and not cls.__pydantic_complete__
                and cls.model_config.get("defer_build")):
            _record(cls, _types_namespace)
            return None
        # One frame deeper than pydantic expects: look one further up for the caller's names.
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


def _record(cls: type[BaseModel], namespace: Mapping[str, Any]) -> None:
    module = vars(sys.modules[cls.__module__])
    for name, value in namespace.items():
        module.setdefault(name, value)
    # What pydantic reads when it builds the type on first use (aiogram's names first, as the
    # types namespace is searched before the module's in aiogram's own build).
    # One ChainMap per type over the one namespace aiogram passes to all: no copies.
    cls.__pydantic_parent_namespace__ = ChainMap(namespace, module)  # type: ignore[arg-type,assignment]


with deferred_rebuilds():
    import aiogram  # noqa: F401  # aiogram.types, aiogram.methods and the client, all at once
