"""Peak memory of `nnviz render` on MNIST-size data: 60,000 images of 28x28, 200 snapshots.

    python benchmarks/bench_memory.py [--samples 60000] [--snapshots 200]

Writes synthetic IDX files (MNIST's format and size; random strokes, not digits) to a temporary folder,
renders a 784-100-10 net on them in a fresh process, and prints that process's peak resident memory
and the size of the snapshot file. Run it with PYTHONPATH pointing at another checkout to compare.
"""
from __future__ import annotations

import argparse
import gzip
import resource
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CONFIG = """\
title: MNIST-size memory
data: {{name: mnist, path: mnist, test_fraction: 0.1}}
model: {{hidden: [100], activation: relu, output: softmax, init: he_normal}}
train: {{loss: cross_entropy, optimizer: {{name: adam, lr: 0.001}}, batch_size: 128, iterations: {iterations},
        snapshot_every: 10, dtype: float32}}
render: {{size: [640, 360], fps: 30, hold: 0, preset: ultrafast}}
"""


def write_idx(path: Path, array: np.ndarray) -> None:
    head = bytes([0, 0, 8, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb", compresslevel=1) as fh:
        fh.write(head + array.astype(np.uint8).tobytes())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=60_000)
    ap.add_argument("--snapshots", type=int, default=200)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "mnist").mkdir()
        labels = rng.integers(0, 10, args.samples)
        images = np.zeros((args.samples, 28, 28), np.uint8)
        for d in range(10):  # a bar whose place says the label, plus noise
            images[labels == d, 2 + 2 * d : 4 + 2 * d, 4:24] = 200
        images += rng.integers(0, 50, images.shape, dtype=np.uint8)
        write_idx(tmp / "mnist" / "train-images-idx3-ubyte.gz", images)
        write_idx(tmp / "mnist" / "train-labels-idx1-ubyte.gz", labels)
        (tmp / "m.yaml").write_text(CONFIG.format(iterations=10 * args.snapshots))
        start = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "nnviz", "-q", "render", str(tmp / "m.yaml"),
                               "--out", str(tmp / "out")], capture_output=True, text=True)
        seconds = time.monotonic() - start
        if done.returncode:
            sys.exit(done.stderr)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
        snaps = (tmp / "out" / "m" / "m.npz").stat().st_size / 2**20
    print(f"{args.samples:,} samples x 784, {args.snapshots + 1} snapshots: peak RSS {peak:,.0f} MB, "
          f"snapshot file {snaps:,.1f} MB, {seconds:.1f} s")


if __name__ == "__main__":
    main()
