"""Work a large index build hands to the second core: done in a forked child process.

Only work whose result is small to send back pays for itself (one counter for the
whole base, not millions of small objects to copy back), and a forked child needs
nothing sent to it: it starts with a copy of everything built so far. Where a child
cannot be forked safely, the same work is done in this process when its result is
asked for, so the result never depends on whether a child ran.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")


class Forked(Generic[T]):
    """``work()`` running in a forked child from now on; ``result()`` waits for it.

    Used as a context manager, so a build that fails does not leave its child running."""

    def __init__(self, work: Callable[[], T], fork: bool = True) -> None:
        self._work = work
        self._child: BaseProcess | None = None
        self._results: Connection | None = None
        if fork and _can_fork():
            context = multiprocessing.get_context("fork")
            results, send = context.Pipe(duplex=False)
            child = context.Process(target=_send_result, args=(work, send), daemon=True)
            try:
                child.start()
            except OSError:  # no memory or processes left for a child: work here instead
                results.close()
            else:
                self._child, self._results = child, results
            finally:
                send.close()  # the child's end: reading sees the end of it if the child dies

    def result(self) -> T:
        """The child's result; the work done here if there is no child or it died
        (killed, out of memory): a failure of the work itself then shows here."""
        if self._child is not None and self._results is not None:
            try:
                return self._results.recv()
            except (EOFError, OSError):
                pass
            finally:
                self._results.close()
                self._child.join()
                self._child = None
        return self._work()

    def __enter__(self) -> Forked[T]:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._child is not None:  # the result was never asked for
            self._child.terminate()
            self._child.join()
            self._child = None
        if self._results is not None:
            self._results.close()


def _can_fork() -> bool:
    """Fork only a process without other threads: one of them might hold a lock (the
    logging module's, an import's) that the child, a copy of this one thread, would
    wait on for ever."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _send_result(work: Callable[[], T], send: Connection) -> None:
    send.send(work())
    send.close()
