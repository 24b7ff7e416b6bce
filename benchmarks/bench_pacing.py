"""How evenly each shipped config's video spreads the learning over its frames, at default render settings.

    python benchmarks/bench_pacing.py [CONFIG ...]      (default: every configs/*.yaml)

For each config: train it, take the frames the video would show (the same choice `nnviz render` makes),
and sum from frame to frame the mean absolute change of the predictions on the plot grid (image data:
of the hidden units' input-weight pictures the weights panel shows; a comparison: each run's change as
a fraction of its own total, averaged over the runs). Prints at which fraction of the animated frames
half and 90 % of that total change is reached; a video that teaches reaches half no earlier than 20 %
of its frames and 90 % no earlier than 50 %. tests/test_pacing.py holds every shipped config to that.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nnviz.draw.scene import timeline  # noqa: E402
from nnviz.experiment import Comparison, load_config  # noqa: E402
from nnviz.pipeline import prepare, run_training, train_runs  # noqa: E402


def histories_of(path: Path, overrides=()) -> tuple:
    """(config, histories) of a shipped config, trained as `nnviz render` trains it."""
    cfg = load_config(path, list(overrides))
    if isinstance(cfg, Comparison):
        return cfg, [h for h, _ in train_runs(cfg.runs)]
    return cfg, [run_training(prepare(cfg), "pacing")[0]]


def shown(h) -> np.ndarray:
    """(S, M) what the main picture shows: the predictions on the plot grid, or the weight pictures."""
    values = h.grid_pred if h.grid_pred is not None else h.first_weights
    return values.reshape(h.n, -1)


def spread(histories, frames: np.ndarray) -> tuple[float, float]:
    """(fraction of frames at which half of the change is reached, the same for 90 %) along `frames`, the
    iteration each animated frame shows."""
    moved = np.zeros(len(frames))
    for h in histories:
        at = np.maximum(np.searchsorted(h.iteration, frames, side="right") - 1, 0)
        values = shown(h)[at]
        with np.errstate(invalid="ignore"):
            step = np.abs(np.diff(values, axis=0)).mean(axis=1)
        step = np.where(np.isfinite(step), step, 0.0)
        if step.sum() > 0:
            moved[1:] += np.cumsum(step) / step.sum()
    moved /= len(histories)
    n = len(frames)
    return (float(np.argmax(moved >= 0.5 * moved[-1]) / n), float(np.argmax(moved >= 0.9 * moved[-1]) / n))


def measure(path: Path) -> dict:
    start = time.perf_counter()
    cfg, histories = histories_of(path)
    frames = timeline(histories, cfg.render)
    half, ninety = spread(histories, frames)
    return dict(config=path.name, frames=len(frames), snapshots=sum(h.n for h in histories), half=half,
                ninety=ninety, seconds=time.perf_counter() - start)


def main(paths) -> None:
    print(f"{'config':36} {'frames':>6} {'half at':>8} {'90% at':>8}")
    for path in paths:
        try:
            r = measure(path)
        except Exception as exc:  # e.g. the digits extra not installed
            print(f"{path.name:36} skipped: {exc}")
            continue
        print(f"{r['config']:36} {r['frames']:6d} {r['half']:8.0%} {r['ninety']:8.0%}", flush=True)


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]] or sorted((ROOT / "configs").glob("*.yaml")))
