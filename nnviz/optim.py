"""Optimizers: name -> Optimizer(params, init, step), following torch.optim's documented rules and defaults.

State is a dict of plain arrays (copyable; "tmp" arrays are scratch space); `step` updates the flat parameter vector theta (P,) in place
from its gradient g (P,). t counts steps from 1, as in the torch.optim pseudocode.

K runs step at once with theta, g and the state (K, P), and each numeric hyperparameter either one number
for all or a column (K, 1) of each run's (`batched`); which branches a step takes (momentum or not,
amsgrad, ...) must be the same for all of them (`branches` says which must agree). Every operation is
elementwise, so each run's numbers come out exactly as when it steps alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .registry import Registry
from .schema import Param, boolean, in_range, length, nonnegative, number, numbers, positive


@dataclass(frozen=True)
class Optimizer:
    params: dict[str, Param]
    init: Callable[[np.ndarray, dict], dict]  # (theta, hp) -> state
    step: Callable[[np.ndarray, np.ndarray, dict, dict, int], None]  # (theta, g, state, hp, t)
    doc: str


OPTIMIZERS: Registry[Optimizer] = Registry("optimizer")


def _lr(default: float) -> Param:
    return Param(default, number, "learning rate", positive)


_WD = Param(0.0, number, "L2 penalty added to the gradient: g + weight_decay * theta", nonnegative)
_EPS = Param(1e-8, number, "added to the denominator for numerical stability", positive)


def _betas(v):
    b = numbers(v)
    length(2)(b)
    for x in b:
        in_range(0.0, 1.0)(x)
    return b


def _on(v) -> bool:
    """A hyperparameter switches its branch on: nonzero (for every run of a batch, which `branches` ensures)."""
    return bool(v) if isinstance(v, (bool, int, float)) else bool(np.any(v))


def branches(name: str, hp: dict) -> tuple:
    """What must be the same for runs to step together: the optimizer and the branches its step takes."""
    return (name, *sorted((k, bool(v)) for k, v in hp.items() if isinstance(v, bool) or k in SWITCHES))


SWITCHES = ("momentum", "weight_decay")  # numbers whose zero skips a branch of the step


def batched(hps: list[dict]) -> dict:
    """K runs' hyperparameters as one dict: a value all runs share stays as it is; one that differs becomes
    a column (K, 1) of each run's (betas: a pair of columns)."""
    out = {}
    for k in hps[0]:
        values = [hp[k] for hp in hps]
        if all(v == values[0] for v in values):
            out[k] = values[0]
        elif k == "betas":
            out[k] = tuple(np.array([float(v[j]) for v in values])[:, None] for j in range(2))
        else:
            out[k] = np.array(values, dtype=float)[:, None]
    return out


def typed(v, a: np.ndarray):
    """A hyperparameter value meeting array `a` as a Python number does: in a's type (a column of runs'
    values is float64 until it meets the parameters, so float32 runs round as they round alone)."""
    return v.astype(a.dtype) if isinstance(v, np.ndarray) else v


def _correction(b, t: int):
    """1 - b^t, for a number or a column of them, each computed as Python computes it for one run."""
    if isinstance(b, np.ndarray):
        return np.array([1 - float(v) ** t for v in b.ravel()]).reshape(b.shape)
    return 1 - b**t


# --- SGD ---------------------------------------------------------------------------------------
def _scratch(theta):
    """A work array, so that a step allocates nothing (fresh large arrays cost page faults every step)."""
    return np.empty_like(theta)


def _decayed(g, theta, wd, tmp):
    """g + weight_decay * theta, in tmp (or g itself when there is no decay)."""
    if not _on(wd):
        return g
    np.multiply(theta, typed(wd, theta), out=tmp)
    tmp += g
    return tmp


def _sgd_init(theta, hp):
    state = {"tmp": _scratch(theta), "tmp2": _scratch(theta)}
    if _on(hp["momentum"]):
        state["buf"] = np.zeros_like(theta)
    return state


