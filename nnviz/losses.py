"""Losses: name -> Loss(value, grad) over predictions and targets of shape (N, k)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .registry import Registry


@dataclass(frozen=True)
class Loss:
    value: Callable[[np.ndarray, np.ndarray], float]  # (pred (N, k), y (N, k)) -> scalar
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (pred, y) -> dvalue/dpred (N, k)
    doc: str


LOSSES: Registry[Loss] = Registry("loss")


def _mse(p, y):
    d = p - y
    return float(np.mean(d * d))


def _sse(p, y):
    d = p - y
    return float(0.5 * np.sum(d * d))


LOSSES.register("mse")(
    Loss(_mse, lambda p, y: (p - y) * (2.0 / p.size), "mean squared error, mean over samples and outputs")
)  # d/dp mean((p-y)^2) = 2 (p-y) / (N k)
LOSSES.register("sse")(
    Loss(_sse, lambda p, y: p - y, "half the sum of squared errors, 1/2 sum (y - p)^2 (the from-scratch tutorials')")
)  # d/dp 1/2 (p-y)^2 = p - y, exactly the tutorials' `layer_2 - y`
LOSSES.register("mae")(
    Loss(lambda p, y: float(np.mean(np.abs(p - y))), lambda p, y: np.sign(p - y) / p.size, "mean absolute error")
)  # d/dp |p-y| = sign(p-y)
