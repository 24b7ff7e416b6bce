"""The wall between training and drawing: what a run's snapshots keep, and the snapshot file (<name>.npz).

Drawing reads only this file, never the config it was trained from: the net is described here in
typed form (layer sizes, activations, bias, loss), and the render settings come from the config
being rendered.

Format (version 2), arrays in an uncompressed .npz:
  format        ()         int    2
  iteration     (S,)       int64  updates done at each snapshot, 0 first
  loss          (S,)       float  the config's loss over the whole training set
  mae           (S,)       float  mean |y - y_hat| over the training set
  sizes         (L+1,)     int    layer sizes: inputs, hidden layers, outputs
  activations   (L,)       str    each layer's activation, the output's last
  bias          ()         bool   whether every layer has a bias
  loss_name     ()         str    the loss minimised (mse, bce, ...)
  summary       ()         str    one line saying what was trained (the video's subtitle)
  x_names       (d,)       str    input column names
  y_names       (k,)       str    target column names
  config        ()         str    the resolved config as JSON (a record of how the run was made)
  diverged_at   ()         int    iteration of the first non-finite loss, or -1
  train_key     ()         str    hash of everything training depends on (reuse when it matches)
  grid_x        (G, d)     float  where predictions are drawn: a dense line (1-D input), a mesh (2-D),
                                  else the first samples; absent for image data
  grid_pred     (S, G, k)  float  predictions at grid_x
  x, y          (N, d), (N, k)    the training data; absent for image data when theta is not kept
  theta         (S, P)     float  all parameters at each snapshot (nets of <= 10,000 parameters)
  accuracy      (S,)       float  fraction classified right (bce and cross_entropy only)
  test_loss, test_mae, test_accuracy (S,)   with data.test_fraction > 0
  test_x (T, d), test_y (T, k)     the test set, when x and y are kept
  first_weights (S, u, d)  float  image data: the input weights of the first u <= 16 hidden units
  image_shape   (2,)       int    image data: (height, width) of an input
  recorded      ()         str    a recording (nnviz.Recorder): the framework it was trained in; absent for
                                  nnviz's own runs. Its `config` is {"title", "render"} as given to the
                                  Recorder, `train_key` is empty, and without recorded parameters `sizes`
                                  is (inputs, outputs) and there is no theta

A comparison's file holds `format`, `labels` (R,) and, for each run i, the arrays above under the
prefix `run{i}/` (e.g. `run0/loss`), plus `run{i}/final_theta` (P,), the run's last parameters.
"""
from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import limits
from .errors import unpickled
from .files import atomic_path, check_regular, npz_headers
from .model import Net

FORMAT = 2
KEEP_THETA_UP_TO = 10_000  # parameters stored at every snapshot only for nets this small
FIRST_WEIGHTS = 16  # image data: the input weights of this many hidden units are kept (the weights panel)


@dataclass(frozen=True)
class Keep:
    """What a run's snapshots store besides the loss and metrics: decided here, once, from the net and data.

    The trainer stores by it, and the check of a config's panels before training asks it too."""

    theta: bool  # every parameter at every snapshot: the network, neurons and landscape panels
    grid: bool  # the predictions on the picture's grid: the fit and boundary panels (not image data)
    samples: bool  # the training (and test) inputs and targets: fit, boundary, landscape
    first_weights: int  # image data: the input weights of this many hidden units: the weights panel


def keep_for(net: Net, image: bool) -> Keep:
    theta = net.n_params <= KEEP_THETA_UP_TO
    first = min(FIRST_WEIGHTS, net.sizes[1]) if image and net.n_layers > 1 else 0
    return Keep(theta=theta, grid=not image, samples=theta or not image, first_weights=first)


