"""What dense early snapshots cost training: each shipped config trained with its automatic snapshot
schedule against one snapshot every 100 updates, side by side.

    python benchmarks/bench_snapshots.py            # medians of 5, in turn
    python benchmarks/bench_snapshots.py --quick    # medians of 3
    python benchmarks/bench_snapshots.py CONFIG ... # only these

The automatic schedule (`snapshot_every: auto`) records every update at first, then evenly in
log(iteration); each snapshot evaluates the net on the training set, the test set and the plot grid.
Target: training with it takes at most 1.2x the time with `snapshot_every: 100` (the same training,
fewer records). Training only: no drawing, no files.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nnviz.experiment import Comparison, load_config  # noqa: E402
from nnviz.pipeline import prepare, run_training, train_runs  # noqa: E402


def train_seconds(path: Path, overrides: list[str]) -> tuple[float, int]:
    """(seconds, snapshots) of training `path` as `nnviz render` trains it, with these --set overrides."""
    cfg = load_config(path, overrides)
    t0 = time.perf_counter()
    if isinstance(cfg, Comparison):
        histories = [h for h, _ in train_runs(cfg.runs)]
    else:
        histories = [run_training(prepare(cfg), "bench")[0]]
    return time.perf_counter() - t0, max(h.n for h in histories)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("configs", nargs="*", type=Path)
    a = ap.parse_args()
    repeats = 3 if a.quick else 5
    paths = a.configs or sorted((ROOT / "configs").glob("*.yaml"))
    print(f"training only, medians of {repeats} in turn; 'auto' = the default schedule")
    print(f"{'config':36} {'auto':>8} {'snaps':>6} {'every 100':>10} {'snaps':>6} {'ratio':>6}")
    ratios = []
    for path in paths:
        auto, every = [], []
        try:
            for _ in range(repeats):
                t, n_auto = train_seconds(path, ["train.snapshot_every=auto"])
                auto.append(t)
                t, n_every = train_seconds(path, ["train.snapshot_every=100"])
                every.append(t)
        except Exception as exc:  # e.g. the digits extra not installed
            print(f"{path.stem:36} skipped: {exc}")
            continue
        ta, te = statistics.median(auto), statistics.median(every)
        ratios.append(ta / te)
        print(f"{path.stem:36} {ta:7.2f}s {n_auto:6d} {te:9.2f}s {n_every:6d} {ta / te:5.2f}x", flush=True)
    if ratios:
        print(f"largest ratio {max(ratios):.2f}x (target: at most 1.2x)")


if __name__ == "__main__":
    main()
