"""One config end to end: prepare data and weights, train (or reuse the snapshots), draw, write the manifest.

    render(load_config("configs/sine-2x10-adam.yaml"), "outputs")

Nothing is done when the outputs are up to date (keys.py); the snapshots are reused when only the
title or render settings changed; every file appears whole or not at all (files.py), the manifest last.
"""
from __future__ import annotations

import hashlib
import logging
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from . import __version__, limits, procs, snapshots
from .config import Config
from .datasets import DATASETS, DataError, Dataset, check_targets, check_usable, one_hot, split
from .draw.encode import encode
from .draw.formats import gif_size
from .draw.panels import choose
from .draw.scene import Scene
from .embed import write_embeds
from .errors import ConfigError, RenderError, one_line
from .experiment import Comparison
from .files import Busy, Staging, atomic_path, locked, sweep
from .init import InitError, initialise
from .keys import render_key, runs_key, train_key
from .model import Net, parameter_index, unflatten
from .outputs import Manifest, Outputs, RunResult, read_manifest, write_manifest
from .record import Recording
from .snapshots import Keep, keep_for, keep_of
from .train import schedule, snapshot_count, together_key, train_together

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class Prepared:
    """Everything training needs, made from a Config: the data, the net and its initial weights."""

    config: Config
    data: Dataset
    net: Net
    theta0: np.ndarray  # (P,) initial parameters
    batch_rng: np.random.Generator
    test: tuple[np.ndarray, np.ndarray]  # the held-out (x, y), empty without data.test_fraction
    keep: Keep  # what the snapshots store


@dataclass(frozen=True)
class Result:
    outputs: Outputs
    retrained: bool  # False when existing snapshots were reused
    diverged_at: int  # -1 when training did not diverge
    final_loss: float | None
    frames: int
    up_to_date: bool = False  # nothing was done: the outputs were already made from this config
    runs: tuple[RunResult, ...] = ()  # a comparison's runs
    overrides: tuple[str, ...] = ()  # the --set items it was rendered with


def prepare(cfg: Config) -> Prepared:
    """Make the data and initial weights and check the panels; a problem is a ConfigError at its key's line."""
    # One seed drives everything, through independent streams: data noise, initial weights, batch order.
    streams = np.random.SeedSequence(cfg.seed).spawn(4)  # the first three are as they were before a split
    data_rng, init_rng, batch_rng, split_rng = (np.random.default_rng(s) for s in streams)
    lim = limits.current()
    for k, name, what in (("samples", "samples", "the number of samples"), ("classes", "classes", "data.classes")):
        too_many = lim.check(name, cfg.data.params.get(k) or 0, what)
        if too_many:  # before making them
            raise ConfigError([cfg.problem(("data", k), too_many)])
    try:
        entry = DATASETS[cfg.data.name]
        data = entry.make({k: cfg.data.params[k] for k in entry.params}, data_rng)
        where = f"{cfg.data.params['path']}: " if "path" in cfg.data.params else ""
        if cfg.train.loss == "cross_entropy" and data.y.shape[1] == 1:  # integer labels
            data = one_hot(data, where)
        elif cfg.train.loss in ("cross_entropy", "bce"):
            check_targets(data, cfg.train.loss, where)
        data, test = split(data, cfg.data.params["test_fraction"], split_rng)
        check_usable(data, lim)
    except (DataError, TypeError, ValueError, IndexError) as exc:  # (a file of unexpected shapes, too)
        key = ("data", "path") if "path" in cfg.data.params else ("data", "name")
        raise ConfigError([cfg.problem(key, str(exc) if isinstance(exc, DataError) else one_line(exc))]) from None
    sizes = (data.x.shape[1], *cfg.model.hidden, data.y.shape[1])
    net = Net(sizes, (*cfg.model.activation, cfg.model.output), cfg.model.bias)
    _check_limits(cfg, net, len(data.x), lim)
    keep = keep_for(net, data.image is not None)
    try:  # the same choice draw() makes from the snapshots, made before training
        panels = choose(cfg.render.panels, net, cfg.train.loss, data.image is not None, keep)
    except ValueError as exc:
        raise ConfigError([cfg.problem(("render", "panels"), str(exc))]) from None
    if "landscape" in panels:
        for k, name in enumerate(cfg.render.landscape.weights):
            try:
                parameter_index(net, name)
            except ValueError as exc:
                raise ConfigError([cfg.problem(("render", "landscape", "weights", k), str(exc))]) from None
    try:
        theta = initialise(net, cfg.model.init.name, cfg.model.init.params, init_rng, cfg.seed, cfg.train.dtype)
    except InitError as exc:
        raise ConfigError([cfg.problem(("model", "init", "path"), str(exc))]) from None
    except (TypeError, ValueError) as exc:  # e.g. a legacy seed out of NumPy's range
        raise ConfigError([cfg.problem(("model", "init"), one_line(exc))]) from None
    return Prepared(cfg, data, net, theta, batch_rng, test, keep)


