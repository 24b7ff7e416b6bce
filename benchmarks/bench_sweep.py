"""Sweeps: a comparison's runs trained together (one batched computation) against one by one, side by side.

    python benchmarks/bench_sweep.py            # the whole set (a few minutes)
    python benchmarks/bench_sweep.py --quick    # 6,000 updates instead of 60,000

(1) Seed 002's 3-4-1 sigmoid net, 16 learning rates (0.001 ... 1000) x 60,000 updates: `nnviz render`
    end to end, and its training stage alone, with the runs trained together (today's nnviz) against one
    by one in the cores' worker processes (nnviz before; `train_runs(..., together=False)`). Targets:
    at least 5x.
(2) A 64-run grid (16 learning rates x 4 momentums, SGD): the same, target at least 10x; and the peak
    memory of its render (in a child process, so the figure is its own).
(3) What one update costs: a single run's, and a batched step of 16 and 64 runs (per step and per run).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

BASE = """\
title: "{title}"
seed: 1
data: {{name: xor3}}
model: {{hidden: [4], activation: sigmoid, output: sigmoid, bias: false,
        init: {{name: uniform, low: -1, high: 1, rng: legacy}}}}
train: {{loss: sse, optimizer: {{name: sgd, lr: 1}}, iterations: {iterations}}}
render: {{size: [1280, 720]}}
sweep:
  train.optimizer.lr: {lrs}
"""
LRS = [float(f"{v:.3g}") for v in np.geomspace(0.001, 1000, 16)]


def write(folder: Path, name: str, iterations: int, momentum: bool) -> Path:
    text = BASE.format(title=f"{name}, {16 * (4 if momentum else 1)} runs", iterations=iterations, lrs=LRS)
    if momentum:
        text += "  train.optimizer.momentum: [0.5, 0.7, 0.9, 0.95]\n"
    path = folder / f"{name}.yaml"
    path.write_text(text)
    return path


CHILD = """\
import json, resource, sys, time
from functools import partial
from nnviz import pipeline
from nnviz.experiment import load_config
cfg = load_config(sys.argv[1], max_runs=64)
if sys.argv[3] == "alone":
    pipeline.train_runs = partial(pipeline.train_runs, together=False)
t0 = time.perf_counter()
trained = pipeline.train_runs(cfg.runs)
train = time.perf_counter() - t0
t0 = time.perf_counter()
pipeline.render(cfg, sys.argv[2], force=True)
render = time.perf_counter() - t0
print(json.dumps({"train": train, "render": render,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(config: Path, out: Path, how: str) -> dict:
    """In a fresh process: the training stage alone, then `nnviz render` end to end (it trains again)."""
    done = subprocess.run([sys.executable, "-c", CHILD, str(config), str(out), how], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def per_update(k: int, updates: int) -> float:
    """Seconds one update of k runs together takes (seed 002's net, full batch)."""
    from nnviz.config import validate
    from nnviz.pipeline import prepare
    from nnviz.train import train_together

    raw = {"data": {"name": "xor3"}, "model": {"hidden": [4], "activation": "sigmoid", "output": "sigmoid",
                                                "bias": False},
           "train": {"loss": "sse", "optimizer": {"name": "sgd", "lr": 1}, "iterations": updates,
                     "snapshot_every": updates}}
    preps = [prepare(validate({**raw, "seed": s}, "b.yaml", {})) for s in range(k)]
    p = preps[0]
    t0 = time.perf_counter()
    for _ in train_together(p.net, np.stack([q.theta0 for q in preps]), p.data.x, p.data.y, None,
                            [q.config.train for q in preps], [q.batch_rng for q in preps]):
        pass
    return (time.perf_counter() - t0) / updates


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    iterations = 6000 if a.quick else 60000
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print(f"{iterations:,} updates a run; times in seconds; 'alone': each run on its own, in the cores' workers")
        print(f"  {'':<28} {'train alone':>11} {'together':>9} {'ratio':>6}   {'render alone':>12} {'together':>9} "
              f"{'ratio':>6}   {'peak MB':>7}")
        for name, momentum in (("16-learning-rates", False), ("64-run-grid", True)):
            cfg = write(tmp, name, iterations, momentum)
            alone = run(cfg, tmp / "out", "alone")
            together = run(cfg, tmp / "out", "together")
            print(f"  {name:<28} {alone['train']:11.2f} {together['train']:9.2f} "
                  f"{alone['train'] / together['train']:5.1f}x   {alone['render']:12.2f} {together['render']:9.2f} "
                  f"{alone['render'] / together['render']:5.1f}x   {together['rss_mb']:7.0f}")
    updates = 2000 if a.quick else 10000
    one, sixteen, sixty_four = per_update(1, updates), per_update(16, updates), per_update(64, updates)
    print("one update (seed 002's net, full batch):")
    print(f"  1 run    {1e6 * one:6.1f} us")
    print(f"  16 runs  {1e6 * sixteen:6.1f} us a step, {1e6 * sixteen / 16:5.2f} us a run ({16 * one / sixteen:.1f}x)")
    print(f"  64 runs  {1e6 * sixty_four:6.1f} us a step, {1e6 * sixty_four / 64:5.2f} us a run "
          f"({64 * one / sixty_four:.1f}x)")
    print(f"(peak MB: the whole process, Python and the video encoder included; {resource.getpagesize()}-byte pages)")


if __name__ == "__main__":
    main()
