"""Many configs at once: find them, check them, skip what is up to date, render the rest in parallel.

Each config renders in its own worker process, so a worker that crashes (killed, out of memory) fails
only its own config. With a Dask scheduler address, the jobs go to a Dask cluster instead (see
remote.py). Progress comes back as (job, stage, done, total) messages; the caller draws it.
"""
from __future__ import annotations

import logging
import os
import queue as queue_mod
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import files, procs
from .config import Config
from .errors import ConfigError, one_line
from .experiment import load_config, with_formats
from .outputs import Outputs, RunResult
from .pipeline import check, render, up_to_date
from .record import load_recording
from .sources import BatchError, find_configs  # noqa: F401  (part of this module's interface)

log = logging.getLogger(__name__)

Report = Callable[[str, str, int, int], None]  # (config name, stage, done, total)


@dataclass
class Row:
    """One line of the closing table."""

    config: str  # the config file
    status: str  # rendered | up to date | diverged | failed | interrupted
    seconds: float = 0.0
    output: str = ""  # the main output file, or the error
    final_loss: float | None = None
    runs: tuple[RunResult, ...] = ()  # a comparison's runs
    overrides: tuple[str, ...] = ()  # the --set items it was rendered with


def load_job(file: Path, overrides=(), max_runs=None):
    """A config file as a Config or Comparison; a snapshot file saved by nnviz.Recorder (.npz) as a Recording."""
    if Path(file).suffix.lower() == ".npz" or _is_zip(file):
        return load_recording(file, overrides)
    return load_config(file, overrides, max_runs=max_runs)


