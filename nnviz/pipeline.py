"""One config end to end: load, prepare data and weights, train (or reuse snapshots), draw, encode, atomically."""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import multiprocessing as mp
import os
import json
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from . import __version__, snapshots
from .compare import Comparison
from .config import Config
from .datasets import DATASETS, DataError, Dataset, check_targets, one_hot, split
from .errors import ConfigError, RenderError
from .embed import read_manifest, write_embeds, write_text
from .files import atomic_path
from .init import InitError, initialise
from .model import Net, parameter_index, unflatten
from .render.formats import FORMATS, gif_args, gif_size, palette_args
from .render.scene import Scene, summary
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
    test: tuple[np.ndarray, np.ndarray]  # the held-out (x, y), empty without data.test_fraction


@dataclass(frozen=True)
class Outputs:
    """Where one config's files go: folder/name.mp4, .webm, .gif, .png, .npz, .weights.npz, .json."""

    folder: Path
    name: str
    formats: tuple[str, ...] = ("mp4",)
    weights_file: bool = True  # a comparison keeps its runs' final weights in its snapshot file

    def path(self, suffix: str) -> Path:
        return self.folder / f"{self.name}{suffix}"

    @property
    def video(self) -> Path:  # the main video: the first format asked for
        return self.path("." + self.formats[0])

    @property
    def poster(self) -> Path:
        return self.path(".png")

    @property
    def snapshots(self) -> Path:
        return self.path(".npz")

    @property
    def weights(self) -> Path:
        return self.path(".weights.npz")

    @property
    def manifest(self) -> Path:
        return self.path(".json")

    def files(self) -> dict[str, str]:
        """Role -> file name, for the manifest."""
        out = {f: f"{self.name}.{f}" for f in self.formats}
        out.update(poster=self.poster.name, snapshots=self.snapshots.name)
        if self.weights_file:
            out["weights"] = self.weights.name
        return out


@dataclass(frozen=True)
class Result:
    outputs: Outputs
    retrained: bool  # False when existing snapshots were reused
    diverged_at: int  # -1 when training did not diverge
    final_loss: float | None
    frames: int
    up_to_date: bool = False  # nothing was done: the outputs were already made from this config
    runs: tuple = ()  # a comparison's runs: ({label, final_loss, final_accuracy, diverged_at}, ...)


def prepare(cfg: Config) -> Prepared:
    """Make the data and initial weights; a bad data or weights file is a ConfigError at its key's line."""
    # One seed drives everything, through independent streams: data noise, initial weights, batch order.
    streams = np.random.SeedSequence(cfg.seed).spawn(4)  # the first three are as they were before a split
    data_rng, init_rng, batch_rng, split_rng = (np.random.default_rng(s) for s in streams)
    try:
        entry = DATASETS[cfg.data.name]
        data = entry.make({k: cfg.data.params[k] for k in entry.params}, data_rng)
        where = f"{cfg.data.params['path']}: " if "path" in cfg.data.params else ""
        if cfg.train.loss == "cross_entropy" and data.y.shape[1] == 1:  # integer labels
            data = one_hot(data, where)
        elif cfg.train.loss in ("cross_entropy", "bce"):
            check_targets(data, cfg.train.loss, where)
        data, test = split(data, cfg.data.params["test_fraction"], split_rng)
    except DataError as exc:
        key = ("data", "path") if "path" in cfg.data.params else ("data", "name")
        raise ConfigError([cfg.problem(key, str(exc))]) from None
    try:
        panels_for(cfg, data.x.shape[1], data.image is not None)
    except ValueError as exc:
        raise ConfigError([cfg.problem(("render", "panels"), str(exc))]) from None
    sizes = (data.x.shape[1], *cfg.model.hidden, data.y.shape[1])
    net = Net(sizes, (*cfg.model.activation, cfg.model.output), cfg.model.bias)
    if cfg.render.landscape and "landscape" in panels_for(cfg, data.x.shape[1], data.image is not None):
        for k, name in enumerate(cfg.render.landscape[0]):
            try:
                parameter_index(net, name)
            except ValueError as exc:
                raise ConfigError([cfg.problem(("render", "landscape", "weights", k), str(exc))]) from None
    try:
        theta = initialise(net, cfg.model.init.name, cfg.model.init.params, init_rng, cfg.seed, cfg.train.dtype)
    except InitError as exc:
        raise ConfigError([cfg.problem(("model", "init", "path"), str(exc))]) from None
    return Prepared(cfg, data, net, theta, batch_rng, test)


