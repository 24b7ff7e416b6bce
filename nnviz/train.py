"""The training loop: yields Snapshots of the model over the whole training set. No file I/O, no printing."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from .config import TrainConfig
from .losses import LOSSES
from .model import Net, backward, forward, layer_views, predict, with_bias_column
from .optim import OPTIMIZERS, batched, branches, typed
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


def evaluate(net: Net, p, x: np.ndarray, y: np.ndarray, loss) -> tuple[tuple, np.ndarray]:
    """((loss, mae, accuracy), prediction (N, k)) of the net on x (N, d), y (N, k); accuracy NaN if none.
    For K runs' layers p: each of the three (K,), the predictions (K, N, k)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        pred, cache = forward(net, p, x, keep=loss.logits is not None)
        out = cache[-1][1] if loss.logits else pred  # the logits, for losses computed from them
        return _metrics(loss, y, pred, out, loss.value(out, y)), pred


def _metrics(loss, y: np.ndarray, pred: np.ndarray, out: np.ndarray, value) -> tuple:
    """(loss, mean absolute error, accuracy or NaN) from predictions (N, k) or (K, N, k), the loss's input
    `out` and its values: each a number, or (K,)."""
    with np.errstate(over="ignore", invalid="ignore"):
        acc = loss.accuracy(out, y) if loss.accuracy else np.full(np.shape(value), math.nan)
        return value, np.mean(np.abs(y - pred), axis=(-2, -1)), acc


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
    for _, snap in train_together(net, theta[None], x, y, grid, [tc], [rng], test, keep):
        yield snap


def together_key(tc: TrainConfig, n_samples: int) -> tuple:
    """What runs of one net on the same data must share to train together (`train_together`): the loss,
    dtype, batches and updates, snapshots, the optimizer and its branches, whether there are penalties."""
    opt = tc.optimizer
    return (tc.loss, tc.dtype, schedule(tc, n_samples), tc.shuffle, tc.snapshot_every,
            branches(opt.name, opt.params), tc.l1 > 0, tc.l2 > 0)


