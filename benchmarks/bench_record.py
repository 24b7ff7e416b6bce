"""What recording costs: a PyTorch training loop with and without nnviz's Recorder, side by side.

    python benchmarks/bench_record.py            # medians of 9 runs each
    python benchmarks/bench_record.py --quick    # 3 runs, fewer steps

A 1-32-32-1 tanh MLP learns a noisy sine (1,000 points, mini-batches of 100, Adam) for 3,000 steps.
Recorded: once every 20 steps with nnviz.torch.Recorder (predictions and parameters), with
nnviz.Recorder and predict= only, and on nnviz's automatic schedule (`due()`: every step at first,
~400 records in all). Target: under 5 % of the training time at one record per 20 steps.
Needs PyTorch (`pip install torch==2.13.0`).
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

import nnviz
import nnviz.torch


def make(seed: int = 0):
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 2 * np.pi, 1000)
    y = np.sin(x) + 0.1 * rng.standard_normal(1000)
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(1, 32), torch.nn.Tanh(), torch.nn.Linear(32, 32), torch.nn.Tanh(),
                                torch.nn.Linear(32, 1))
    return x, y, model


def loop(steps: int, how: str) -> tuple[float, float]:
    """(seconds of `steps` training steps, seconds of it spent in record()), recording as `how` says:
    none, torch20, predict20, auto."""
    x, y, model = make()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    X, Y = torch.tensor(x, dtype=torch.float32)[:, None], torch.tensor(y, dtype=torch.float32)[:, None]
    gen = torch.Generator().manual_seed(0)
    rec = None
    if how in ("torch20", "auto"):
        rec = nnviz.torch.Recorder(model, x, y)
    elif how == "predict20":
        rec = nnviz.Recorder(x, y)

    def predict(g):
        with torch.no_grad():
            return model(torch.as_tensor(g, dtype=torch.float32)).numpy()

    recording = 0.0
    t0 = time.perf_counter()
    for step in range(steps):
        idx = torch.randint(0, len(x), (100,), generator=gen)
        loss = torch.nn.functional.mse_loss(model(X[idx]), Y[idx])
        t1 = time.perf_counter()
        if how == "torch20" and step % 20 == 0 or how == "auto" and rec.due(step, steps):
            rec.record(step, loss.item())
        elif how == "predict20" and step % 20 == 0:
            rec.record(step, predict=predict, loss=loss.item())
        recording += time.perf_counter() - t1
        opt.zero_grad()
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - t0
    if rec is not None:
        assert len(rec.records) >= 2
    return seconds, recording


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    steps, repeats = (1000, 3) if a.quick else (3000, 9)
    hows = ("none", "torch20", "predict20", "auto")
    times = {h: [] for h in hows}
    loop(200, "torch20")  # warm up (imports, first calls)
    for _ in range(repeats):
        for h in hows:  # interleaved, so machine noise hits all alike
            times[h].append(loop(steps, h))
    med = {h: statistics.median(t for t, _ in ts) for h, ts in times.items()}
    share = {h: statistics.median(r / (t - r) for t, r in ts) for h, ts in times.items()}
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread(s); 1-32-32-1 tanh MLP, {steps:,} steps "
          f"of 100 samples, medians of {repeats}")
    base = med["none"]
    print(f"  {'':<44} {'loop':>9}  {'in record()':>11}  {'vs alone':>8}")
    print(f"  {'training alone':<44} {base:7.3f} s  {'':>11}  ({1e6 * base / steps:.0f} us a step)")
    names = {"torch20": "nnviz.torch.Recorder, every 20 steps", "predict20": "nnviz.Recorder(predict=), every 20 steps",
             "auto": "nnviz.torch.Recorder, due() (~400 records)"}
    for h in hows[1:]:
        print(f"  {names[h]:<44} {med[h]:7.3f} s  {100 * share[h]:9.1f} %  {100 * (med[h] - base) / base:+7.1f} %")
    print("  (in record(): the time spent recording over the rest of the loop, measured inside the loop; "
          "vs alone: the loop against training alone, noisier on a shared machine)")


if __name__ == "__main__":
    main()