def _is_zip(file) -> bool:
    """Whether a regular file begins as a zip (an .npz) does: a recording saved under another name."""
    try:
        files.check_regular(file)
        with open(file, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except (OSError, ValueError):
        return False


def plan(files: list[Path], overrides, formats, max_runs=None) -> tuple[list[Config], list[Row], list[str]]:
    """Load every config: (configs to run, rows of those that failed to load, error lines of those)."""
    configs, failed, errors = [], [], []
    for f in files:
        try:
            cfg = with_formats(load_job(f, overrides, max_runs), formats)
            check(cfg)  # data and weights files are checked before anything runs
            configs.append(cfg)
        except ConfigError as exc:
            failed.append(Row(str(f), "failed", 0.0, str(exc.problems[0])))
            errors.extend(str(p) for p in exc.problems)
        except Exception as exc:  # anything else wrong with one config fails it alone
            line = f"{f}: cannot read this config: {one_line(exc)}"
            failed.append(Row(str(f), "failed", 0.0, line))
            errors.append(line)
    return configs, failed, errors


def check_names(configs: list[Config], out_dir) -> None:
    """Two configs that would write the same output folder are an error before anything runs."""
    seen: dict[Path, str] = {}
    clashes = []
    for cfg in configs:
        folder = Outputs.of(cfg, out_dir).folder.resolve()
        if folder in seen:
            clashes.append(f"{seen[folder]} and {cfg.source} would both write {folder}")
        seen[folder] = cfg.source
    if clashes:
        raise BatchError("; ".join(clashes) + " (rename one of them, or render them with different --out)")


def _job(cfg: Config, out_dir: str, force: bool, messages, job: int, cores: int) -> None:
    """A worker process: render one config with `cores` of its own, report progress and the result.

    Ctrl-C and SIGTERM (what its parent sends to stop it) both interrupt it: it removes its temporary
    files and exits."""
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    os.environ[procs.CORES_VAR] = str(cores)
    last = {}

    def progress(stage, done, total):
        pct = int(100 * done / total) if total else 100
        if last.get(stage) != pct:  # one message per percent is plenty
            last[stage] = pct
            messages.put(("progress", job, stage, done, total))

    try:
        result = render(cfg, out_dir, progress, force=force)
        status = "up to date" if result.up_to_date else "diverged" if result.diverged_at >= 0 else "rendered"
        messages.put(("done", job, status, str(result.outputs.video), result.final_loss, result.runs,
                      result.overrides))
    except KeyboardInterrupt:
        messages.put(("error", job, "interrupted"))
    except Exception as exc:  # a bug too: this config's failure, not the batch's
        messages.put(("error", job, one_line(exc)))


def _stop(signum, frame) -> None:
    """The first Ctrl-C or SIGTERM interrupts the worker; later ones must not interrupt its cleanup."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def run_local(configs: list[Config], out_dir, jobs: int, force: bool, report: Report | None = None) -> list[Row]:
    """Render configs in up to `jobs` worker processes at once; one Row each, in the configs' order."""
    ctx = procs.context()
    messages = ctx.Queue()
    cores = procs.share(min(jobs, len(configs)))  # each worker's share: a comparison trains its runs with it
    rows = [Row(c.source, "queued") for c in configs]
    waiting = list(range(len(configs)))
    running: dict[int, tuple] = {}  # job -> (process, start time)
    try:
        while waiting or running:
            while waiting and len(running) < jobs:
                j = waiting.pop(0)
                proc = ctx.Process(target=_job, args=(configs[j], str(out_dir), force, messages, j, cores),
                                   name=f"nnviz-{Path(configs[j].source).stem}")
                proc.start()
                running[j] = (proc, time.monotonic())
            _drain(messages, rows, configs, report, timeout=0.1)
            for j, (proc, start) in list(running.items()):
                if not proc.is_alive():
                    proc.join()
                    _drain(messages, rows, configs, report, timeout=0)
                    rows[j].seconds = time.monotonic() - start
                    if rows[j].status in ("queued", "running"):  # it died without a word: killed, out of memory
                        how = f"signal {-proc.exitcode}" if proc.exitcode and proc.exitcode < 0 else f"exit {proc.exitcode}"
                        rows[j].status, rows[j].output = "failed", f"the worker process died ({how})"
                    del running[j]
    except KeyboardInterrupt:  # Ctrl-C (to us, or to us and the workers) or SIGTERM (to us)
        for proc, _ in running.values():
            proc.terminate()  # SIGTERM: the worker stops and removes its temporary files
        for j, (proc, start) in running.items():
            proc.join(timeout=5)
            if proc.is_alive():  # stuck: killed, and what it left is swept here
                proc.kill()
                proc.join()
                _sweep_after(configs[j], out_dir)
            _drain(messages, rows, configs, None, timeout=0)
            rows[j].seconds = time.monotonic() - start
            if rows[j].status in ("queued", "running"):  # a worker that had finished keeps its own status
                rows[j].status, rows[j].output = "interrupted", ""
        for j in waiting:
            rows[j].status = "interrupted"
        raise Interrupted(rows) from None
    return rows


def _sweep_after(cfg: Config, out_dir) -> None:
    """Remove what a killed worker left in its output folder (the kernel freed its lock with it)."""
    folder = Outputs.of(cfg, out_dir).folder
    try:
        with files.locked(folder):
            files.sweep(folder)
    except OSError:  # another process holds it now, or it cannot be written: the next render sweeps it
        pass


class Interrupted(Exception):
    """Ctrl-C during a batch; carries the rows so far."""

    def __init__(self, rows: list[Row]):
        super().__init__("interrupted")
        self.rows = rows


def _drain(messages, rows, configs, report, timeout: float) -> None:
    while True:
        try:
            msg = messages.get(timeout=timeout) if timeout else messages.get_nowait()
        except queue_mod.Empty:
            return
        timeout = 0
        kind, job = msg[0], msg[1]
        row = rows[job]
        if kind == "progress":
            row.status = "running"
            if report:
                report(Path(configs[job].source).stem, *msg[2:])
        elif kind == "done":
            row.status, row.output, row.final_loss, row.runs, row.overrides = msg[2:7]
            if report:
                report(Path(configs[job].source).stem, "done", 1, 1)
        elif kind == "error":
            row.status, row.output = ("interrupted" if msg[2] == "interrupted" else "failed"), msg[2]
            if report:
                report(Path(configs[job].source).stem, "failed", 1, 1)


def skip_up_to_date(configs: list[Config], out_dir, force: bool) -> tuple[list[Config], list[Row]]:
    """Split configs into those to render and rows for those whose outputs are already up to date."""
    todo, done = [], []
    for cfg in configs:
        m = None if force else up_to_date(cfg, out_dir)
        if m is None:
            todo.append(cfg)
        else:
            done.append(Row(cfg.source, "up to date", 0.0, str(Outputs.of(cfg, out_dir).video), m.final_loss,
                            m.runs, m.overrides))
    return todo, done