def _content_hash(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "missing"


def panels_for(cfg: Config, inputs: int, image: bool = False) -> tuple[str, ...]:
    """The panels of the video: the config's, or by task; ValueError naming the valid ones for a misfit."""
    classifier = cfg.train.loss in ("bce", "cross_entropy")
    pictures = image and bool(cfg.model.hidden)
    sizes = (inputs, *cfg.model.hidden)
    small = sum((a + cfg.model.bias) * b for a, b in zip(sizes, sizes[1:])) <= 10_000 - 100
    fits = {"fit": inputs != 2 and not image, "boundary": inputs == 2, "network": small and not image,
            "neurons": small and inputs in (1, 2) and bool(cfg.model.hidden), "landscape": small,
            "weights": pictures, "loss": True, "metrics": classifier}
    if cfg.render.panels is None:
        first = "weights" if pictures else "boundary" if inputs == 2 else "fit"
        return tuple(p for p in (first, "loss", "metrics") if fits[p])
    wrong = [p for p in cfg.render.panels if not fits[p]]
    if wrong:
        why = {"fit": "2-D input is drawn by `boundary`", "boundary": f"the data has {inputs} inputs, not 2",
               "metrics": "accuracy needs a classification loss (bce, cross_entropy)",
               "network": "the net has more than 10,000 parameters, which are not stored at every snapshot"
               if not image else "image inputs are too many to draw",
               "weights": "hidden units' weights are pictures only for image data (digits, mnist) and a hidden layer",
               "neurons": "units' outputs are drawn over 1-D or 2-D input, for a net with hidden units and at "
                          "most 10,000 parameters",
               "landscape": "the net has more than 10,000 parameters, which are not stored at every snapshot"}
        if image and "fit" in wrong:
            why["fit"] = "image data is drawn by `weights`"
        valid = ", ".join(p for p, ok in fits.items() if ok)
        raise ValueError(f"{wrong[0]} does not fit this data ({why[wrong[0]]}); valid here: {valid}")
    return cfg.render.panels


def train_key(cfg: Config) -> str:
    """A hash of everything training depends on: the config but title and render, the content (not the
    place) of the data and weights files, and nnviz's version."""
    d = cfg.to_dict()
    for k in ("title", "render"):
        d.pop(k)
    for section in (d["data"]["params"], d["model"]["init"]["params"]):
        if section.get("path"):
            section["path"] = _content_hash(section["path"])
    return hashlib.sha256((json.dumps(d, sort_keys=True) + __version__).encode()).hexdigest()


def runs_key(cfg: Config | Comparison) -> str:
    """train_key, or all runs' train keys for a comparison."""
    return "+".join(train_key(r) for r in cfg.runs) if isinstance(cfg, Comparison) else train_key(cfg)


def render_key(cfg: Config | Comparison) -> str:
    """A hash of everything the outputs depend on: training, and the title and render settings."""
    labels = list(cfg.labels) if isinstance(cfg, Comparison) else []
    extra = json.dumps({"title": cfg.title, "render": dataclasses.asdict(cfg.render), "labels": labels},
                       sort_keys=True)
    return hashlib.sha256((runs_key(cfg) + extra).encode()).hexdigest()


def outputs_for(cfg: Config | Comparison, out_dir: str | Path) -> Outputs:
    name = Path(cfg.source).stem
    folder = Path(out_dir) / name
    return Outputs(folder, name, cfg.render.formats, weights_file=isinstance(cfg, Config))


def check(cfg: Config | Comparison) -> None:
    """Everything that can be checked before training: the data and weights files of every run."""
    for run in cfg.runs if isinstance(cfg, Comparison) else (cfg,):
        prepare(run)


def up_to_date(cfg: Config, out_dir: str | Path) -> dict | None:
    """The manifest of this config's outputs when they are complete and made from this very config, else None."""
    o = outputs_for(cfg, out_dir)
    m = read_manifest(o.manifest)
    if not m or m.get("key") != render_key(cfg):
        return None
    if not all((o.folder / f).is_file() for f in m["files"].values()):
        return None
    return m


def run_training(prep: Prepared, key: str, progress: Progress | None = None) -> tuple[snapshots.History, np.ndarray]:
    """Train; return the History and the final parameters (P,)."""
    cfg = prep.config
    total, _, _ = schedule(cfg.train, len(prep.data.x))
    grid = prep.data.grid
    snaps = []
    theta = prep.theta0.copy()
    keep_first = min(16, cfg.model.hidden[0]) if prep.data.image and cfg.model.hidden else 0
    for snap in train(prep.net, theta, prep.data.x, prep.data.y, grid, cfg.train, prep.batch_rng, prep.test,
                      keep_first):
        snaps.append(snap)
        if progress:
            progress("training", snap.iteration, total)
    return snapshots.from_snapshots(snaps, prep.data, grid, cfg.to_json(), key, prep.test), snaps[-1].theta


def save_weights(net: Net, theta: np.ndarray, file: Path) -> None:
    """The final parameters as w0, b0, w1, ... (the format `init: {name: file}` reads)."""
    with atomic_path(file) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **{k: np.asarray(v) for k, v in unflatten(net, theta).items()})