def _sgd_step(theta, g, state, hp, t):
    tmp = state["tmp"]
    g = _decayed(g, theta, hp["weight_decay"], state["tmp2"])
    mu = hp["momentum"]
    if _on(mu):
        buf = state["buf"]
        if t > 1:
            buf *= typed(mu, buf)
            np.multiply(g, typed(1 - hp["dampening"], g), out=tmp)
            buf += tmp  # b_t = mu b_{t-1} + (1 - dampening) g_t
        else:
            buf[...] = g  # b_1 = g_1
        if hp["nesterov"]:
            np.multiply(buf, typed(mu, buf), out=tmp)
            tmp += g  # g_t + mu b_t
            g = tmp
        else:
            g = buf
    np.multiply(g, typed(hp["lr"], g), out=tmp)
    theta -= tmp  # theta_t = theta_{t-1} - lr g


OPTIMIZERS.register("sgd")(Optimizer(
    {
        "lr": _lr(0.001),
        "momentum": Param(0.0, number, "momentum factor", in_range(0.0, 1.0)),
        "dampening": Param(0.0, number, "dampening for momentum", in_range(0.0, 1.0, hi_open=False)),
        "nesterov": Param(False, boolean, "Nesterov momentum (needs momentum > 0, dampening 0)"),
        "weight_decay": _WD,
    },
    _sgd_init, _sgd_step, "stochastic gradient descent, optionally with (Nesterov) momentum",
))


# --- Adam / AdamW ------------------------------------------------------------------------------
def _adam_init(theta, hp):
    state = {"m": np.zeros_like(theta), "v": np.zeros_like(theta), "tmp": _scratch(theta), "tmp2": _scratch(theta)}
    if hp["amsgrad"]:
        state["vmax"] = np.zeros_like(theta)
    return state


def _adam_core(theta, g, state, hp, t):
    b1, b2 = hp["betas"]
    m, v, tmp = state["m"], state["v"], state["tmp"]
    m *= typed(b1, m)
    np.multiply(g, typed(1 - b1, g), out=tmp)
    m += tmp  # m_t = b1 m + (1 - b1) g
    v *= typed(b2, v)
    np.multiply(g, g, out=tmp)
    tmp *= typed(1 - b2, tmp)
    v += tmp  # v_t = b2 v + (1 - b2) g^2
    bc1, bc2 = _correction(b1, t), _correction(b2, t)  # bias corrections
    if hp["amsgrad"]:
        np.maximum(state["vmax"], v, out=state["vmax"])
        v = state["vmax"]
    # theta -= lr * (m / bc1) / (sqrt(v / bc2) + eps), in torch's arithmetic order
    np.sqrt(v, out=tmp)
    tmp /= np.sqrt(bc2)
    tmp += typed(hp["eps"], tmp)  # the denominator
    np.divide(m, tmp, out=tmp)
    tmp *= typed(hp["lr"] / bc1, tmp)
    theta -= tmp


def _adam_step(theta, g, state, hp, t):
    g = _decayed(g, theta, hp["weight_decay"], state["tmp2"])  # Adam: L2 penalty in the gradient
    _adam_core(theta, g, state, hp, t)


def _adamw_step(theta, g, state, hp, t):
    theta *= typed(1 - hp["lr"] * hp["weight_decay"], theta)  # AdamW: decoupled decay
    _adam_core(theta, g, state, hp, t)


_ADAM = {
    "lr": _lr(0.001),
    "betas": Param((0.9, 0.999), _betas, "decay rates of the first and second moment averages"),
    "eps": _EPS,
    "weight_decay": _WD,
    "amsgrad": Param(False, boolean, "use the running maximum of v (AMSGrad)"),
}
OPTIMIZERS.register("adam")(Optimizer(_ADAM, _adam_init, _adam_step, "Adam (Kingma & Ba), bias-corrected"))
OPTIMIZERS.register("adamw")(Optimizer(
    {**_ADAM, "weight_decay": Param(0.01, number, "decoupled weight decay", nonnegative)},
    _adam_init, _adamw_step, "Adam with decoupled weight decay (Loshchilov & Hutter)",
))


