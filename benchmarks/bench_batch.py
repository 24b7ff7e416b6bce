"""Batch rendering: `nnviz render FOLDER -j 2` against `-j 1`, side by side, as a user runs them.

    python benchmarks/bench_batch.py            # medians of 3 runs each
    python benchmarks/bench_batch.py --quick    # 1 run each

(1) four configs whose time goes mostly to training (1-50-50-1 tanh nets, 40,000 updates, 21 frames):
    target: -j 2 takes at most 0.6x the time of -j 1 on 2 cores.
(2) the shipped configs/ folder, where drawing and x264 already share the two cores.
(3) a second run with nothing changed (everything up to date): target under 2 s.
(4) configs/xor3-alpha-sweep.yaml (7 runs of 60,000 updates, one video) against its 7 runs rendered
    one by one as separate configs: target at most 0.6x.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TRAINING_BOUND = """\
title: Training-bound {i}
seed: {i}
data: {{name: sine, samples: 100, noise: 0.2}}
model: {{hidden: [50, 50], activation: tanh}}
train: {{optimizer: {{name: adam, lr: 0.003}}, iterations: 40000, snapshot_every: 2000}}
render: {{size: [640, 360], hold: 0.5}}
"""
SHIPPED = Path(__file__).resolve().parent.parent / "configs"


def nnviz(*args) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "nnviz", "-q", "render", *map(str, args)], check=True)
    return time.perf_counter() - t0


def compare(folder: Path, out: Path, repeats: int) -> tuple[float, float]:
    one, two = [], []
    for _ in range(repeats):  # in turn, so that machine noise hits both alike
        one.append(nnviz(folder, "--out", out, "--force", "-j", "1"))
        two.append(nnviz(folder, "--out", out, "--force", "-j", "2"))
    return statistics.median(one), statistics.median(two)


def compare_sweep(d: Path, repeats: int) -> tuple[float, float]:
    """(seconds for the sweep config, seconds for its runs as separate configs rendered one after another)."""
    import yaml

    raw = yaml.safe_load((SHIPPED / "xor3-alpha-sweep.yaml").read_text())
    lrs = raw.pop("sweep")["train.optimizer.lr"]
    runs = []
    for lr in lrs:
        one = yaml.safe_load(yaml.safe_dump(raw))
        one["train"]["optimizer"]["lr"] = lr
        one["title"] = f"alpha {lr}"
        path = d / f"alpha-{lr}.yaml"
        path.write_text(yaml.safe_dump(one))
        runs.append(path)
    a, b = [], []
    for _ in range(repeats):
        a.append(nnviz(SHIPPED / "xor3-alpha-sweep.yaml", "--out", d / "out3", "--force"))
        t0 = time.perf_counter()
        for path in runs:  # one by one, as separate configs
            nnviz(path, "--out", d / "out4", "--force")
        b.append(time.perf_counter() - t0)
    return statistics.median(a), statistics.median(b)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    repeats = 1 if ap.parse_args().quick else 3
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        folder = d / "training-bound"
        folder.mkdir()
        for i in range(4):
            (folder / f"t{i}.yaml").write_text(TRAINING_BOUND.format(i=i + 1))
        a1, a2 = compare(folder, d / "out1", repeats)
        b1, b2 = compare(SHIPPED, d / "out2", repeats)
        up = statistics.median(nnviz(SHIPPED, "--out", d / "out2") for _ in range(max(repeats, 3)))
        sweep, separate = compare_sweep(d, repeats)
    print(f"medians of {repeats} runs each, 2 cores")
    print(f"{'folder':<34}{'-j 1':>9}{'-j 2':>9}{'ratio':>8}")
    print(f"{'4 training-bound configs':<34}{a1:>8.1f}s{a2:>8.1f}s{a2 / a1:>8.2f}")
    shipped = f"configs/ ({len(list(SHIPPED.glob('*.yaml')))} shipped)"
    print(f"{shipped:<34}{b1:>8.1f}s{b2:>8.1f}s{b2 / b1:>8.2f}")
    print(f"second run of configs/, all up to date: {up:.2f} s")
    print(f"7-run sweep as one config {sweep:.1f} s, its 7 runs one by one {separate:.1f} s: "
          f"ratio {sweep / separate:.2f}")


if __name__ == "__main__":
    main()