def _check_limits(cfg: Config, net: Net, samples: int, lim: limits.Limits) -> None:
    """ConfigError, at the keys that ask for it, when the run would be larger than the limits allow."""
    total, _ = schedule(cfg.train, samples)
    updates = ("train", "epochs") if cfg.train.epochs is not None else ("train", "iterations")
    snaps = snapshot_count(cfg.train.snapshot_every, total)
    batch = min(cfg.train.batch_size or samples, samples)
    checks = [(("model", "hidden"), lim.check("parameters", net.n_params, "the net's number of parameters "
                                              f"({'-'.join(map(str, net.sizes))})")),
              (("model", "hidden"), lim.check("memory", samples * max(net.sizes) * 8 * 3, "the bytes of the "
                                              "widest layer's values over the training set (x 3)")),
              (updates, lim.check("work", 2 * total * batch * net.n_params + 2 * snaps * samples * net.n_params,
                                  "the multiply-adds of training (updates x batch x parameters x 2)")),
              (updates, lim.check("iterations", total, "the number of parameter updates")),
              (("train", "snapshot_every"), lim.check("frames", snaps, "the number of snapshots")),
              *cfg.render.over_limits(snaps, total, lim)]
    problems = [cfg.problem(k, message) for k, message in checks if message]
    if problems:
        raise ConfigError(problems)


def summary(cfg: Config, net: Net) -> str:
    """One line saying what was trained: '1-10-10-1 tanh net · adam lr 0.01 · full batch · sine'."""
    opt = cfg.train.optimizer
    bits = [net.words(), f"{opt.name} lr {opt.params['lr']:g}",
            "full batch" if cfg.train.batch_size is None else f"batch {cfg.train.batch_size}", cfg.data.name]
    return "  ·  ".join(bits)


def check(cfg: Config | Comparison) -> None:
    """Everything that can be checked before training: data and weights files and panels of every run."""
    for run in cfg.runs:
        prepare(run)


def up_to_date(cfg: Config | Comparison, out_dir: str | Path) -> Manifest | None:
    """The manifest of this config's outputs when they are complete and made from this very config, else None."""
    o = Outputs.of(cfg, out_dir)
    m = read_manifest(o.manifest)
    if m is None or m.key != render_key(cfg):
        return None
    if not all((o.folder / f).is_file() for f in m.files.values()):
        return None
    return m


def run_training(prep: Prepared, key: str, progress: Progress | None = None) -> tuple[snapshots.History, np.ndarray]:
    """Train; return the History and the final parameters (P,)."""
    return train_group([prep], [key], progress)[0]


def train_group(preps: list[Prepared], keys: list[str], progress: Progress | None = None
                ) -> list[tuple[snapshots.History, np.ndarray]]:
    """Train runs that can train together (one `group` of `groups`) as one computation; each run's History
    and final parameters (P,), in order."""
    first, data = preps[0], preps[0].data
    total, _ = schedule(first.config.train, len(data.x))
    grid = data.grid if first.keep.grid else None
    snaps: list[list] = [[] for _ in preps]
    thetas = np.stack([p.theta0 for p in preps])
    for k, snap in train_together(first.net, thetas, data.x, data.y, grid, [p.config.train for p in preps],
                                  [p.batch_rng for p in preps], first.test, first.keep):
        snaps[k].append(snap)
        if progress and k == 0:
            progress("training", snap.iteration, total)
    return [(snapshots.from_snapshots(s, p.data, grid, p.net, p.config.train.loss, summary(p.config, p.net),
                                      p.config.to_json(), key, p.keep, p.test), s[-1].theta)
            for p, key, s in zip(preps, keys, snaps)]


def groups(preps: list[Prepared]) -> list[list[int]]:
    """The runs (indices into preps) that can train together: the same net, data (by content), what the
    snapshots keep, and all `train_together` asks to be shared; in order of their first run."""
    found: dict[tuple, list[int]] = {}
    for k, p in enumerate(preps):
        content = hashlib.blake2b(digest_size=16)
        for a in (p.data.x, p.data.y, *p.test):
            content.update(np.ascontiguousarray(a))  # (its buffer: no copy of contiguous data)
            content.update(f"{a.dtype}{a.shape}".encode())
        key = (p.net, p.keep, content.hexdigest(), together_key(p.config.train, len(p.data.x)),
               str(p.theta0.dtype))
        found.setdefault(key, []).append(k)
    return list(found.values())


def save_weights(net: Net, theta: np.ndarray, file: Path) -> None:
    """The final parameters as w0, b0, w1, ... (the format `init: {name: file}` reads)."""
    with atomic_path(file) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **{k: np.asarray(v) for k, v in unflatten(net, theta).items()})