def draw(history: snapshots.History, cfg: Config, outputs: Outputs, progress: Progress | None = None) -> int:
    """Encode every format and write the poster from `history`; return the number of video frames.

    All videos are encoded at once from one pass of drawing. A GIF takes a second pass: the first
    also feeds ffmpeg's palette generator, the second maps the frames, drawn again, onto that palette.
    """
    r = cfg.render
    if isinstance(history, snapshots.History):
        panels = panels_for(cfg, history.x.shape[1], history.image_shape is not None)
        scene = Scene(history, cfg.title, r.size, panels=panels, frames=r.frames, spacing=r.spacing)
    else:
        scene = history
    hold = int(round(r.hold * r.fps))
    total = scene.n + hold
    gif = "gif" in r.formats
    passes = 2 if gif else 1

    def frames(pass_no: int):
        frame = None
        for i in range(scene.n):
            frame = scene.frame(i)
            yield frame
            if progress:
                progress("drawing", (pass_no * total + i + 1), passes * total)
        for _ in range(hold):
            yield frame
        if progress:
            progress("drawing", (pass_no + 1) * total, passes * total)

    try:
        with (tempfile.TemporaryDirectory(dir=outputs.folder, prefix=".palette.") if gif
              else contextlib.nullcontext(None)) as tmp:
            palette = Path(tmp or ".") / "palette.png"  # a GIF's first pass writes it, the second reads it
            gsize = gif_size(r.size, r.gif_width)
            with contextlib.ExitStack() as stack:
                writers = [stack.enter_context(VideoWriter(outputs.path("." + f), r.size, r.fps, FORMATS[f].args(r)))
                           for f in r.formats if f != "gif"]
                if gif:
                    writers.append(stack.enter_context(VideoWriter(palette, r.size, r.fps, palette_args(r.fps, gsize),
                                                                   check_frames=False)))
                last = None
                for last in frames(0):
                    for w in writers:
                        w.write(last)
                _write_png(last, outputs.poster)
                if progress:
                    progress("encoding", total, total)
            if gif:
                with VideoWriter(outputs.path(".gif"), r.size, r.fps, gif_args(r.fps, gsize),
                                 extra_inputs=["-i", str(palette)], check_frames=False) as w:
                    for frame in frames(1):
                        w.write(frame)
    finally:
        scene.close()
    return total


