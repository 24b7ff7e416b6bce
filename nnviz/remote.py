"""Rendering on a Dask cluster: `nnviz render configs/ --scheduler tcp://HOST:PORT` (needs nnviz[dask]).

Jobs go through the cluster's concurrent.futures executor. A job carries everything it needs (the
resolved config, the bytes of its data and weights files — a data folder such as MNIST's travels as
all the files in it — and the stored snapshots when only rendering changed) and brings back the bytes
of the finished files, which are written here, atomically: the workers need no shared disk and no copy
of the configs.
"""
from __future__ import annotations

import dataclasses
import logging
import os
import tempfile
import threading
import time
from concurrent.futures import as_completed
from pathlib import Path

from . import limits
from .batch import Row
from .config import Config, Named
from .errors import NnvizError, one_line
from .experiment import Comparison
from .files import atomic_path
from .keys import runs_key, train_key
from .outputs import Outputs, plain_name, read_manifest, remove_unlisted
from .pipeline import groups, prepare, render, train_group
from .snapshots import read_key

log = logging.getLogger(__name__)
CONNECT_TIMEOUT = 8  # seconds: an unreachable scheduler, or a server that is not Dask, is reported within 15 s


def run_dask(configs: list[Config], out_dir, address: str, force: bool, report=None) -> list[Row]:
    """Render `configs` on the Dask cluster at `address`; one Row each."""
    try:
        from distributed import Client
    except ImportError:
        raise NnvizError("--scheduler needs Dask: pip install 'nnviz[dask]'") from None
    client = _connect(Client, address)
    rows = [Row(c.source, "queued") for c in configs]
    with client:
        executor = client.get_executor(pure=False)
        started = time.monotonic()
        futures = {}  # future -> (config, None), or (config, the runs it trains) for a comparison's group
        trained: dict[int, list] = {}  # a comparison trained in groups: its runs' results as they come back
        for j, cfg in enumerate(configs):
            try:
                jobs = _groups(cfg, out_dir, force)
                if jobs is None:
                    futures[executor.submit(remote_job, pack(cfg, out_dir, force))] = (j, None)
                else:  # its groups train on the workers; the video is drawn here when all are back
                    trained[j] = [None] * len(cfg.runs)
                    for job in jobs:
                        futures[executor.submit(remote_train, pack_runs([cfg.runs[k] for k in job]))] = (j, job)
            except (NnvizError, OSError) as exc:
                rows[j].status, rows[j].output = "failed", str(exc).splitlines()[0]
                continue
            if report:
                report(Path(cfg.source).stem, "on the cluster", 0, 1)
        for future in as_completed(futures):
            j, job = futures[future]
            row = rows[j]
            row.seconds = time.monotonic() - started
            if job is not None:
                _group_done(future, j, configs[j], job, trained, row, out_dir, force, report)
                row.seconds = time.monotonic() - started
                continue
            try:
                status, final_loss, files, runs, overrides = future.result()
                outputs = Outputs.of(configs[j], out_dir)
                folder = outputs.folder
                folder.mkdir(parents=True, exist_ok=True)
                previous = read_manifest(outputs.manifest)
                # the manifest last: until it is there, the outputs do not count as up to date
                for name in sorted(files, key=lambda n: n.endswith(".json")):
                    if not plain_name(name):
                        raise NnvizError(f"the cluster sent back a file named {name!r}; refusing it")
                    with atomic_path(folder / name) as tmp:
                        Path(tmp).write_bytes(files[name])
                written = read_manifest(outputs.manifest)
                if written is not None:
                    remove_unlisted(written, folder, previous)
                row.status, row.final_loss, row.runs, row.overrides = status, final_loss, runs, overrides
                row.output = str(Outputs.of(configs[j], out_dir).video)
            except Exception as exc:  # a config's error, the worker died, or the cluster lost the job
                row.status, row.output = "failed", one_line(exc)
            if report:
                report(Path(configs[j].source).stem, "done", 1, 1)
    return rows


def _groups(cfg, out_dir, force: bool) -> list[list[int]] | None:
    """The groups of a comparison's runs that train together (pipeline.groups), when there are several and
    its runs are to be trained: each then trains on a worker of its own. None: the whole config is one job."""
    if not isinstance(cfg, Comparison):
        return None
    if not force and read_key(Outputs.of(cfg, out_dir).snapshots) == runs_key(cfg):
        return None  # only drawing is left
    jobs = groups([prepare(r) for r in cfg.runs])
    return jobs if len(jobs) > 1 else None


def _group_done(future, j: int, cfg, job: list[int], trained: dict, row, out_dir, force: bool, report) -> None:
    """A group of comparison j's runs came back from the cluster: keep its results; once every group is
    back, draw the video here from them. A group that failed fails the config."""
    results = trained[j]
    if results is None:  # an earlier group failed: the config has failed already
        return
    try:
        group_results, where = future.result()
        log.info("%s: runs %s trained together on %s", cfg.source, ", ".join(str(k + 1) for k in job), where)
        for k, result in zip(job, group_results, strict=True):
            results[k] = result
        if any(r is None for r in results):
            return
        result = render(cfg, out_dir, force=force, trained=results)
        row.status, row.output = "rendered", str(result.outputs.video)
        row.final_loss, row.runs, row.overrides = result.final_loss, result.runs, result.overrides
    except Exception as exc:  # a config's error, the worker died, or the cluster lost the job
        trained[j] = None
        row.status, row.output = "failed", one_line(exc)
    if report:
        report(Path(cfg.source).stem, "done", 1, 1)