def _train_runs(cfgs: list[Config]) -> list[tuple[snapshots.History, np.ndarray]]:
    """Runs of a comparison that train together (in a worker process when there are cores to spare)."""
    return train_group([prepare(c) for c in cfgs], [train_key(c) for c in cfgs])


def train_runs(runs, progress: Progress | None = None, together: bool = True
               ) -> list[tuple[snapshots.History, np.ndarray]]:
    """Train a comparison's runs, in order: each group of runs that can train together (`groups`) as one
    computation, the groups in parallel processes where this process has cores to spare. together=False
    trains every run on its own (as nnviz did before: the benchmarks' baseline)."""
    jobs = groups([prepare(r) for r in runs]) if together else [[k] for k in range(len(runs))]
    workers = min(procs.cores(), len(jobs))
    results: list = [None] * len(runs)
    done = 0

    def collect(job: list[int], trained) -> None:
        nonlocal done
        for k, result in zip(job, trained):
            results[k] = result
        done += len(job)
        if progress:
            progress("training", done, len(runs))

    if workers > 1 and procs.can_fork_workers():
        with procs.pool(workers) as pool:  # interrupted, it stops its workers
            futures = {pool.submit(_train_runs, [runs[k] for k in job]): job for job in jobs}
            for future in as_completed(futures):
                collect(futures[future], future.result())
        return results
    for job in jobs:  # one core, or inside a daemon process (a Dask worker) that cannot fork
        collect(job, _train_runs([runs[k] for k in job]))
    return results


def _stored(cfg, outputs: Outputs, force: bool):
    """The stored histories when training is unchanged and they can be read, else None."""
    if force:
        return None
    stored = snapshots.read_key(outputs.snapshots)
    if stored is None and outputs.snapshots.exists():
        log.info("%s: %s cannot be read (damaged or of another format), training again", cfg.source,
                 outputs.snapshots)
    if stored != runs_key(cfg):
        return None
    try:
        if isinstance(cfg, Comparison):
            return snapshots.load_runs(outputs.snapshots)[1]
        if not outputs.weights.is_file():
            return None
        return [snapshots.load(outputs.snapshots)]
    except (OSError, ValueError) as exc:
        log.info("%s: cannot reuse %s (%s), training again", cfg.source, outputs.snapshots, exc)
        return None


def render(cfg: Config | Comparison | Recording, out_dir: str | Path = "outputs", progress: Progress | None = None,
           force: bool = False, trained: list | None = None) -> Result:
    """Render a config or comparison: nothing when its outputs are up to date; reuse the snapshots when
    nothing training depends on changed, else train; then draw, and write the manifest and embeds last.
    A Recording (training done elsewhere) is drawn from its History, which becomes its snapshot file.
    `trained`: a comparison's runs already trained (train_runs' result, e.g. from a cluster's workers).

    The output folder is locked meanwhile (a second process rendering into it gets a RenderError naming
    this one), and what an earlier, killed process left half-written there is removed first."""
    outputs = Outputs.of(cfg, out_dir)
    preps = [prepare(run) for run in cfg.runs]  # checks data, weights and panels even when nothing is to be done
    try:
        with locked(outputs.folder):
            for p in sweep(outputs.folder):
                log.info("removed %s, left by an interrupted render", p)
            return _render(cfg, outputs, preps, progress, force, trained)
    except Busy as exc:
        raise RenderError(str(exc)) from None
    except OSError as exc:  # a folder that cannot be written, a full disk: no partial file is left
        raise RenderError(f"cannot write {exc.filename or outputs.folder}: {exc.strerror or exc}") from None


