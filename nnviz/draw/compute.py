"""What pictures compute from a net's parameters: units' outputs and loss surfaces. Pure NumPy, no drawing.

Each function takes the typed net description (model.Net) and a flat parameter vector theta (P,).
"""
from __future__ import annotations

import numpy as np

from ..losses import LOSSES
from ..model import Net, forward, layer_views, parameter_index

SIGMOID_LIKE = ("sigmoid", "softmax", "relu", "softplus", "gaussian")


def unit_outputs(net: Net, theta: np.ndarray, x: np.ndarray) -> list[np.ndarray]:
    """Each layer's output for input x (N, d_in): a list of (N, units), the output layer's last."""
    with np.errstate(over="ignore", invalid="ignore"):
        _, cache = forward(net, layer_views(net, theta), x)
    return [a for _, _, a in cache]


def mesh(extent: tuple[float, float, float, float], n: int) -> np.ndarray:
    """(n*n, 2) points over extent (x0 lo, x0 hi, x1 lo, x1 hi), in rows of constant x1 (as an image's rows)."""
    g0, g1 = np.meshgrid(np.linspace(extent[0], extent[1], n), np.linspace(extent[2], extent[3], n))
    return np.stack([g0.ravel(), g1.ravel()], axis=1)


def act_range(name: str) -> tuple[float, float]:
    """The range a unit's output is coloured over: (0, 1) for sigmoid-like activations, else (-1, 1)."""
    return (0.0, 1.0) if name in SIGMOID_LIKE else (-1.0, 1.0)


def loss_of(net: Net, loss_name: str, theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    """The loss `loss_name` of the net with parameters theta (P,) on x (N, d), y (N, k)."""
    loss = LOSSES[loss_name]
    with np.errstate(all="ignore"):
        pred, cache = forward(net, layer_views(net, theta), x)
        return float(loss.value(cache[-1][1] if loss.logits else pred, y))


def loss_surface(net: Net, loss_name: str, theta: np.ndarray, names: tuple[str, str], a: np.ndarray,
                 b: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(len(b), len(a)): the loss with parameter names[0] set to a[j] and names[1] to b[i], every other
    parameter as in theta (P,). ValueError when the net has no such parameter."""
    ia, ib = (parameter_index(net, n) for n in names)
    surface = np.empty((len(b), len(a)))
    point = theta.astype(float)
    for i, bv in enumerate(b):
        for j, av in enumerate(a):
            point[ia], point[ib] = av, bv
            surface[i, j] = loss_of(net, loss_name, point, x, y)
    return surface