# --- RMSprop -----------------------------------------------------------------------------------
def _rmsprop_init(theta, hp):
    state = {"v": np.zeros_like(theta), "tmp": _scratch(theta), "tmp2": _scratch(theta)}
    if hp["centered"]:
        state["gavg"] = np.zeros_like(theta)
    if _on(hp["momentum"]):
        state["buf"] = np.zeros_like(theta)
    return state


def _rmsprop_step(theta, g, state, hp, t):
    g = _decayed(g, theta, hp["weight_decay"], state["tmp2"])
    a = hp["alpha"]
    v, tmp = state["v"], state["tmp"]
    v *= typed(a, v)
    np.multiply(g, g, out=tmp)
    tmp *= typed(1 - a, tmp)
    v += tmp  # v_t = alpha v + (1 - alpha) g^2
    if hp["centered"]:
        gavg = state["gavg"]
        gavg *= typed(a, gavg)
        np.multiply(g, typed(1 - a, g), out=tmp)
        gavg += tmp  # g_ave = alpha g_ave + (1 - alpha) g
        np.multiply(gavg, gavg, out=tmp)
        np.subtract(v, tmp, out=tmp)  # v~ = v - g_ave^2
        np.sqrt(tmp, out=tmp)
    else:
        np.sqrt(v, out=tmp)
    tmp += typed(hp["eps"], tmp)
    np.divide(g, tmp, out=tmp)  # g / (sqrt(v~) + eps)
    if _on(hp["momentum"]):
        buf = state["buf"]
        buf *= typed(hp["momentum"], buf)
        buf += tmp  # b_t = mu b + g / (sqrt(v~) + eps)
        np.multiply(buf, typed(hp["lr"], buf), out=tmp)
    else:
        tmp *= typed(hp["lr"], tmp)
    theta -= tmp


OPTIMIZERS.register("rmsprop")(Optimizer(
    {
        "lr": _lr(0.01),
        "alpha": Param(0.99, number, "smoothing constant of the squared-gradient average", in_range(0.0, 1.0)),
        "eps": _EPS,
        "weight_decay": _WD,
        "momentum": Param(0.0, number, "momentum factor", in_range(0.0, 1.0)),
        "centered": Param(False, boolean, "normalise by the gradient's estimated variance"),
    },
    _rmsprop_init, _rmsprop_step, "RMSprop (Hinton), optionally centred and with momentum",
))


# --- Adagrad -----------------------------------------------------------------------------------
def _adagrad_init(theta, hp):
    return {"sum": np.full_like(theta, hp["initial_accumulator_value"]), "tmp": _scratch(theta),
            "tmp2": _scratch(theta)}


def _adagrad_step(theta, g, state, hp, t):
    clr = hp["lr"] / (1 + (t - 1) * hp["lr_decay"])  # decayed learning rate
    g = _decayed(g, theta, hp["weight_decay"], state["tmp2"])
    s, tmp = state["sum"], state["tmp"]
    np.multiply(g, g, out=tmp)
    s += tmp  # state_sum += g^2
    np.sqrt(s, out=tmp)
    tmp += typed(hp["eps"], tmp)
    np.divide(g, tmp, out=tmp)
    tmp *= typed(clr, tmp)
    theta -= tmp  # theta -= clr g / (sqrt(state_sum) + eps)


OPTIMIZERS.register("adagrad")(Optimizer(
    {
        "lr": _lr(0.01),
        "lr_decay": Param(0.0, number, "learning rate decay", nonnegative),
        "weight_decay": _WD,
        "initial_accumulator_value": Param(0.0, number, "starting value of the squared-gradient sum", nonnegative),
        "eps": Param(1e-10, number, "added to the denominator for numerical stability", positive),
    },
    _adagrad_init, _adagrad_step, "Adagrad (Duchi et al.)",
))


def check_combination(name: str, hp: dict) -> str | None:
    """A message when hyperparameters contradict each other (as torch.optim refuses), else None."""
    if name == "sgd" and hp["nesterov"] and (hp["momentum"] <= 0 or hp["dampening"] != 0):
        return "nesterov needs momentum > 0 and dampening 0"
    return None
