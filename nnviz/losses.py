"""Losses: name -> Loss(value, grad) over predictions and targets of shape (N, k), or (K, N, k) for K runs
at once (values then (K,), each run's mean over its own samples).

A loss with `logits` set (bce, cross_entropy) takes the output layer's pre-activation z instead of its
prediction, and its grad is dL/dz: computed from logits, it never takes the log of 0.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .registry import Registry


@dataclass(frozen=True)
class Loss:
    value: Callable[[np.ndarray, np.ndarray], float]  # (pred (N, k), y (N, k)) -> scalar; (K, N, k) -> (K,)
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (pred, y) -> dvalue/dpred (N, k)
    doc: str
    logits: str | None = None  # the output activation it belongs with; then value and grad take z
    accuracy: Callable[[np.ndarray, np.ndarray], float] | None = None  # (z (N, k), y) -> fraction right


LOSSES: Registry[Loss] = Registry("loss")


SAMPLES = (-2, -1)  # the axes of one run's samples and outputs


def _size(p) -> int:
    """N k: one run's predictions."""
    return p.shape[-1] * p.shape[-2]


def _mse(p, y):
    d = p - y
    return np.mean(d * d, axis=SAMPLES)


def _sse(p, y):
    d = p - y
    return 0.5 * np.sum(d * d, axis=SAMPLES)


LOSSES.register("mse")(
    Loss(_mse, lambda p, y: (p - y) * (2.0 / _size(p)), "mean squared error, mean over samples and outputs")
)  # d/dp mean((p-y)^2) = 2 (p-y) / (N k)
LOSSES.register("sse")(
    Loss(_sse, lambda p, y: p - y, "half the sum of squared errors, 1/2 sum (y - p)^2 (the from-scratch tutorials')")
)  # d/dp 1/2 (p-y)^2 = p - y, exactly the tutorials' `layer_2 - y`
LOSSES.register("mae")(
    Loss(lambda p, y: np.mean(np.abs(p - y), axis=SAMPLES), lambda p, y: np.sign(p - y) / _size(p),
         "mean absolute error")
)  # d/dp |p-y| = sign(p-y)


def _bce(z, y):
    # mean of -y log s(z) - (1 - y) log(1 - s(z)) = log(1 + e^z) - y z, without overflow
    return np.mean(np.logaddexp(0, z) - y * z, axis=SAMPLES)


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))  # = 1 / (1 + e^-z), without overflow


def _log_softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


LOSSES.register("bce")(Loss(
    _bce, lambda z, y: (_sigmoid(z) - y) / _size(z),  # d/dz [log(1 + e^z) - y z] = s(z) - y
    "binary cross-entropy of a sigmoid output (targets 0 or 1), from logits", logits="sigmoid",
    accuracy=lambda z, y: np.mean((z > 0) == (y > 0.5), axis=SAMPLES),
))
LOSSES.register("cross_entropy")(Loss(
    lambda z, y: -np.mean(np.sum(y * _log_softmax(z), axis=-1), axis=-1),
    lambda z, y: (np.exp(_log_softmax(z)) - y) / z.shape[-2],  # d/dz -sum y log softmax(z) = softmax(z) - y
    "cross-entropy of a softmax output (one-hot targets; integer labels are made one-hot), from logits",
    logits="softmax", accuracy=lambda z, y: np.mean(np.argmax(z, axis=-1) == np.argmax(y, axis=-1), axis=-1),
))


def as_taken(loss: Loss, pred: np.ndarray) -> np.ndarray:
    """A net's output (N, k) as `loss.value` and `loss.accuracy` take it: the output itself, or, for a loss
    computed from logits, logits whose sigmoid (softmax) gives back these probabilities, which are kept a
    hair away from 0 and 1 so the loss stays finite."""
    if loss.logits is None:
        return pred
    p = np.clip(pred, 1e-15, 1 - 1e-15)
    if loss.logits == "sigmoid":
        return np.log(p) - np.log1p(-p)  # logit(p): sigmoid(logit(p)) = p
    return np.log(p)  # softmax(log p) = p for rows of p that sum to 1