def pack_runs(runs: list[Config]) -> dict:
    """Everything a worker needs to train some runs together, as plain picklable data."""
    return {"runs": runs, "files": _files(runs), "limits": os.environ.get(limits.ENV, "")}


def remote_train(job: dict) -> tuple[list, str]:
    """On a worker: train packed runs together; return (their (History, final parameters), the worker)."""
    os.environ[limits.ENV] = job["limits"]
    with tempfile.TemporaryDirectory(prefix="nnviz-") as tmp:
        runs = [_local_paths(r, k, job["files"], Path(tmp)) for k, r in enumerate(job["runs"])]
        results = train_group([prepare(r) for r in runs], [train_key(r) for r in runs])
    try:
        from distributed import get_worker

        where = get_worker().address
    except (ImportError, ValueError):
        where = f"process {os.getpid()}"
    return results, where


def _connect(Client, address: str):
    """A Client of the scheduler at `address`, or NnvizError within CONNECT_TIMEOUT + a few seconds: a server
    that is not Dask's (or never answers) must not hang the command."""
    box: dict = {}

    def connect():
        try:
            box["client"] = Client(address, timeout=CONNECT_TIMEOUT)
        except BaseException as exc:  # any failure to connect, reported below
            box["error"] = exc

    worker = threading.Thread(target=connect, name="dask-connect", daemon=True)
    worker.start()
    worker.join(CONNECT_TIMEOUT + 5)
    if "client" in box:
        return box["client"]
    why = one_line(box["error"]) if "error" in box else "no answer"
    raise NnvizError(f"cannot reach a Dask scheduler at {address} within {CONNECT_TIMEOUT + 5} s: {why}")


def pack(cfg: Config | Comparison, out_dir, force: bool) -> dict:
    """Everything a worker needs for one config (or comparison), as plain picklable data."""
    files = _files(cfg.runs)
    stored = {}
    o = Outputs.of(cfg, out_dir)
    if not force and read_key(o.snapshots) == runs_key(cfg):
        stored = {p.name: p.read_bytes() for p in (o.snapshots, o.weights) if p.is_file()}
    return {"config": cfg, "files": files, "stored": stored, "force": force, "limits": os.environ.get(limits.ENV, "")}


def _files(runs) -> dict:
    """{(run index, "data" or "init"): (name, bytes or {path: bytes})}: the files and folders runs name."""
    files = {}
    for k, run in enumerate(runs):
        for role, params in (("data", run.data.params), ("init", run.model.init.params)):
            if params.get("path"):
                files[k, role] = _read_path(Path(params["path"]))
    return files


MAX_FOLDER_BYTES = 2 << 30  # a data folder larger than this is not sent to a cluster


def _read_path(path: Path) -> tuple[str, bytes | dict[str, bytes]]:
    """(name, bytes) of a file; (name, {relative path: bytes}) of a folder and every file below it."""
    if not path.is_dir():
        return path.name, path.read_bytes()
    found = sorted(p for p in path.rglob("*") if p.is_file())
    if sum(p.stat().st_size for p in found) > MAX_FOLDER_BYTES:
        raise NnvizError(f"{path}: the data folder is larger than {MAX_FOLDER_BYTES >> 30} GiB, too large to "
                         "send to the cluster; render it locally")
    return path.name, {p.relative_to(path).as_posix(): p.read_bytes() for p in found}


def _local_paths(run: Config, k: int, files: dict, tmp: Path) -> Config:
    """`run` with its data and weights files (or folders) at their copies in tmp."""
    for role in ("data", "init"):
        if (k, role) not in files:
            continue
        name, data = files[k, role]
        path = tmp / "in" / f"{k}-{role}" / name
        if isinstance(data, dict):
            for rel, content in data.items():
                if rel.startswith("/") or ".." in rel.split("/"):
                    raise NnvizError(f"{name}: refusing a file outside the data folder: {rel}")
                (path / rel).parent.mkdir(parents=True, exist_ok=True)
                (path / rel).write_bytes(content)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        if role == "data":
            run = dataclasses.replace(run, data=Named(run.data.name, {**run.data.params, "path": str(path)}))
        else:
            init = Named(run.model.init.name, {**run.model.init.params, "path": str(path)})
            run = dataclasses.replace(run, model=dataclasses.replace(run.model, init=init))
    return run


def remote_job(job: dict) -> tuple[str, float | None, dict[str, bytes], tuple, tuple]:
    """On a worker: render one packed config in a temporary folder; return (status, final loss, files, runs,
    overrides)."""
    cfg = job["config"]
    os.environ[limits.ENV] = job["limits"]  # the limits the command was given
    with tempfile.TemporaryDirectory(prefix="nnviz-") as tmp:
        tmp = Path(tmp)
        if isinstance(cfg, Comparison):
            cfg = dataclasses.replace(cfg, runs=tuple(_local_paths(r, k, job["files"], tmp) for k, r in enumerate(cfg.runs)))
        else:
            cfg = _local_paths(cfg, 0, job["files"], tmp)
        folder = Outputs.of(cfg, tmp / "out").folder
        folder.mkdir(parents=True)
        for name, data in job["stored"].items():
            (folder / name).write_bytes(data)
        result = render(cfg, tmp / "out", force=job["force"])
        status = "diverged" if result.diverged_at >= 0 else "rendered"
        files = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}
        # stored snapshots that were reused need not travel back
        changed = {k: v for k, v in files.items() if job["stored"].get(k) != v}
        return status, result.final_loss, changed, result.runs, result.overrides