@dataclass(frozen=True)
class History:
    """A whole training run as the renderer sees it."""

    iteration: np.ndarray  # (S,)
    loss: np.ndarray  # (S,)
    mae: np.ndarray  # (S,)
    net: Net  # the architecture that was trained
    loss_name: str
    summary: str  # '1-10-10-1 tanh net · adam lr 0.01 · full batch · sine'
    x_names: tuple[str, ...]
    y_names: tuple[str, ...]
    config: str  # the resolved config as JSON: a record, never read to draw
    diverged_at: int
    train_key: str
    grid_x: np.ndarray | None = None  # (G, d)
    grid_pred: np.ndarray | None = None  # (S, G, k)
    x: np.ndarray | None = None  # (N, d)
    y: np.ndarray | None = None  # (N, k)
    theta: np.ndarray | None = None  # (S, P)
    accuracy: np.ndarray | None = None  # (S,) classification only
    test: dict | None = None  # {"loss", "mae", "accuracy": (S,), and "x": (T, d), "y": (T, k) when kept}
    first_weights: np.ndarray | None = None  # (S, u, d) image data: the first u hidden units' input weights
    image_shape: tuple[int, int] | None = None  # (height, width) of an input image
    recorded: str = ""  # a recording (nnviz.Recorder): the framework it was trained in; "" for nnviz's own runs

    @property
    def n(self) -> int:
        return len(self.iteration)

    @property
    def inputs(self) -> int:
        return self.net.sizes[0]

    @property
    def outputs(self) -> int:
        return self.net.sizes[-1]


def keep_of(history: History) -> Keep:
    """What a History holds (as keep_for says for nnviz's own runs; a recording may hold less)."""
    first = history.first_weights
    return Keep(theta=history.theta is not None, grid=history.grid_x is not None, samples=history.x is not None,
                first_weights=0 if first is None else first.shape[1])


