"""Activation functions: name -> Activation(fn, grad); grad gives da/dz from z and a = fn(z)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .registry import Registry


@dataclass(frozen=True)
class Activation:
    fn: Callable[..., np.ndarray]  # (z (N, k), out=None) -> a (N, k), written into `out` when given
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray] | None  # (z, a) -> da/dz (N, k); None = identity
    doc: str


ACTIVATIONS: Registry[Activation] = Registry("activation")


def _add(name: str, fn, grad, doc: str, writes_out: bool = False) -> None:
    """Register fn(z) -> a; unless it takes `out` itself, its result is copied into `out` when one is given."""

    def into(z, out=None):
        a = fn(z)
        if out is None:
            return a
        out[...] = a
        return out

    ACTIVATIONS.register(name)(Activation(fn if writes_out else into, grad, doc))


def _sigmoid(z, out=None):
    # 1 / (1 + e^-z), computed in the from-scratch tutorials' order so their numbers reproduce;
    # e^-z overflows to inf for z < -709 and the result is then exactly 0, which is right.
    with np.errstate(over="ignore"):
        out = np.negative(z, out=out)
        np.exp(out, out=out)
        out += 1
        return np.divide(1, out, out=out)


def _softplus(z):
    return np.logaddexp(0, z)  # log(1 + e^z) without overflow


_add("linear", lambda z: z, None, "identity: a = z")
_add("sigmoid", _sigmoid, lambda z, a: a * (1 - a), "logistic 1/(1+e^-z), range (0, 1)",  # da/dz = a(1-a)
     writes_out=True)
_add("tanh", lambda z, out=None: np.tanh(z, out=out), lambda z, a: 1 - a * a,  # da/dz = 1 - a^2
     "hyperbolic tangent, range (-1, 1)", writes_out=True)
_add("relu", lambda z, out=None: np.maximum(z, 0, out=out), lambda z, a: (z > 0).astype(z.dtype),  # 1 where z > 0
     "max(0, z)", writes_out=True)
_add(
    "leaky_relu",
    lambda z: np.where(z > 0, z, 0.01 * z),
    lambda z, a: np.where(z > 0, 1, 0.01).astype(z.dtype),  # 1 or the slope 0.01
    "z for z > 0, 0.01 z below (PyTorch's default slope)",
)
_add(
    "elu",
    lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
    lambda z, a: np.where(z > 0, 1, a + 1).astype(z.dtype),  # d(e^z - 1)/dz = e^z = a + 1
    "z for z > 0, e^z - 1 below",
)
_add("softplus", _softplus, lambda z, a: _sigmoid(z), "log(1 + e^z), a smooth relu")  # d/dz = sigmoid(z)
_add(
    "silu",
    lambda z: z * _sigmoid(z),
    lambda z, a: (s := _sigmoid(z)) * (1 + z * (1 - s)),  # d(z s)/dz = s + z s (1 - s)
    "z * sigmoid(z) (swish)",
)
_add("sin", np.sin, lambda z, a: np.cos(z), "sin(z)")  # d sin = cos
_add("gaussian", lambda z: np.exp(-z * z), lambda z, a: -2 * z * a, "e^(-z^2)")  # d/dz = -2z e^(-z^2)


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# softmax's derivative is not elementwise: it is only an output, with the cross_entropy loss, which
# takes the gradient with respect to the logits itself (so grad is never called)
_add("softmax", _softmax, None, "e^z / sum e^z over the outputs: class probabilities (with cross_entropy)")
