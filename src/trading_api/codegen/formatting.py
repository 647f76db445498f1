"""Format generated Python as autoflake → black → isort would, in-process.

Rendering and formatting are most of a full run, and FastAPI (importing it, documenting the
modules) is the rest: `worker()` runs renders in a forked process meanwhile, so the two overlap
on a machine with two cores or more. With many modules the worker falls behind (50 synthetic
modules: documenting is done after ~6 s, the worker's queue after ~15 s), so a caller left with
nothing else to do takes back the jobs the worker has not started (`take_back`) and renders them
itself. The output is the same either way (`format_python`).
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, TypeVar

from trading_api.codegen.errors import GenerationError
from trading_api.codegen.tools import load_tool

if TYPE_CHECKING:  # its module imports multiprocessing: only `worker()` needs it
    from concurrent.futures import ProcessPoolExecutor

LINE_LENGTH = 100
_T = TypeVar("_T")


FORMATTERS = ("black", "isort")
"""autoflake is not among them: every generator imports only the names its code uses
(`pysource.Imports`, filled from that code) and binds no variable it does not use, so autoflake
would return each file unchanged, after a pyflakes pass costing a fifth of the formatting.
`tests/codegen/test_formatting.py` proves it for every kind of generated file (autoflake leaves
each rendered file as it is; the files written are those of autoflake → black → isort)."""


def format_python(source: str) -> str:
    """black (one pass: the generators render its output already), then isort."""
    black, isort = (load_tool(name) for name in FORMATTERS)
    source = black.format_str(source, mode=black.Mode(line_length=LINE_LENGTH))
    formatted: str = isort.code(source, profile="black", line_length=LINE_LENGTH)
    return formatted


class Inline(Executor):
    """Runs each job at once in this process (one core, or no `fork` on this platform)."""

    def submit(self, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> Future[_T]:
        future: Future[_T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future


class Job(Future[_T]):
    """A job sent to the worker, which this process can take back until the worker starts it."""

    def __init__(self, sent: Future[_T], call: Callable[[], _T]) -> None:
        super().__init__()
        self._sent, self._call = sent, call
        sent.add_done_callback(self._copy)

    def take_back(self) -> None:
        """Run the job here if the worker has not started it (else it stays the worker's)."""
        if not self._sent.cancel():
            return
        try:
            self.set_result(self._call())
        except Exception as error:  # the job's error, for `result()` to raise as the worker's
            self.set_exception(error)

    def _copy(self, sent: Future[_T]) -> None:
        if sent.cancelled():  # taken back, or dropped when the pool shuts down
            return
        error = sent.exception()
        if error is None:
            self.set_result(sent.result())
        else:
            self.set_exception(error)


class _Worker(Executor):
    """The forked worker's pool, whose jobs can be taken back (`Job`)."""

    def __init__(self, pool: ProcessPoolExecutor) -> None:
        self._pool = pool

    def submit(self, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> Future[_T]:
        return Job(self._pool.submit(fn, *args, **kwargs), functools.partial(fn, *args, **kwargs))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait, cancel_futures=cancel_futures)


WORTH_TAKING_BACK = 4
"""Undone jobs ahead of a job for this process to take it back: the first costs this process
the formatters' import (~0.3 s, a few clients' formatting), which a run of a few modules would
not win back; their jobs stay the worker's, whose formatters are loaded."""


def take_back(job: Future[Any], *, ahead: int) -> None:
    """Run `job` in this process if the worker has not started it and `ahead` undone jobs come
    before it: for a caller that would otherwise wait for it idle (an `Inline` job is done)."""
    if ahead >= WORTH_TAKING_BACK and isinstance(job, Job):
        job.take_back()


@contextmanager
def worker() -> Iterator[Executor]:
    """A forked process for render-and-format jobs, started now (before FastAPI is imported).

    It imports the tools while the caller imports FastAPI. Jobs are module-level functions;
    their exceptions reach the caller through `Future.result()`.
    """
    # fork: Linux only, and never under other threads (a server's: one might hold a lock)
    if (os.cpu_count() or 1) < 2 or sys.platform != "linux" or threading.active_count() > 1:
        yield Inline()
        return
    import multiprocessing  # here: the build hook's up-to-date check imports this module
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(1, multiprocessing.get_context("fork"), initializer=_load_tools)
    try:
        pool.submit(int)  # fork now, while this process is small and has no other threads
        yield _Worker(pool)
    finally:
        pool.shutdown(cancel_futures=True)


def _load_tools() -> None:
    from trading_api.codegen.templating import environment

    with suppress(GenerationError):  # a missing tool fails the job that needs it, clearly
        for name in FORMATTERS:
            load_tool(name)
        environment()
