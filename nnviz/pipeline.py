"""One config end to end: load, prepare data and weights, train (or reuse snapshots), draw, encode, atomically."""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from . import __version__, snapshots
from .config import Config
from .datasets import DATASETS, DataError, Dataset
from .errors import ConfigError, RenderError
from .files import atomic_path
from .init import InitError, initialise
from .model import Net, unflatten
from .render.scene import Scene
from .render.video import VideoWriter
from .train import schedule, train

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


@dataclass(frozen=True)
class Outputs:
    video: Path
    poster: Path
    snapshots: Path
    weights: Path


@dataclass(frozen=True)
class Result:
    outputs: Outputs
    retrained: bool  # False when existing snapshots were reused
    diverged_at: int  # -1 when training did not diverge
    final_loss: float
    frames: int


def prepare(cfg: Config) -> Prepared:
    """Make the data and initial weights; a bad data or weights file is a ConfigError at its key's line."""
    # One seed drives everything, through independent streams: data noise, initial weights, batch order.
    data_rng, init_rng, batch_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(cfg.seed).spawn(3))
    try:
        data = DATASETS[cfg.data.name].make(cfg.data.params, data_rng)
    except DataError as exc:
        key = ("data", "path") if "path" in cfg.data.params else ("data", "name")
        raise ConfigError([cfg.problem(key, str(exc))]) from None
    sizes = (data.x.shape[1], *cfg.model.hidden, data.y.shape[1])
    net = Net(sizes, (*cfg.model.activation, cfg.model.output), cfg.model.bias)
    try:
        theta = initialise(net, cfg.model.init.name, cfg.model.init.params, init_rng, cfg.seed, cfg.train.dtype)
    except InitError as exc:
        raise ConfigError([cfg.problem(("model", "init", "path"), str(exc))]) from None
    return Prepared(cfg, data, net, theta, batch_rng)


def train_key(cfg: Config) -> str:
    """A hash of everything training depends on: the config but title and render, data files, nnviz's version."""
    d = cfg.to_dict()
    for k in ("title", "render"):
        d.pop(k)
    h = hashlib.sha256(json.dumps(d, sort_keys=True).encode())
    h.update(__version__.encode())
    for p in (cfg.data.params.get("path"), cfg.model.init.params.get("path")):
        if p and Path(p).is_file():
            h.update(Path(p).read_bytes())
    return h.hexdigest()


def outputs_for(cfg: Config, out_dir: str | Path) -> Outputs:
    name = Path(cfg.source).stem
    folder = Path(out_dir) / name
    return Outputs(folder / f"{name}.mp4", folder / f"{name}.png", folder / f"{name}.npz", folder / f"{name}.weights.npz")


def run_training(prep: Prepared, key: str, progress: Progress | None = None) -> tuple[snapshots.History, np.ndarray]:
    """Train; return the History and the final parameters (P,)."""
    cfg = prep.config
    total, _, _ = schedule(cfg.train, len(prep.data.x))
    grid = prep.data.grid
    snaps = []
    theta = prep.theta0.copy()
    for snap in train(prep.net, theta, prep.data.x, prep.data.y, grid, cfg.train, prep.batch_rng):
        snaps.append(snap)
        if progress:
            progress("training", snap.iteration, total)
    return snapshots.from_snapshots(snaps, prep.data, grid, cfg.to_json(), key), snaps[-1].theta


def save_weights(net: Net, theta: np.ndarray, file: Path) -> None:
    """The final parameters as w0, b0, w1, ... (the format `init: {name: file}` reads)."""
    with atomic_path(file) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **{k: np.asarray(v) for k, v in unflatten(net, theta).items()})


def draw(history: snapshots.History, cfg: Config, outputs: Outputs, progress: Progress | None = None) -> int:
    """Encode the video and write the poster from `history`; return the number of frames written."""
    r = cfg.render
    scene = Scene(history, cfg.title, r.size)
    hold = int(round(r.hold * r.fps))
    total = history.n + hold
    try:
        with VideoWriter(outputs.video, r.size, r.fps, r.crf, r.preset) as writer:
            frame = None
            for i in range(history.n):
                frame = scene.frame(i)
                writer.write(frame)
                if progress:
                    progress("drawing", i + 1, total)
            for j in range(hold):
                writer.write(frame)
                if progress:
                    progress("drawing", history.n + j + 1, total)
            if progress:
                progress("encoding", total, total)
            _write_png(frame, outputs.poster)
    finally:
        scene.close()
    return total


def _write_png(frame: np.ndarray, file: Path) -> None:
    from matplotlib.image import imsave

    with atomic_path(file) as tmp:
        imsave(tmp, frame, format="png")


def render(cfg: Config, out_dir: str | Path = "outputs", progress: Progress | None = None, force: bool = False) -> Result:
    """Render one config: reuse the snapshots when nothing training depends on changed, else train; then draw."""
    outputs = outputs_for(cfg, out_dir)
    key = train_key(cfg)
    prep = prepare(cfg)  # validates data and weights files even when the snapshots are reused
    history = None
    if not force and snapshots.read_key(outputs.snapshots) == key and outputs.weights.is_file():
        try:
            history = snapshots.load(outputs.snapshots)
            log.info("%s: training unchanged, reusing %s", cfg.source, outputs.snapshots)
        except (OSError, ValueError) as exc:
            log.info("%s: cannot reuse snapshots (%s), training again", cfg.source, exc)
    retrained = history is None
    try:
        outputs.video.parent.mkdir(parents=True, exist_ok=True)  # fail before training, not after
        if retrained:
            history, theta = run_training(prep, key, progress)
            snapshots.save(history, outputs.snapshots)
            save_weights(prep.net, theta, outputs.weights)
        if history.diverged_at >= 0:
            log.warning("%s: training diverged at iteration %d (the loss is not finite)", cfg.source,
                        history.diverged_at)
        frames = draw(history, cfg, outputs, progress)
    except OSError as exc:  # a folder that cannot be written, a full disk: no partial file is left
        where = exc.filename or outputs.video.parent
        raise RenderError(f"cannot write {where}: {exc.strerror or exc}") from None
    return Result(outputs, retrained, history.diverged_at, float(history.loss[-1]), frames)
