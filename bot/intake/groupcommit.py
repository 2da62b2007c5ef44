"""Group commit: writes that arrive together share one transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class GroupCommit(Generic[T]):
    """Calls that arrive while a batch is being written go together in the next batch.

    ``write(items)`` writes one batch and returns, for each item, None (written) or what that
    item failed with; if it raises, every item of the batch fails with it. A caller returns
    once its own item is written, and raises what it failed with. Under load many callers
    share one statement (one round trip, one commit); alone, a caller waits for nobody.
    """

    def __init__(self, write: Callable[[list[T]], Awaitable[Sequence[BaseException | None]]],
                 limit: int = 100) -> None:
        self.write, self.limit = write, limit
        self._waiting: list[tuple[T, asyncio.Future[None]]] = []
        self._batch: list[tuple[T, asyncio.Future[None]]] = []  # being written
        self._writing: asyncio.Task[None] | None = None

    async def __call__(self, item: T) -> None:
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, written))
        if self._writing is None:
            self._writing = asyncio.create_task(self._write_waiting())
            self._writing.add_done_callback(self._stopped)
        await written

    async def _write_waiting(self) -> None:
        while self._waiting:
            self._batch, self._waiting = self._waiting[:self.limit], self._waiting[self.limit:]
            try:
                results: Sequence[BaseException | None] = await self.write(
                    [item for item, _ in self._batch])
            except Exception as exc:
                results = [exc] * len(self._batch)
            for (_, written), result in zip(self._batch, results, strict=True):
                _tell(written, result)
            self._batch = []
        # In the same step as the check above: a call from now on starts a new writer.
        self._writing = None

    def _stopped(self, task: asyncio.Task[None]) -> None:
        """The writer ended without finishing (cancelled, even before it began): nobody may
        be left waiting for ever."""
        if self._writing is not task:
            return
        self._writing = None
        stopped = ConnectionError("stopped before this was written")
        for _, written in [*self._batch, *self._waiting]:
            _tell(written, stopped)
        self._batch, self._waiting = [], []


def _tell(written: asyncio.Future[None], exc: BaseException | None) -> None:
    """Tell a waiter not yet told (nor gone): written (``exc`` None) or not."""
    if written.done():
        return
    if exc is None:
        written.set_result(None)
    else:
        written.set_exception(exc)