def _write_png(frame: np.ndarray, file: Path) -> None:
    from matplotlib.image import imsave

    with atomic_path(file) as tmp:
        imsave(tmp, frame, format="png")


def render(cfg: Config | Comparison, out_dir: str | Path = "outputs", progress: Progress | None = None,
           force: bool = False) -> Result:
    """Render one config: nothing when its outputs are up to date; reuse the snapshots when nothing
    training depends on changed, else train; then draw, and write the manifest and embeds last."""
    if isinstance(cfg, Comparison):
        return render_comparison(cfg, out_dir, progress, force)
    outputs = outputs_for(cfg, out_dir)
    prep = prepare(cfg)  # validates data and weights files even when nothing is to be done
    if not force:
        done = up_to_date(cfg, out_dir)
        if done is not None:
            return Result(outputs, False, done["diverged_at"], done["final_loss"], done["frames"], up_to_date=True)
    key = train_key(cfg)
    history = None
    if not force and snapshots.read_key(outputs.snapshots) == key and outputs.weights.is_file():
        try:
            history = snapshots.load(outputs.snapshots)
            log.info("%s: training unchanged, reusing %s", cfg.source, outputs.snapshots)
        except (OSError, ValueError) as exc:
            log.info("%s: cannot reuse snapshots (%s), training again", cfg.source, exc)
    retrained = history is None
    try:
        outputs.folder.mkdir(parents=True, exist_ok=True)  # fail before training, not after
        if retrained:
            history, theta = run_training(prep, key, progress)
            snapshots.save(history, outputs.snapshots)
            save_weights(prep.net, theta, outputs.weights)
        if history.diverged_at >= 0:
            log.warning("%s: training diverged at iteration %d (the loss is not finite)", cfg.source,
                        history.diverged_at)
        frames = draw(history, cfg, outputs, progress)
        manifest = _manifest(cfg, outputs, history, frames)
        write_embeds(manifest, outputs.folder)
        write_text(outputs.manifest, json.dumps(manifest, indent=1) + "\n")  # last: it says all is done
    except OSError as exc:  # a folder that cannot be written, a full disk: no partial file is left
        where = exc.filename or outputs.folder
        raise RenderError(f"cannot write {where}: {exc.strerror or exc}") from None
    return Result(outputs, retrained, history.diverged_at, float(history.loss[-1]), frames)


def _manifest(cfg: Config, outputs: Outputs, history: snapshots.History, frames: int) -> dict:
    return {
        "name": outputs.name, "title": cfg.title, "summary": summary(history), "key": render_key(cfg),
        "nnviz": __version__, "files": outputs.files(), "size": list(cfg.render.size), "fps": cfg.render.fps,
        "frames": frames, "iterations": int(history.iteration[-1]), "loss_name": cfg.train.loss,
        "final_loss": float(history.loss[-1]) if np.isfinite(history.loss[-1]) else None,
        "diverged_at": history.diverged_at,
        "gif_size": list(gif_size(cfg.render.size, cfg.render.gif_width)) if "gif" in cfg.render.formats else None,
    }


def _train_run(cfg: Config) -> tuple[snapshots.History, np.ndarray]:
    """One run of a comparison (in a worker process when there are cores to spare)."""
    return run_training(prepare(cfg), train_key(cfg))


