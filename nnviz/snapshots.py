"""The wall between training and drawing: the snapshot file (<name>.npz), its schema in one place.

Format (version 1), arrays in an uncompressed .npz:
  format        ()         int    1
  iteration     (S,)       int64  updates done at each snapshot, 0 first
  loss          (S,)       float  the config's loss over the whole training set
  mae           (S,)       float  mean |y - y_hat| over the training set
  grid_x        (G, d)     float  where predictions are drawn: a dense grid for 1-D input, else x
  grid_pred     (S, G, k)  float  predictions at grid_x
  x             (N, d)     float  training inputs
  y             (N, k)     float  training targets
  x_names       (d,)       str    input column names
  y_names       (k,)       str    target column names
  theta         (S, P)     float  all parameters at each snapshot (only for nets of <= 10,000 parameters)
  config        ()         str    the resolved config as JSON
  diverged_at   ()         int    iteration of the first non-finite loss, or -1
  train_key     ()         str    hash of everything training depends on (reuse when it matches)
  accuracy      (S,)       float  fraction classified right (bce and cross_entropy only)
  test_loss, test_mae, test_accuracy (S,), test_x (T, d), test_y (T, k)   with data.test_fraction > 0
  first_weights (S, u, d)  float  image data: the input weights of the first u <= 16 hidden units
  image_shape   (2,)       int    image data: (height, width) of an input

A comparison's file holds `format`, `labels` (R,) and, for each run i, the arrays above under the
prefix `run{i}/` (e.g. `run0/loss`), plus `run{i}/final_theta` (P,), the run's last parameters.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .files import atomic_path

FORMAT = 1


@dataclass(frozen=True)
class History:
    """A whole training run as the renderer sees it."""

    iteration: np.ndarray
    loss: np.ndarray
    mae: np.ndarray
    grid_x: np.ndarray
    grid_pred: np.ndarray
    x: np.ndarray
    y: np.ndarray
    x_names: tuple[str, ...]
    y_names: tuple[str, ...]
    theta: np.ndarray | None
    config: dict
    diverged_at: int
    train_key: str
    accuracy: np.ndarray | None = None  # (S,) classification only
    test: dict | None = None  # {"loss", "mae", "accuracy": (S,), "x": (T, d), "y": (T, k)} with a test set
    first_weights: np.ndarray | None = None  # (S, u, d) image data: the first u hidden units' input weights
    image_shape: tuple[int, int] | None = None  # (height, width) of an input image

    @property
    def n(self) -> int:
        return len(self.iteration)


def from_snapshots(snaps, dataset, grid, config_json: str, train_key: str, test=None) -> History:
    """Collect the trainer's Snapshots into a History."""
    acc = np.array([s.accuracy for s in snaps], dtype=float)
    held = None
    if test is not None and len(test[0]):
        t = np.array([s.test for s in snaps], dtype=float)
        held = {"loss": t[:, 0], "mae": t[:, 1], "accuracy": t[:, 2], "x": test[0], "y": test[1]}
    thetas = [s.theta for s in snaps]
    keep = all(t is not None for t in thetas)
    last = snaps[-1]
    return History(
        iteration=np.array([s.iteration for s in snaps], dtype=np.int64),
        loss=np.array([s.loss for s in snaps], dtype=float),
        mae=np.array([s.mae for s in snaps], dtype=float),
        grid_x=np.asarray(grid, dtype=float),
        grid_pred=np.stack([s.pred for s in snaps]).astype(float),
        x=dataset.x, y=dataset.y, x_names=tuple(dataset.x_names), y_names=tuple(dataset.y_names),
        theta=np.stack(thetas) if keep else None,
        config=json.loads(config_json),
        diverged_at=last.iteration if last.diverged else -1,
        train_key=train_key,
        accuracy=acc if np.isfinite(acc).any() else None,
        test=held,
        first_weights=np.stack([s.first_weights for s in snaps]) if last.first_weights is not None else None,
        image_shape=tuple(dataset.image) if dataset.image else None,
    )


def _arrays(history: History, prefix: str = "") -> dict:
    arrays = dict(
        iteration=history.iteration, loss=history.loss, mae=history.mae,
        grid_x=history.grid_x, grid_pred=history.grid_pred, x=history.x, y=history.y,
        x_names=np.array(history.x_names, dtype=str), y_names=np.array(history.y_names, dtype=str),
        config=np.array(json.dumps(history.config, sort_keys=True)), diverged_at=np.int64(history.diverged_at),
        train_key=np.array(history.train_key),
    )
    if history.theta is not None:
        arrays["theta"] = history.theta
    if history.accuracy is not None:
        arrays["accuracy"] = history.accuracy
    for k, v in (history.test or {}).items():
        arrays[f"test_{k}"] = v
    if history.first_weights is not None:
        arrays["first_weights"] = history.first_weights
    if history.image_shape is not None:
        arrays["image_shape"] = np.array(history.image_shape)
    return {prefix + k: v for k, v in arrays.items()}


def _history(d, prefix: str = "") -> History:
    def get(k):
        return d[prefix + k]

    return History(
        iteration=get("iteration"), loss=get("loss"), mae=get("mae"), grid_x=get("grid_x"),
        grid_pred=get("grid_pred"), x=get("x"), y=get("y"), x_names=tuple(str(s) for s in get("x_names")),
        y_names=tuple(str(s) for s in get("y_names")),
        theta=get("theta") if prefix + "theta" in d.files else None, config=json.loads(str(get("config"))),
        diverged_at=int(get("diverged_at")), train_key=str(get("train_key")),
        accuracy=get("accuracy") if prefix + "accuracy" in d.files else None,
        test={k: get(f"test_{k}") for k in ("loss", "mae", "accuracy", "x", "y")}
        if prefix + "test_loss" in d.files else None,
        first_weights=get("first_weights") if prefix + "first_weights" in d.files else None,
        image_shape=tuple(int(v) for v in get("image_shape")) if prefix + "image_shape" in d.files else None,
    )


def _write(file, arrays: dict) -> None:
    with atomic_path(file) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)


def save(history: History, file: str | Path) -> None:
    """Write `history` to `file` atomically."""
    _write(file, {"format": np.int64(FORMAT), **_arrays(history)})


def load(file: str | Path) -> History:
    """Read a snapshot file written by `save`; ValueError when it is not one (or another format)."""
    with np.load(file, allow_pickle=False) as d:
        if "format" not in d.files or int(d["format"]) != FORMAT or "labels" in d.files:
            raise ValueError(f"{file} is not an nnviz snapshot file of format {FORMAT}")
        return _history(d)


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
    with np.load(file, allow_pickle=False) as d:
        if "format" not in d.files or int(d["format"]) != FORMAT or "labels" not in d.files:
            raise ValueError(f"{file} is not an nnviz comparison snapshot file of format {FORMAT}")
        labels = [str(s) for s in d["labels"]]
        return labels, [_history(d, f"run{i}/") for i in range(len(labels))]


def read_key(file: str | Path) -> str | None:
    """The train_key of an existing snapshot file (all runs' keys joined for a comparison), or None."""
    try:
        with np.load(file, allow_pickle=False) as d:
            if "format" not in d.files or int(d["format"]) != FORMAT:
                return None
            if "labels" in d.files:
                return "+".join(str(d[f"run{i}/train_key"]) for i in range(len(d["labels"])))
            return str(d["train_key"])
    except (OSError, ValueError, KeyError):
        return None
