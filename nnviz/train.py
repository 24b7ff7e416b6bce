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
from .snapshots import Keep

AUTO_EVEN, AUTO_EARLY = 100, 300  # snapshot_every: auto: this many evenly spaced, and this many geometrically
PREPARE_UP_TO = 64  # inputs up to this wide get their column of ones once, wider ones add the bias per step


@dataclass(frozen=True)
class Snapshot:
    """The model after `iteration` updates, evaluated on the whole training set and on the picture's grid."""

    iteration: int
    loss: float  # the config's loss over the whole training set
    mae: float  # mean |y - y_hat| over the training set
    accuracy: float  # fraction classified right (bce, cross_entropy), else NaN
    test: tuple[float, float, float]  # (loss, mae, accuracy) on the held-out test set; NaN without one
    pred: np.ndarray | None  # (G, k) predictions at the grid points (None without a grid)
    theta: np.ndarray | None  # (P,) parameters: when Keep.theta, and always in the last snapshot
    last: bool  # the final snapshot (end of training or divergence)
    diverged: bool  # training stopped at a non-finite loss
    first_weights: np.ndarray | None = None  # (u, d) the first hidden units' input weights (image data)


def schedule(tc: TrainConfig, n_samples: int) -> tuple[int, int]:
    """(total updates, batch size) for a training set of n_samples."""
    batch = min(tc.batch_size or n_samples, n_samples)
    total = tc.iterations if tc.iterations is not None else tc.epochs * math.ceil(n_samples / batch)
    return total, batch


def snapshot_count(every: int | None, total: int) -> int:
    """How many snapshots `snapshots_at(every, total)` gives, without making them (total may be huge)."""
    if every is None:
        return len(snapshots_at(None, min(total, 10**15)))  # (past that, the limits refuse the run anyway)
    return total // every + 1 + (total % every != 0)


def snapshots_at(every: int | None, total: int) -> np.ndarray:
    """The iterations (updates done) snapshots are taken at, 0 and `total` among them: every `every`
    updates, or (every None: `snapshot_every: auto`) densely early and sparsely later, where learning
    is fast and slow: AUTO_EARLY points evenly in log(iteration) and AUTO_EVEN evenly in iterations."""
    if every is not None:
        return np.unique(np.append(np.arange(0, total, every), total))
    early = np.rint(np.geomspace(1, max(total, 1), AUTO_EARLY)).astype(np.int64)
    even = np.rint(np.linspace(0, total, AUTO_EVEN + 1)).astype(np.int64)
    return np.unique(np.concatenate([[0], early, even, [total]]))


def _batches(n: int, batch: int, shuffle: bool, rng: np.random.Generator) -> Iterator[np.ndarray | None]:
    """Index arrays of successive mini-batches, epoch after epoch; None means the whole set (full batch)."""
    if batch >= n:
        while True:
            yield None
    while True:
        order = rng.permutation(n) if shuffle else np.arange(n)
        for start in range(0, n, batch):
            yield order[start : start + batch]


NAN3 = (math.nan, math.nan, math.nan)


def evaluate(net: Net, p, x: np.ndarray, y: np.ndarray, loss) -> tuple[tuple[float, float, float], np.ndarray]:
    """((loss, mae, accuracy), prediction (N, k)) of the net on x (N, d), y (N, k); accuracy NaN if none."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        pred, cache = forward(net, p, x, keep=loss.logits is not None)
        out = cache[-1][1] if loss.logits else pred  # the logits, for losses computed from them
        acc = loss.accuracy(out, y) if loss.accuracy else math.nan
        return (loss.value(out, y), float(np.mean(np.abs(y - pred))), acc), pred


def weight_mask(net: Net, dtype) -> np.ndarray:
    """(P,) 1 for weights, 0 for biases: L1/L2 penalties apply to weights only (as in Playground)."""
    mask = np.zeros(net.n_params, dtype=dtype)
    start = 0
    for name, shape in net.shapes():
        size = int(np.prod(shape))
        mask[start : start + size] = name[0] == "w"
        start += size
    return mask


def _leading_rows(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether `a` is b[:len(a)] (the same memory): then predictions at a are the first of those at b."""
    ai, bi = a.__array_interface__, b.__array_interface__
    return ai["data"][0] == bi["data"][0] and a.strides == b.strides and a.shape[1:] == b.shape[1:]


def train(
    net: Net, theta: np.ndarray, x: np.ndarray, y: np.ndarray, grid: np.ndarray | None, tc: TrainConfig,
    rng: np.random.Generator, test: tuple[np.ndarray, np.ndarray] | None = None,
    keep: Keep = Keep(True, True, True, 0),
) -> Iterator[Snapshot]:
    """Train `net` from theta (P,) (updated in place) on x (N, d), y (N, k); yield Snapshots.

    Snapshots come at the iterations `snapshots_at` gives (update 0 and the end among them), each holding the
    predictions at grid (G, d) (none when grid is None) and what `keep` asks for. A non-finite batch
    loss stops training: the last snapshot is then marked `diverged` at that iteration; so is a last
    snapshot whose loss over the training set is not finite.
    """
    dtype = theta.dtype
    grid_in_x = grid is not None and _leading_rows(grid, x)  # the picture's predictions are the first at x
    x, y = (a.astype(dtype, copy=False) for a in (x, y))
    grid = grid.astype(dtype, copy=False) if grid is not None else None
    loss = LOSSES[tc.loss]
    opt = OPTIMIZERS[tc.optimizer.name]
    hp = tc.optimizer.params
    p = layer_views(net, theta)
    g_theta = np.zeros_like(theta)
    g = layer_views(net, g_theta)
    state = opt.init(theta, hp)
    total, batch = schedule(tc, len(x))
    at = snapshots_at(tc.snapshot_every, total)

    if test is not None and len(test[0]):
        test = tuple(a.astype(dtype, copy=False) for a in test)
    else:
        test = None

    def snapshot(it: int, last: bool = False, diverged: bool = False) -> Snapshot:
        (value, mae, acc), pred_x = evaluate(net, p, x, y, loss)
        pred_grid = None if grid is None else pred_x[: len(grid)] if grid_in_x else predict(net, p, grid)
        held_out = evaluate(net, p, *test, loss)[0] if test is not None else NAN3
        first = p[0][: net.sizes[0], : keep.first_weights].T.copy() if keep.first_weights else None  # w0's columns
        diverged = diverged or (last and not math.isfinite(value))  # the last update can be the one that explodes
        return Snapshot(it, value, mae, acc, held_out, pred_grid, theta.copy() if keep.theta or last else None,
                        last, diverged, first)

    wmask = weight_mask(net, dtype) if tc.l1 or tc.l2 else None

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
        out = cache[-1][1] if loss.logits else pred  # losses computed from logits take z
        if not math.isfinite(loss.value(out, yb)):
            return False
        backward(net, p, cache, loss.grad(out, yb), g, logits=loss.logits is not None)
        if wmask is not None:  # the penalties' gradients, on weights only
            if tc.l2:
                np.add(g_theta, tc.l2 * wmask * theta, out=g_theta)  # d/dw l2/2 w^2 = l2 w
            if tc.l1:
                np.add(g_theta, tc.l1 * wmask * np.sign(theta), out=g_theta)  # d/dw l1 |w| = l1 sign(w)
        opt.step(theta, g_theta, state, hp, t)
        return True

    next_at = 0  # the index in `at` of the next snapshot
    for it in range(total):
        if it == at[next_at]:
            yield snapshot(it)
            next_at += 1
        if not update(it + 1):
            yield snapshot(it, last=True, diverged=True)
            return
    yield snapshot(total, last=True)
