"""Shared helpers: write small configs into a temporary folder."""
from __future__ import annotations

import textwrap
from pathlib import Path

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
