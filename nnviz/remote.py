"""Rendering on a Dask cluster: `nnviz render configs/ --scheduler tcp://HOST:PORT` (needs nnviz[dask]).

Jobs go through the cluster's concurrent.futures executor. A job carries everything it needs (the
resolved config, the bytes of its data and weights files — a data folder such as MNIST's travels as
all the files in it — and the stored snapshots when only rendering changed) and brings back the bytes
of the finished files, which are written here, atomically: the workers need no shared disk and no copy
of the configs.
"""
from __future__ import annotations

import dataclasses
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
from .keys import runs_key
from .outputs import Outputs, plain_name, read_manifest, remove_unlisted
from .pipeline import render
from .snapshots import read_key

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
        futures = {}
        for j, cfg in enumerate(configs):
            try:
                futures[executor.submit(remote_job, pack(cfg, out_dir, force))] = j
            except (NnvizError, OSError) as exc:
                rows[j].status, rows[j].output = "failed", str(exc).splitlines()[0]
                continue
            if report:
                report(Path(cfg.source).stem, "on the cluster", 0, 1)
        for future in as_completed(futures):
            j = futures[future]
            row = rows[j]
            row.seconds = time.monotonic() - started
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
    files = {}
    for k, run in enumerate(cfg.runs):
        for role, params in (("data", run.data.params), ("init", run.model.init.params)):
            if params.get("path"):
                files[k, role] = _read_path(Path(params["path"]))
    stored = {}
    o = Outputs.of(cfg, out_dir)
    if not force and read_key(o.snapshots) == runs_key(cfg):
        stored = {p.name: p.read_bytes() for p in (o.snapshots, o.weights) if p.is_file()}
    return {"config": cfg, "files": files, "stored": stored, "force": force, "limits": os.environ.get(limits.ENV, "")}


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