def train_together(
    net: Net, thetas: np.ndarray, x: np.ndarray, y: np.ndarray, grid: np.ndarray | None, tcs: list[TrainConfig],
    rngs: list[np.random.Generator], test: tuple[np.ndarray, np.ndarray] | None = None,
    keep: Keep = Keep(True, True, True, 0),
) -> Iterator[tuple[int, Snapshot]]:
    """Train K runs of `net` at once, from thetas (K, P) (updated in place while no run has diverged), on
    the same x (N, d), y (N, k): one computation with a leading run axis, so that K tiny nets cost little
    more than one. Each run keeps its own hyperparameters (tcs[k], which must share `together_key`) and
    batch order (rngs[k]); yields (k, Snapshot) for each run at each snapshot, in run order, and each run's
    numbers are exactly those it gets training alone. A run whose batch loss is not finite stops alone
    (its last snapshot marked `diverged`); the others go on.
    """
    tc = tcs[0]
    if any(together_key(t, len(x)) != together_key(tc, len(x)) for t in tcs):
        raise ValueError("these runs differ in more than their hyperparameters: they cannot train together")
    dtype = thetas.dtype
    grid_in_x = grid is not None and _leading_rows(grid, x)  # the picture's predictions are the first at x
    x, y = (a.astype(dtype, copy=False) for a in (x, y))
    grid = grid.astype(dtype, copy=False) if grid is not None else None
    loss = LOSSES[tc.loss]
    opt = OPTIMIZERS[tc.optimizer.name]
    runs = list(range(len(tcs)))  # the original index of each run still training
    hp = batched([t.optimizer.params for t in tcs])
    l1, l2 = (batched([{"v": getattr(t, k)} for t in tcs])["v"] for k in ("l1", "l2"))
    theta = thetas
    g_theta = np.zeros_like(theta)
    p, g = layer_views(net, theta), layer_views(net, g_theta)
    state = opt.init(theta, hp)
    total, batch = schedule(tc, len(x))
    at = snapshots_at(tc.snapshot_every, total)

    if test is not None and len(test[0]):
        test = tuple(a.astype(dtype, copy=False) for a in test)
    else:
        test = None

    def snapshots(it: int, last: bool = False, diverged=None, seen=None) -> Iterator[tuple[int, Snapshot]]:
        """The snapshot of every run still training (of those `diverged` marks, a (K,) bool mask, when given).
        seen: (predictions, output, loss values) of a forward pass over the whole training set at this very
        state (a full-batch update's), which the snapshot then takes instead of computing them again."""
        if seen is None:
            (value, mae, acc), pred_x = evaluate(net, p, x, y, loss)
        else:
            pred_x, out, value = seen
            value, mae, acc = _metrics(loss, y, pred_x, out, value)
        # (the first rows of the training set's predictions copied, so a snapshot holds no more than its own)
        pred_grid = None if grid is None else pred_x[:, : len(grid)].copy() if grid_in_x else predict(net, p, grid)
        held_out = evaluate(net, p, *test, loss)[0] if test is not None else None
        for j, k in enumerate(runs):
            if diverged is not None and not diverged[j]:
                continue
            first = p[0][j, : net.sizes[0], : keep.first_weights].T.copy() if keep.first_weights else None
            v = float(value[j])
            yield k, Snapshot(it, v, float(mae[j]), float(acc[j]),
                              tuple(float(h[j]) for h in held_out) if held_out else NAN3,
                              None if pred_grid is None else pred_grid[j], theta[j].copy() if keep.theta or last
                              or diverged is not None else None, last or diverged is not None,
                              diverged is not None or (last and not math.isfinite(v)), first)

    wmask = weight_mask(net, dtype) if tc.l1 or tc.l2 else None

    prepared = x.shape[1] <= PREPARE_UP_TO
    xin = with_bias_column(net, x, dtype) if prepared else x  # [x, 1] once, not every step
    batches = [_batches(len(x), batch, t.shuffle, r) for t, r in zip(tcs, rngs)]
    xbuf, ybuf = np.empty((len(runs), batch, xin.shape[1]), dtype), np.empty((len(runs), batch, y.shape[1]), dtype)

    def gather(order: list) -> tuple[np.ndarray, np.ndarray]:
        """The batch of every run: shared (B, d) when all runs take the same samples, else (K, B, d)."""
        if order[0] is None:
            return xin, y
        if all(len(i) == len(order[0]) and np.array_equal(i, order[0]) for i in order[1:]):
            i = order[0]  # (the same seed: one batch order) gathered into reused buffers
            return np.take(xin, i, axis=0, out=xbuf[0, : len(i)]), np.take(y, i, axis=0, out=ybuf[0, : len(i)])
        n = len(order[0])
        for j, i in enumerate(order):
            np.take(xin, i, axis=0, out=xbuf[j, :n])
            np.take(y, i, axis=0, out=ybuf[j, :n])
        return xbuf[: len(order), :n], ybuf[: len(order), :n]

    @np.errstate(over="ignore", invalid="ignore", divide="ignore")  # divergence is a result, not a warning
    def step(it: int, order: list, due: bool) -> tuple[list, np.ndarray | None]:
        """Update every run once (the (it + 1)-th update) on the batches `order` picks: (the snapshots taken
        before it, at `it`, when `due`, None), or, when some runs' batch loss is not finite, (those and the
        last snapshots of those runs, their (K,) mask) and nothing is updated."""
        xb, yb = gather(order)
        pred, cache = forward(net, p, xb, prepared=prepared)
        out = cache[-1][1] if loss.logits else pred  # losses computed from logits take z
        values = loss.value(out, yb)
        seen = (pred, out, values) if order[0] is None else None  # the whole training set: the snapshot's too
        shots = list(snapshots(it, seen=seen)) if due else []
        bad = ~np.isfinite(values)
        if bad.any():
            return shots + list(snapshots(it, last=True, diverged=bad, seen=seen)), bad
        backward(net, p, cache, loss.grad(out, yb), g, logits=loss.logits is not None)
        if wmask is not None:  # the penalties' gradients, on weights only
            if tc.l2:
                np.add(g_theta, typed(l2, wmask) * wmask * theta, out=g_theta)  # d/dw l2/2 w^2 = l2 w
            if tc.l1:
                np.add(g_theta, typed(l1, wmask) * wmask * np.sign(theta), out=g_theta)  # d/dw l1 |w| = l1 sign(w)
        opt.step(theta, g_theta, state, hp, it + 1)
        return shots, None

    next_at = 0  # the index in `at` of the next snapshot
    for it in range(total):
        order = [next(b) for b in batches]
        due = it == at[next_at]
        next_at += due
        shots, bad = step(it, order, due)
        yield from shots
        while bad is not None:  # the runs that diverged stopped here, alone
            if bad.all():
                return
            kept = ~bad  # the others take this same update again, on the same batches
            runs = [k for k, b in zip(runs, kept) if b]
            order = [o for o, b in zip(order, kept) if b]
            batches = [o for o, b in zip(batches, kept) if b]
            theta, g_theta = theta[kept], g_theta[kept]
            p, g = layer_views(net, theta), layer_views(net, g_theta)
            state = {k: v[kept] if isinstance(v, np.ndarray) else v for k, v in state.items()}  # all (K, P)
            hp = {k: _kept(v, kept) for k, v in hp.items()}
            l1, l2 = _kept(l1, kept), _kept(l2, kept)
            shots, bad = step(it, order, False)
            yield from shots
    yield from snapshots(total, last=True)


def _kept(v, keep_runs: np.ndarray):
    """A batched hyperparameter (a number, a column (K, 1), or a pair of columns) for the runs kept."""
    if isinstance(v, tuple):
        return tuple(_kept(u, keep_runs) for u in v)
    return v[keep_runs] if isinstance(v, np.ndarray) else v