def _render(cfg, outputs: Outputs, preps: list[Prepared], progress, force: bool, trained=None) -> Result:
    comparison = isinstance(cfg, Comparison)
    previous = read_manifest(outputs.manifest)
    if not force:
        done = up_to_date(cfg, outputs.folder.parent)
        if done is not None:
            return Result(outputs, False, done.diverged_at, done.final_loss, done.frames, up_to_date=True,
                          runs=done.runs, overrides=done.overrides)
    recorded = isinstance(cfg, Recording)
    histories = [cfg.history] if recorded else None if trained is not None else _stored(cfg, outputs, force)
    retrained = histories is None
    with Staging() as stage:  # snapshots, weights, videos and poster: renamed into place together, or not at all
        if recorded:
            snapshots.save(cfg.history, stage.path(outputs.snapshots))
        elif retrained:
            if comparison:
                trained = trained if trained is not None else train_runs(cfg.runs, progress)
                histories = [h for h, _ in trained]
                snapshots.save_runs(cfg.labels, histories, [theta for _, theta in trained],
                                    stage.path(outputs.snapshots))
            else:
                history, theta = run_training(preps[0], train_key(cfg), progress)
                histories = [history]
                save_weights(preps[0].net, theta, stage.path(outputs.weights))
                snapshots.save(history, stage.path(outputs.snapshots))
        else:
            log.info("%s: training unchanged, reusing %s", cfg.source, outputs.snapshots)
        _warn_diverged(cfg, histories)
        frames, timeline = draw(cfg, histories, outputs, progress, stage)
    runs = tuple(RunResult(label, _finite(h.loss[-1]), _finite(h.accuracy[-1]) if h.accuracy is not None
                           else None, h.diverged_at) for label, h in zip(cfg.labels, histories)) \
        if comparison else ()
    manifest = _manifest(cfg, outputs, histories, subtitle(cfg, histories), frames, runs, timeline)
    write_embeds(manifest, outputs.folder)
    write_manifest(manifest, outputs.folder, previous)  # last: it says all is done
    h = histories[0]
    return Result(outputs, retrained, -1 if comparison else h.diverged_at,
                  None if comparison else _finite(h.loss[-1]), frames, runs=runs, overrides=cfg.overrides)


def _warn_diverged(cfg, histories) -> None:
    comparison = isinstance(cfg, Comparison)
    for label, h in zip(cfg.labels if comparison else ("",), histories):
        if h.diverged_at >= 0:
            log.warning("%s: %s at iteration %d (the loss is not finite)", cfg.source,
                        f"run '{label}' diverged" if comparison else "training diverged", h.diverged_at)


def draw(cfg: Config | Comparison, histories: list[snapshots.History], outputs: Outputs,
         progress: Progress | None = None, stage: Staging | None = None) -> tuple[int, tuple[int, ...]]:
    """Draw and encode the video(s) and poster of `histories` with cfg's title and render settings;
    return the number of video frames and the iteration each animated frame shows. A picture that cannot
    be drawn is a RenderError."""
    h = histories[0]
    image = h.image_shape is not None
    try:
        panels = choose(cfg.render.panels, h.net, h.loss_name, image, keep_of(h))
        if isinstance(cfg, Comparison):
            scene = Scene(histories, cfg.title, cfg.render, labels=cfg.labels, note=subtitle(cfg, histories),
                          cell=panels[0])
        else:
            scene = Scene(h, cfg.title, cfg.render, panels=panels)
    except (ValueError, OverflowError) as exc:
        raise RenderError(f"cannot draw the video: {exc}") from None
    try:
        files = {role: outputs.folder / name for role, name in outputs.files().items()}
        # one BLAS thread while drawing: a picture's products are small, and a second thread spinning
        # between them takes the core x264 needs (a boundary video: 4.9 -> 3.4 s)
        with threadpool_limits(1, user_api="blas"):
            return encode(scene, cfg.render, files, progress, stage), tuple(int(i) for i in scene.timeline)
    finally:
        scene.close()


def subtitle(cfg: Config | Comparison, histories) -> str:
    """The line under the title: what was trained, or for a comparison how many runs and what they share."""
    return comparison_note(cfg) if isinstance(cfg, Comparison) else histories[0].summary


def _manifest(cfg, outputs: Outputs, histories, note: str, frames: int, runs: tuple, timeline: tuple) -> Manifest:
    h, r = histories[0], cfg.render
    single = not runs
    return Manifest(
        name=outputs.name, title=cfg.title, summary=note, key=render_key(cfg), nnviz=__version__,
        files=outputs.files(), size=tuple(r.size), fps=r.fps, frames=frames,
        iterations=max(int(h.iteration[-1]) for h in histories), loss_name=h.loss_name,
        final_loss=_finite(h.loss[-1]) if single else None, diverged_at=h.diverged_at if single else -1,
        gif_size=gif_size(r.size, r.gif_width) if "gif" in r.formats else None, runs=runs,
        overrides=tuple(cfg.overrides), timeline=timeline,
    )


def comparison_note(cmp: Comparison) -> str:
    """The subtitle of a comparison: how many runs, and what they share."""
    runs = cmp.runs
    shapes = [repr((r.model.hidden, r.model.bias, r.seed, r.model.init)) for r in runs]
    if len(runs) == 1:
        return f"1 run on {runs[0].data.name}"
    data = "data and batch order" if len({(r.train.batch_size, r.train.shuffle) for r in runs}) == 1 else "data"
    same = f"the same {data}"
    if len(set(shapes)) == 1:
        same = f"the same initial weights and {data}"
    elif len(set(shapes)) < len(shapes):
        same = f"the same {data}; nets of the same shape start from the same weights"
    return f"{len(runs)} runs on {runs[0].data.name}, each with {same}"


def _finite(v) -> float | None:
    return float(v) if np.isfinite(v) else None
