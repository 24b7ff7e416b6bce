"""A fully connected net as pure functions over a flat parameter vector.

Parameters live in one flat float vector `theta` (P,); `unflatten` gives named views into it,
in the order w0, b0, w1, b1, ... (no b_i when the net has no bias). w_i has shape (fan_in, fan_out),
b_i (fan_out,). Optimizers update `theta` in place with one vectorised step, and a snapshot of the
net is `theta.copy()`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS


@dataclass(frozen=True)
class Net:
    """The architecture: layer sizes (d_in, h_1, ..., d_out), one activation per layer, bias or not."""

    sizes: tuple[int, ...]
    activations: tuple[str, ...]  # len(sizes) - 1 names: the hidden ones, then the output's
    bias: bool = True

    def __post_init__(self):
        if len(self.activations) != len(self.sizes) - 1:
            raise ValueError("need one activation per layer")

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    def shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        """[(name, shape)] in storage order: w0 (fan_in, fan_out), b0 (fan_out,), w1, ..."""
        out = []
        for i, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            out.append((f"w{i}", (fan_in, fan_out)))
            if self.bias:
                out.append((f"b{i}", (fan_out,)))
        return out

    @property
    def n_params(self) -> int:
        return sum(int(np.prod(s)) for _, s in self.shapes())


def unflatten(net: Net, theta: np.ndarray) -> dict[str, np.ndarray]:
    """Named views into theta (P,): {'w0': (fan_in, fan_out), 'b0': (fan_out,), ...}."""
    views, start = {}, 0
    for name, shape in net.shapes():
        size = int(np.prod(shape))
        views[name] = theta[start : start + size].reshape(shape)
        start += size
    return views


def _affine(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    """x (N, fan_in) @ w (fan_in, fan_out) + b -> (N, fan_out)."""
    # An inner dimension of 1 is a broadcast multiply: same numbers, a fraction of matmul's cost.
    z = x * w[0] if w.shape[0] == 1 else x @ w
    if b is not None:
        z += b
    return z


def forward(net: Net, p: dict[str, np.ndarray], x: np.ndarray, keep: bool = True):
    """x (N, d_in) -> (y (N, d_out), cache). cache holds each layer's (input, z, a) for backward."""
    cache = []
    a = x
    for i in range(net.n_layers):
        z = _affine(a, p[f"w{i}"], p.get(f"b{i}"))
        out = ACTIVATIONS[net.activations[i]].fn(z)
        if keep:
            cache.append((a, z, out))
        a = out
    return a, cache


def backward(net: Net, p: dict[str, np.ndarray], cache, dy: np.ndarray, g: dict[str, np.ndarray]) -> None:
    """Write dL/dtheta into the views `g` (same layout as p), given dy = dL/dy (N, d_out)."""
    da = dy
    for i in reversed(range(net.n_layers)):
        a_in, z, a = cache[i]
        act = ACTIVATIONS[net.activations[i]]
        # delta = dL/dz = dL/da * da/dz
        delta = da if act.grad is None else da * act.grad(z, a)
        w = p[f"w{i}"]
        np.matmul(a_in.T, delta, out=g[f"w{i}"])  # dL/dw = a_in^T delta
        if net.bias:
            np.sum(delta, axis=0, out=g[f"b{i}"])  # dL/db = sum over samples of delta
        if i:
            # dL/da_in = delta @ w^T; an inner dimension of 1 is a broadcast multiply
            da = delta * w[:, 0] if w.shape[1] == 1 else delta @ w.T


def predict(net: Net, p: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """x (N, d_in) -> y (N, d_out), keeping nothing for backward."""
    with np.errstate(over="ignore", invalid="ignore"):
        return forward(net, p, x, keep=False)[0]
