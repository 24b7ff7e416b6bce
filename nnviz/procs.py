"""Processes: how many cores this process may use, how to start workers, and how to share the cores out.

Workers start the platform's default way (fork on Linux, spawn on macOS and Windows); a batch of N
configs on C cores gives each worker C // N of them for its own pool, never N x C processes in all.
"""
from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
from concurrent.futures import ProcessPoolExecutor

CORES_VAR = "NNVIZ_CORES"  # a worker's share of the cores, set by its parent


def cores() -> int:
    """The cores this process may use: its share when a parent gave it one, else its CPU affinity."""
    share = os.environ.get(CORES_VAR, "")
    if share.isdigit() and int(share) >= 1:
        return int(share)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def context():
    """The platform's default start method (fork only where it is the default)."""
    return mp.get_context()


def share(jobs: int) -> int:
    """The cores each of `jobs` workers running at once may use itself."""
    return max(1, cores() // max(1, jobs))


def can_fork_workers() -> bool:
    """Whether this process may start worker processes (a daemon process, e.g. a Dask worker, may not)."""
    return not mp.current_process().daemon


@contextlib.contextmanager
def pool(workers: int):
    """A process pool of `workers`, each told it has one core; they ignore Ctrl-C and leave it to the parent.

    A worker that dies (killed, out of memory) breaks the pool with an error rather than hanging it; and
    leaving the `with` block by an exception (Ctrl-C, SIGTERM) stops the workers at once."""
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=context(), initializer=_pool_worker)
    try:
        yield executor
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        for proc in list((getattr(executor, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                proc.terminate()
                proc.join(5)
        raise
    executor.shutdown(wait=True)


def _pool_worker() -> None:
    os.environ[CORES_VAR] = "1"
    signal.signal(signal.SIGINT, signal.SIG_IGN)