def fingerprint(history: History) -> str:
    """A hash of everything a History holds (names, types, shapes and values of its arrays)."""
    h = hashlib.sha256()
    for name, value in sorted(_arrays(history).items()):
        a = np.ascontiguousarray(value)
        h.update(f"{name}\0{a.dtype.str}\0{a.shape}\0".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def from_snapshots(snaps, dataset, grid, net: Net, loss_name: str, summary: str, config_json: str,
                   train_key: str, keep: Keep, test=None) -> History:
    """Collect the trainer's Snapshots into a History, keeping what `keep` says."""
    acc = np.array([s.accuracy for s in snaps], dtype=float)
    held = None
    if test is not None and len(test[0]):
        t = np.array([s.test for s in snaps], dtype=float)
        held = {"loss": t[:, 0], "mae": t[:, 1], "accuracy": t[:, 2]}
        if keep.samples:
            held.update(x=test[0], y=test[1])
    last = snaps[-1]
    return History(
        iteration=np.array([s.iteration for s in snaps], dtype=np.int64),
        loss=np.array([s.loss for s in snaps], dtype=float),
        mae=np.array([s.mae for s in snaps], dtype=float),
        net=net, loss_name=loss_name, summary=summary,
        x_names=tuple(dataset.x_names), y_names=tuple(dataset.y_names),
        config=config_json,
        diverged_at=last.iteration if last.diverged else -1,
        train_key=train_key,
        grid_x=np.asarray(grid, dtype=float) if keep.grid else None,
        grid_pred=np.stack([s.pred for s in snaps]).astype(float) if keep.grid else None,
        x=dataset.x if keep.samples else None, y=dataset.y if keep.samples else None,
        theta=np.stack([s.theta for s in snaps]) if keep.theta else None,
        accuracy=acc if np.isfinite(acc).any() else None,
        test=held,
        first_weights=np.stack([s.first_weights for s in snaps]) if keep.first_weights else None,
        image_shape=tuple(dataset.image) if dataset.image else None,
    )


def _arrays(history: History, prefix: str = "") -> dict:
    h = history
    arrays = dict(
        iteration=h.iteration, loss=h.loss, mae=h.mae,
        sizes=np.array(h.net.sizes, dtype=np.int64), activations=np.array(h.net.activations, dtype=str),
        bias=np.bool_(h.net.bias), loss_name=np.array(h.loss_name), summary=np.array(h.summary),
        x_names=np.array(h.x_names, dtype=str), y_names=np.array(h.y_names, dtype=str),
        config=np.array(h.config), diverged_at=np.int64(h.diverged_at), train_key=np.array(h.train_key),
    )
    optional = dict(grid_x=h.grid_x, grid_pred=h.grid_pred, x=h.x, y=h.y, theta=h.theta, accuracy=h.accuracy,
                    first_weights=h.first_weights,
                    image_shape=np.array(h.image_shape) if h.image_shape is not None else None,
                    recorded=np.array(h.recorded) if h.recorded else None)
    optional.update({f"test_{k}": v for k, v in (h.test or {}).items()})
    arrays.update({k: v for k, v in optional.items() if v is not None})
    return {prefix + k: v for k, v in arrays.items()}


def _history(d, prefix: str = "") -> History:
    def get(k, default=None):
        return d[prefix + k] if prefix + k in d.files else default

    bias = get("bias")
    if bias is None or bias.dtype != bool or bias.shape:
        raise ValueError("bias must be true or false")
    net = Net(tuple(int(v) for v in get("sizes")), tuple(str(a) for a in get("activations")), bool(bias))
    test = None
    if get("test_loss") is not None:
        test = {k: get(f"test_{k}") for k in ("loss", "mae", "accuracy", "x", "y") if get(f"test_{k}") is not None}
    shape = get("image_shape")
    return History(
        iteration=get("iteration"), loss=get("loss"), mae=get("mae"), net=net, loss_name=str(get("loss_name")),
        summary=str(get("summary")), x_names=tuple(str(s) for s in get("x_names")),
        y_names=tuple(str(s) for s in get("y_names")), config=str(get("config")),
        diverged_at=int(get("diverged_at")), train_key=str(get("train_key")),
        grid_x=get("grid_x"), grid_pred=get("grid_pred"), x=get("x"), y=get("y"), theta=get("theta"),
        accuracy=get("accuracy"), test=test, first_weights=get("first_weights"),
        image_shape=tuple(int(v) for v in shape) if shape is not None else None,
        recorded=str(get("recorded", "")),
    )


def check(h: History) -> None:
    """ValueError naming the first array of `h` (read from a file: untrusted) whose type or shape does not
    fit the others, so that drawing never meets them."""
    from .activations import ACTIVATIONS
    from .losses import LOSSES

    def numbers(name, a, shape, finite=False):
        if not isinstance(a, np.ndarray) or a.dtype.kind not in "fiub" or a.shape != shape:
            got = f"{a.dtype} {a.shape}" if isinstance(a, np.ndarray) else type(a).__name__
            raise ValueError(f"{name} must be numbers of shape {shape}, got {got}")
        if finite and not np.isfinite(a).all():
            raise ValueError(f"{name} has values that are not finite")

    it = h.iteration
    if not isinstance(it, np.ndarray) or it.ndim != 1 or it.dtype.kind not in "iu" or not len(it):
        raise ValueError("iteration must be whole numbers, one a snapshot")
    if it[0] < 0 or np.any(np.diff(it) < 0):  # (a run that diverges may end on its last snapshot's iteration)
        raise ValueError("iteration must start at 0 or more and never decrease")
    n = len(it)
    too_many = limits.current().check("frames", n, "the number of snapshots")
    if too_many:
        raise ValueError(too_many)
    sizes, d, k = h.net.sizes, h.inputs, h.outputs
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes must be two or more layer sizes, got {list(sizes)}")
    unknown = [a for a in h.net.activations if a not in ACTIVATIONS] + [h.loss_name] * (h.loss_name not in LOSSES)
    if unknown:
        raise ValueError(f"unknown activation or loss {unknown[0]!r}")
    if len(h.x_names) != d or len(h.y_names) != k:
        raise ValueError(f"x_names and y_names must name {d} inputs and {k} outputs")
    if not -1 <= h.diverged_at <= it[-1]:
        raise ValueError("diverged_at must be -1 or an iteration of the run")
    for name, text in (("summary", h.summary), *((f"{k}_names", n) for k in "xy" for n in getattr(h, f"{k}_names"))):
        if len(text) > 300 or not text.isprintable():
            raise ValueError(f"{name} must be one printable line of at most 300 characters")
    lim = limits.current()
    for name, a in (("x", h.x), ("grid_x", h.grid_x), ("test_x", (h.test or {}).get("x"))):
        too_many = lim.check("samples", len(a), f"the rows of {name}") if a is not None else None
        if too_many:
            raise ValueError(too_many)
    for name in ("loss", "mae", "accuracy"):
        if name != "accuracy" or h.accuracy is not None:
            numbers(name, getattr(h, name), (n,))
    for name, a in (h.test or {}).items():
        numbers(f"test_{name}", a, (n,) if name in ("loss", "mae", "accuracy") else (len(a), d if name == "x" else k),
                finite=name in ("x", "y"))
    if (h.grid_x is None) != (h.grid_pred is None):
        raise ValueError("grid_x and grid_pred come together")
    if h.grid_x is not None:
        numbers("grid_x", h.grid_x, (len(h.grid_x), d), finite=True)
        numbers("grid_pred", h.grid_pred, (n, len(h.grid_x), k))
    if (h.x is None) != (h.y is None):
        raise ValueError("x and y come together")
    if h.x is not None:
        numbers("x", h.x, (len(h.x), d), finite=True)
        numbers("y", h.y, (len(h.x), k), finite=True)
    if h.theta is not None:
        numbers("theta", h.theta, (n, h.net.n_params))
    if h.image_shape is not None and (len(h.image_shape) != 2 or h.image_shape[0] * h.image_shape[1] != d
                                      or min(h.image_shape) < 1):
        raise ValueError(f"image_shape {h.image_shape} does not fit {d} inputs")
    if h.first_weights is not None:
        numbers("first_weights", h.first_weights, (n, h.first_weights.shape[1] if h.first_weights.ndim == 3 else -1, d))
        if h.image_shape is None:
            raise ValueError("first_weights need image_shape")


def _write(file, arrays: dict) -> None:
    with atomic_path(file) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)


