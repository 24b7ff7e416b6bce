"""Which snapshots become frames: pacing that follows the learning. Pure NumPy, no drawing.

`auto` spacing places frames so that the picture changes at an even pace: most frames (CHANGE_SHARE)
go where the main picture moves, the rest evenly over the iterations, so a long plateau still shows
as a stretch of video, only a short one. `linear` and `log` place frames evenly in iterations or in
log(1 + iteration). Every spacing gives exactly `frames` distinct snapshots, the first and last among
them, whenever there are that many.
"""
from __future__ import annotations

import numpy as np

from ..snapshots import History

CHANGE_SHARE = 0.75  # auto: the share of frames placed by the picture's change; the rest evenly in iterations


def picture(h: History) -> np.ndarray:
    """(S, M) what a run's main picture shows at each snapshot: the predictions on the plot grid, else the
    hidden units' input weights (image data), else log10 of the loss."""
    if h.grid_pred is not None:
        return h.grid_pred.reshape(h.n, -1)
    if h.first_weights is not None:
        return h.first_weights.reshape(h.n, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log10(h.loss).reshape(h.n, 1)


def change(values: np.ndarray) -> np.ndarray:
    """(S,) the mean absolute change of values (S, M) from the row before (0 for the first row and for
    a step into or out of non-finite values)."""
    with np.errstate(invalid="ignore"):
        step = np.abs(np.diff(values, axis=0))
    step = np.where(np.isfinite(step), step, np.nan)
    mean = np.zeros(len(values))
    if len(values) > 1:
        rows = np.isfinite(step).any(axis=1)
        mean[1:][rows] = np.nanmean(step[rows], axis=1)
    return mean


def progress(histories: list[History], iterations: np.ndarray) -> np.ndarray:
    """(T,) how far the pictures have moved by each of `iterations` (T,): each run's summed change as a
    fraction of its total, averaged over the runs. A run that has ended holds its last picture; a run
    whose picture never changes counts as moving evenly in iterations."""
    done = np.zeros(len(iterations))
    last = max(float(iterations[-1]), 1.0)
    for h in histories:
        moved = np.cumsum(change(picture(h)))
        at = np.maximum(np.searchsorted(h.iteration, iterations, side="right") - 1, 0)
        done += moved[at] / moved[-1] if moved[-1] > 0 else np.minimum(iterations / last, 1.0)
    return done / len(histories)


def pick(iterations: np.ndarray, frames: int | None, spacing: str, moved: np.ndarray | None = None) -> np.ndarray:
    """The iteration each of `frames` animated frames shows, from the snapshot iterations (S,); all of
    them, once each, when frames is None or S <= frames. The first and the last always.

    `linear` and `log`: distinct snapshots evenly spaced in iterations or in log(1 + iteration). `auto`:
    frames evenly spaced in `moved` (S,) (from `progress`) blended with the iterations, each showing the
    snapshot nearest its place; where a single update moves the picture more than a frame's share, its
    snapshot is shown on several frames (slow motion) rather than spending frames on later, calmer ones."""
    n = len(iterations)
    if frames is None or frames >= n:
        return iterations
    it = iterations.astype(float)
    span = max(it[-1] - it[0], 1.0)
    linear = (it - it[0]) / span
    if spacing == "auto" and moved is not None and np.isfinite(moved).all() and moved[-1] > moved[0]:
        position = CHANGE_SHARE * (moved - moved[0]) / (moved[-1] - moved[0]) + (1 - CHANGE_SHARE) * linear
    else:
        position = linear if spacing == "linear" else np.log1p(it - it[0]) / np.log1p(span)
    position = position + 1e-9 * np.arange(n) / n  # strictly increasing, so that interpolation is defined
    index = np.rint(np.interp(np.linspace(position[0], position[-1], frames), position, np.arange(n))).astype(int)
    index[0], index[-1] = 0, n - 1
    if spacing != "auto":  # distinct: nudge forward where two frames fell on one snapshot, back at the end
        for k in range(1, frames - 1):
            index[k] = max(index[k], index[k - 1] + 1)
        for k in range(frames - 2, 0, -1):
            index[k] = min(index[k], index[k + 1] - 1)
    return iterations[index]
