"""Worker processes that die with the collect that started them.

A `kill -9` of `auditor collect --jobs N` must not leave workers writing to
the store: each worker asks the kernel for SIGKILL when its parent dies
(Linux `PR_SET_PDEATHSIG`) and, where that is not available, a watchdog
thread exits once the parent is gone. The git processes a worker starts
write into pipes it reads: when it dies they get SIGPIPE and stop too.
Progress comes back on a queue handed over at start-up (no manager process
that could itself outlive the parent).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

_PR_SET_PDEATHSIG = 1
_updates: Any = None


@contextmanager
def worker_pool(jobs: int) -> Iterator[tuple[ProcessPoolExecutor, Any]]:
    """A spawn pool of `jobs` workers bound to this process, and their progress queue.

    When the block ends normally every task is done and the caller goes on at
    once: the workers' exit (interpreter teardown, 0.3-0.5 s) overlaps what
    comes next, and this process waits for them only when it exits itself.
    On an error the tasks not started are cancelled and the running ones
    awaited, so nothing writes behind the error's back.
    """
    context = multiprocessing.get_context("spawn")  # no inherited engines or locks
    updates = context.Queue()
    pool = ProcessPoolExecutor(
        jobs,
        mp_context=context,
        initializer=_start_worker,
        initargs=(os.getpid(), updates),
    )
    try:
        yield pool, updates
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    else:
        pool.shutdown(wait=False)
    finally:
        updates.close()
        updates.join_thread()


def start_workers(pool: ProcessPoolExecutor, jobs: int, ready: Callable[[], object]) -> None:
    """Start the pool's `jobs` processes now, so that their interpreter start and imports
    overlap the caller's work (the pool starts one per task submitted while none is idle).

    `ready` does nothing and lives in the module the real tasks come from: a worker
    imports that module to run it.
    """
    for _ in range(jobs):
        pool.submit(ready)


def progress_queue() -> Any:
    """In a worker: the queue its progress goes to."""
    return _updates


def _start_worker(parent: int, updates: Any) -> None:
    global _updates
    _updates = updates
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the watchdog below does it
        pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)
