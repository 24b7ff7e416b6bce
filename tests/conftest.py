"""Shared helpers: write small configs into a temporary folder."""
from __future__ import annotations

import gzip
import struct
import textwrap
from pathlib import Path

import numpy as np
import pytest

SMALL = """\
title: Test run
seed: 1
data: {name: sine, samples: 40, noise: 0.1}
model: {hidden: [8], activation: tanh}
train:
  optimizer: {name: adam, lr: 0.02}
  iterations: 200
  snapshot_every: 20
render: {fps: 10, size: [320, 240], hold: 0.5, preset: ultrafast}
"""


@pytest.fixture
def write(tmp_path: Path):
    """write(name, text) -> path of a config file in tmp_path (text is dedented)."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text))
        return path

    return _write


def write_idx(path, array, magic_dims, gz=False, cut=0):
    head = bytes([0, 0, 8, magic_dims]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = head + array.astype(np.uint8).tobytes()
    data = data[: len(data) - cut]
    (gzip.open if gz else open)(path, "wb").write(data)


@pytest.fixture
def mnist_folder(tmp_path):
    rng = np.random.default_rng(0)
    labels = np.arange(60) % 10
    images = np.zeros((60, 28, 28))
    for k, d in enumerate(labels):  # a digit's picture: a bar whose place says which digit it is
        images[k, 2 + 2 * d : 4 + 2 * d, 4:24] = 255
    images += rng.integers(0, 30, images.shape)
    folder = tmp_path / "mnist"
    folder.mkdir()
    write_idx(folder / "train-images-idx3-ubyte.gz", np.clip(images, 0, 255), 3, gz=True)
    write_idx(folder / "train-labels-idx1-ubyte", labels, 1)
    return folder
