"""The training loop: yields Snapshots of the model over the whole training set. No file I/O, no printing."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from .config import TrainConfig
from .losses import LOSSES
from .model import Net, backward, forward, layer_views, predict, with_bias_column
from .optim import OPTIMIZERS

AUTO_SNAPSHOTS = 200  # snapshot_every: auto gives about this many
KEEP_THETA_UP_TO = 10_000  # parameters stored at every snapshot only for nets this small
PREPARE_UP_TO = 64  # inputs up to this wide get their column of ones once, wider ones add the bias per step


@dataclass(frozen=True)
class Snapshot:
    """The model after `iteration` updates, evaluated on the whole training set and on the picture's grid."""

    iteration: int
    loss: float  # the config's loss over the whole training set
    mae: float  # mean |y - y_hat| over the training set
    pred: np.ndarray  # (G, k) predictions at the grid points
    theta: np.ndarray | None  # (P,) parameters: for small nets, and always in the last snapshot
    last: bool  # the final snapshot (end of training or divergence)
    diverged: bool  # training stopped at a non-finite loss


def schedule(tc: TrainConfig, n_samples: int) -> tuple[int, int, int]:
    """(total updates, batch size, snapshot interval) for a training set of n_samples."""
    batch = min(tc.batch_size or n_samples, n_samples)
    total = tc.iterations if tc.iterations is not None else tc.epochs * math.ceil(n_samples / batch)
    every = tc.snapshot_every or max(1, total // AUTO_SNAPSHOTS)
    return total, batch, every


def _batches(n: int, batch: int, shuffle: bool, rng: np.random.Generator) -> Iterator[np.ndarray | None]:
    """Index arrays of successive mini-batches, epoch after epoch; None means the whole set (full batch)."""
    if batch >= n:
        while True:
            yield None
    while True:
        order = rng.permutation(n) if shuffle else np.arange(n)
        for start in range(0, n, batch):
            yield order[start : start + batch]


def train(
    net: Net, theta: np.ndarray, x: np.ndarray, y: np.ndarray, grid: np.ndarray, tc: TrainConfig,
    rng: np.random.Generator,
) -> Iterator[Snapshot]:
    """Train `net` from theta (P,) (updated in place) on x (N, d), y (N, k); yield Snapshots.

    Snapshots come at update 0, every `snapshot_every` updates and at the end. A non-finite batch
    loss stops training: the last snapshot is then marked `diverged` at that iteration.
    """
    dtype = theta.dtype
    grid_is_x = grid is x  # multi-input data: the picture's predictions are those at x
    x, y, grid = (a.astype(dtype, copy=False) for a in (x, y, grid))
    loss = LOSSES[tc.loss]
    opt = OPTIMIZERS[tc.optimizer.name]
    hp = tc.optimizer.params
    p = layer_views(net, theta)
    g_theta = np.zeros_like(theta)
    g = layer_views(net, g_theta)
    state = opt.init(theta, hp)
    total, batch, every = schedule(tc, len(x))
    keep_theta = net.n_params <= KEEP_THETA_UP_TO

    def snapshot(it: int, last: bool = False, diverged: bool = False) -> Snapshot:
        pred_x = predict(net, p, x)
        pred_grid = pred_x if grid_is_x else predict(net, p, grid)
        with np.errstate(over="ignore", invalid="ignore"):
            value, mae = loss.value(pred_x, y), float(np.mean(np.abs(y - pred_x)))
        return Snapshot(it, value, mae, pred_grid, theta.copy() if keep_theta or last else None,
                        last, diverged)

    prepared = x.shape[1] <= PREPARE_UP_TO
    xin = with_bias_column(net, x, dtype) if prepared else x  # [x, 1] once, not every step
    batches = _batches(len(x), batch, tc.shuffle, rng)
    xbuf, ybuf = np.empty((batch, xin.shape[1]), dtype), np.empty((batch, y.shape[1]), dtype)

    @np.errstate(over="ignore", invalid="ignore", divide="ignore")  # divergence is a result, not a warning
    def update(t: int) -> bool:
        """One parameter update (t counts from 1); False when the batch loss is not finite."""
        idx = next(batches)
        if idx is None:
            xb, yb = xin, y
        else:  # gather into reused buffers: a fresh large array each step costs page faults
            xb, yb = np.take(xin, idx, axis=0, out=xbuf[: len(idx)]), np.take(y, idx, axis=0, out=ybuf[: len(idx)])
        pred, cache = forward(net, p, xb, prepared=prepared)
        if not math.isfinite(loss.value(pred, yb)):
            return False
        backward(net, p, cache, loss.grad(pred, yb), g)
        opt.step(theta, g_theta, state, hp, t)
        return True

    for it in range(total):
        if it % every == 0:
            yield snapshot(it)
        if not update(it + 1):
            yield snapshot(it, last=True, diverged=True)
            return
    yield snapshot(total, last=True)