def train_runs(runs, progress: Progress | None = None) -> list[tuple[snapshots.History, np.ndarray]]:
    """Train a comparison's runs, in parallel processes where it can, in order."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    results: list = [None] * len(runs)
    if cores > 1 and len(runs) > 1 and not mp.current_process().daemon:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        with ProcessPoolExecutor(max_workers=min(cores, len(runs)), mp_context=ctx) as pool:
            futures = {pool.submit(_train_run, run): k for k, run in enumerate(runs)}
            for done, future in enumerate(as_completed(futures), start=1):
                results[futures[future]] = future.result()
                if progress:
                    progress("training", done, len(runs))
        return results
    for k, run in enumerate(runs):  # one core, or inside a daemon process (a Dask worker) that cannot fork
        results[k] = _train_run(run)
        if progress:
            progress("training", k + 1, len(runs))
    return results


def render_comparison(cmp: Comparison, out_dir, progress: Progress | None = None, force: bool = False) -> Result:
    """Render a comparison: its runs trained in parallel, one video of small multiples."""
    outputs = outputs_for(cmp, out_dir)
    check(cmp)
    if not force:
        done = up_to_date(cmp, out_dir)
        if done is not None:
            return Result(outputs, False, -1, None, done["frames"], up_to_date=True, runs=tuple(done["runs"]))
    key = runs_key(cmp)
    histories = None
    if not force and snapshots.read_key(outputs.snapshots) == key:
        try:
            _, histories = snapshots.load_runs(outputs.snapshots)
        except (OSError, ValueError) as exc:
            log.info("%s: cannot reuse snapshots (%s), training again", cmp.source, exc)
    retrained = histories is None
    try:
        outputs.folder.mkdir(parents=True, exist_ok=True)
        if retrained:
            trained = train_runs(cmp.runs, progress)
            histories = [h for h, _ in trained]
            snapshots.save_runs(cmp.labels, histories, [theta for _, theta in trained], outputs.snapshots)
        for label, h in zip(cmp.labels, histories):
            if h.diverged_at >= 0:
                log.warning("%s: run '%s' diverged at iteration %d", cmp.source, label, h.diverged_at)
        note = comparison_note(cmp, histories)
        r = cmp.render
        cell = panels_for(cmp.runs[0], histories[0].x.shape[1], histories[0].image_shape is not None)[0]
        scene = Scene(histories, cmp.title, r.size, cmp.labels, note, frames=r.frames, spacing=r.spacing, cell=cell)
        frames = draw(scene, cmp, outputs, progress)
        runs = tuple({"label": label, "final_loss": _finite(h.loss[-1]),
                      "final_accuracy": _finite(h.accuracy[-1]) if h.accuracy is not None else None,
                      "diverged_at": h.diverged_at} for label, h in zip(cmp.labels, histories))
        manifest = {
            "name": outputs.name, "title": cmp.title, "summary": note, "key": render_key(cmp), "nnviz": __version__,
            "files": outputs.files(), "size": list(cmp.render.size), "fps": cmp.render.fps, "frames": frames,
            "iterations": max(int(h.iteration[-1]) for h in histories), "loss_name": cmp.runs[0].train.loss,
            "final_loss": None, "diverged_at": -1, "runs": list(runs),
            "gif_size": list(gif_size(cmp.render.size, cmp.render.gif_width)) if "gif" in cmp.render.formats else None,
        }
        write_embeds(manifest, outputs.folder)
        write_text(outputs.manifest, json.dumps(manifest, indent=1) + "\n")
    except OSError as exc:
        raise RenderError(f"cannot write {exc.filename or outputs.folder}: {exc.strerror or exc}") from None
    return Result(outputs, retrained, -1, None, frames, runs=runs)


def comparison_note(cmp: Comparison, histories) -> str:
    """The subtitle of a comparison: how many runs, and what they share."""
    shapes = [(r.model.hidden, r.model.bias, r.seed, json.dumps(dataclasses.asdict(r.model.init), sort_keys=True))
              for r in cmp.runs]
    data = "data and batch order" if len({(r.train.batch_size, r.train.shuffle) for r in cmp.runs}) == 1 else "data"
    same = f"the same {data}"
    if len(set(shapes)) == 1:
        same = f"the same initial weights and {data}"
    elif len(set(shapes)) < len(shapes):
        same = f"the same {data}; nets of the same shape start from the same weights"
    return f"{len(cmp.runs)} runs on {cmp.runs[0].data.name}, each with {same}"


def _finite(v) -> float | None:
    return float(v) if np.isfinite(v) else None
