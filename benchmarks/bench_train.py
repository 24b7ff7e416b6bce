"""Training speed: nnviz's NumPy trainer against the same nets in PyTorch on the CPU, side by side.

    python benchmarks/bench_train.py            # medians of 5 runs each
    python benchmarks/bench_train.py --quick    # 3 runs, fewer iterations

Tiny nets: iterations per second of 1-60-1 tanh and 1-10-10-1 tanh nets on 100 points, full batch,
SGD and Adam (target: at least 2x PyTorch). MNIST-shaped: one epoch of a 784-100-10 net on 60,000
random samples in batches of 128, float32 (target: no slower than PyTorch).
PyTorch columns are skipped when torch is not installed (`pip install torch==2.13.0`).
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from nnviz.config import Named, TrainConfig
from nnviz.init import initialise
from nnviz.model import Net
from nnviz.train import train

try:
    import torch
except ImportError:  # the PyTorch column is optional
    torch = None


def median_times(fns, repeats: int) -> list[float]:
    """Median seconds of each function, run in turn (a, b, a, b, ...) so that machine noise hits both alike."""
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, ts in zip(fns, times):
            if fn is None:
                continue
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
    return [statistics.median(ts) if ts else None for ts in times]


def nnviz_run(sizes, act, opt, lr, x, y, iterations, batch=None, dtype="float64", out_act="linear"):
    net = Net(sizes, (*(act,) * (len(sizes) - 2), out_act), True)
    tc = TrainConfig(loss="mse", optimizer=Named(opt, _hp(opt, lr)), batch_size=batch, iterations=iterations,
                     snapshot_every=iterations, dtype=dtype)
    grid = x if x.shape[1] > 1 else x[:2]  # as nnviz does: multi-input data is evaluated at x only

    def run():
        theta = initialise(net, "glorot_uniform", {"biases": "zeros", "rng": "default", "seed": None},
                           np.random.default_rng(0), 0, dtype)
        for _ in train(net, theta, x, y, grid, tc, np.random.default_rng(1)):
            pass

    return run


def _hp(opt, lr):
    from nnviz.optim import OPTIMIZERS

    hp = {k: p.default for k, p in OPTIMIZERS[opt].params.items()}
    hp["lr"] = lr
    return hp


def torch_run(sizes, act, opt, lr, x, y, iterations, batch=None, dtype="float32"):
    """The same training in PyTorch, with the full training-set loss at the start and the end,
    as nnviz's first and last snapshots compute it."""
    tdtype = getattr(torch, dtype)
    X, Y = torch.tensor(x, dtype=tdtype), torch.tensor(y, dtype=tdtype)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b, dtype=tdtype))
        if i < len(sizes) - 2:
            layers.append(torch.nn.Tanh() if act == "tanh" else torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    n = len(X)

    def run():
        o = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[opt](model.parameters(), lr=lr)
        loss_fn = torch.nn.MSELoss()
        gen = torch.Generator().manual_seed(1)
        perm = None
        with torch.no_grad():
            loss_fn(model(X), Y).item()
        for it in range(iterations):
            if batch is None:
                xb, yb = X, Y
            else:
                k = it % -(-n // batch)
                if k == 0:
                    perm = torch.randperm(n, generator=gen)
                idx = perm[k * batch : (k + 1) * batch]
                xb, yb = X[idx], Y[idx]
            o.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            o.step()
        with torch.no_grad():
            loss_fn(model(X), Y).item()

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    repeats = 3 if args.quick else 7
    iters = 1000 if args.quick else 3000
    rng = np.random.default_rng(0)
    x = np.linspace(0, 2 * np.pi, 100)[:, None]
    y = np.sin(x) + 0.2 * rng.standard_normal(x.shape)
    print(f"torch {torch.__version__ if torch else 'not installed'}, numpy {np.__version__}; "
          f"medians of {repeats} runs, {iters} iterations each")
    threads = torch.get_num_threads() if torch else 0
    if torch:  # one thread is PyTorch's fastest setting for nets this small: give it its best
        torch.set_num_threads(1)
    print(f"{'net':<16}{'opt':<6}{'nnviz it/s':>12}{'torch it/s':>12}{'ratio':>8}   (torch on 1 thread)")
    for sizes in ((1, 60, 1), (1, 10, 10, 1)):
        for opt, lr in (("sgd", 0.01), ("adam", 0.01)):
            ours, theirs = median_times([nnviz_run(sizes, "tanh", opt, lr, x, y, iters),
                                         torch_run(sizes, "tanh", opt, lr, x, y, iters) if torch else None], repeats)
            ours, theirs = iters / ours, (iters / theirs if theirs else None)
            name = "-".join(map(str, sizes)) + " tanh"
            print(f"{name:<16}{opt:<6}{ours:>12,.0f}" + (f"{theirs:>12,.0f}{ours / theirs:>7.1f}x" if theirs else ""))

    if torch:
        torch.set_num_threads(threads)
        print(f"(torch on {threads} threads, nnviz's BLAS on its default threads)")
    xm = rng.random((60000, 784), dtype=np.float32)
    ym = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 60000)]
    steps = -(-60000 // 128)
    for opt in ("sgd", "adam"):
        ours, theirs = median_times([nnviz_run((784, 100, 10), "relu", opt, 0.01, xm, ym, steps, 128, "float32"),
                                     torch_run((784, 100, 10), "relu", opt, 0.01, xm, ym, steps, 128) if torch else None],
                                    repeats)
        line = f"{'784-100-10 relu':<16}{opt:<6}{'epoch':>6}{ours:>7.2f} s"
        print(line + (f"{theirs:>9.2f} s  torch/nnviz {theirs / ours:.2f}x" if theirs else ""))


if __name__ == "__main__":
    main()