def save(history: History, file: str | Path) -> None:
    """Write `history` to `file` atomically."""
    _write(file, {"format": np.int64(FORMAT), **_arrays(history)})


def _open(file):
    if not zipfile.is_zipfile(file):
        raise ValueError("not an .npz file")
    try:
        return np.load(file, allow_pickle=False)
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise ValueError(f"not a readable .npz file ({unpickled(exc)})") from None


def check_file(file: str | Path) -> None:
    """ValueError unless `file` is a regular .npz file whose arrays, unpacked, stay within the file_bytes
    limit (checked from their headers, before anything is read)."""
    if Path(file).is_dir():
        raise ValueError("is a folder, not a file")
    check_regular(file)
    unpacked = sum(int(np.prod(shape)) * dtype.itemsize for shape, dtype in npz_headers(file).values())
    too_big = limits.current().check("file_bytes", unpacked, "the bytes of the snapshot file's arrays")
    if too_big:
        raise ValueError(too_big)


def load(file: str | Path) -> History:
    """Read a snapshot file written by `save`; ValueError when it is not one (or another format)."""
    with _open(file) as d:
        if "format" not in d.files or int(d["format"]) != FORMAT or "labels" in d.files:
            raise ValueError(f"not an nnviz snapshot file of format {FORMAT}")
        return _read(d, "")


def save_runs(labels, histories: list[History], finals: list[np.ndarray], file: str | Path) -> None:
    """A comparison's snapshot file: `labels` (R,), and run i's arrays (as in a single run's file,
    plus `final_theta`, its last parameters) under the prefix `run{i}/`."""
    arrays = {"format": np.int64(FORMAT), "labels": np.array(labels, dtype=str)}
    for i, (h, theta) in enumerate(zip(histories, finals)):
        arrays.update(_arrays(h, f"run{i}/"))
        arrays[f"run{i}/final_theta"] = theta
    _write(file, arrays)


def load_runs(file: str | Path) -> tuple[list[str], list[History]]:
    """(labels, histories) from a comparison's snapshot file."""
    with _open(file) as d:
        if "format" not in d.files or int(d["format"]) != FORMAT or "labels" not in d.files:
            raise ValueError(f"not an nnviz comparison snapshot file of format {FORMAT}")
        labels = [str(s) for s in d["labels"]]
        return labels, [_read(d, f"run{i}/") for i in range(len(labels))]


def _read(d, prefix: str) -> History:
    """_history, with a damaged member (a file cut short) or arrays that do not fit together (check)
    reported as ValueError."""
    try:
        history = _history(d, prefix)
    except (KeyError, zipfile.BadZipFile, EOFError, OSError, TypeError, ValueError) as exc:
        raise ValueError(f"the snapshot file is damaged ({type(exc).__name__}: {exc})") from None
    check(history)
    return history


def read_key(file: str | Path) -> str | None:
    """The train_key of an existing snapshot file (all runs' keys joined for a comparison), or None."""
    try:
        with np.load(file, allow_pickle=False) as d:
            if "format" not in d.files or int(d["format"]) != FORMAT:
                return None
            if "labels" in d.files:
                return "+".join(str(d[f"run{i}/train_key"]) for i in range(len(d["labels"])))
            return str(d["train_key"])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None

