"""Initialisers: name -> Init(params, draw). They fill a net's flat parameter vector.

`rng: legacy` draws from NumPy's legacy global-seed stream, layer by layer, so that
`np.random.seed(s); W0 = 2*np.random.random((3, 4)) - 1; W1 = ...` is reproduced exactly
(seed 002 and the other from-scratch tutorials). The default draws from an explicit Generator.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import unpickled
from .files import check_regular, npz_headers
from .model import Net, unflatten
from .registry import Registry
from .schema import REQUIRED, Param, choice, integer, number, file_path, positive

Draw = Callable[..., np.ndarray]  # (source, shape, fan_in, fan_out, **params) -> array


@dataclass(frozen=True)
class Init:
    params: dict[str, Param]
    draw: Draw | None  # None: handled specially (file)
    doc: str


INITS: Registry[Init] = Registry("initialiser")

COMMON = {
    "biases": Param("zeros", choice("zeros", "same"), "zeros, or drawn like the weights (after each layer's weights)"),
    "rng": Param("default", choice("default", "legacy"), "legacy: np.random.seed(seed) + random()/randn(), as old tutorials"),
    "seed": Param(None, integer, "seed of the legacy stream; default: the config's seed"),
}


class Source:
    """Uniform and normal draws from either a Generator or a legacy RandomState."""

    def __init__(self, rng: np.random.Generator | np.random.RandomState):
        self.rng = rng

    def uniform01(self, shape):
        return self.rng.random(shape) if isinstance(self.rng, np.random.Generator) else self.rng.random_sample(shape)

    def normal01(self, shape):
        return self.rng.standard_normal(shape)

    def uniform(self, shape, low, high):
        # written as (high - low) * r + low so that low=-1, high=1 is exactly the tutorials' 2*r - 1
        return (high - low) * self.uniform01(shape) + low

    def normal(self, shape, std, mean=0.0):
        return self.normal01(shape) * std + mean


def _register(name: str, params: dict, doc: str):
    def add(draw: Draw) -> Draw:
        INITS.register(name)(Init(params, draw, doc))
        return draw

    return add


@_register("normal", {"std": Param(0.05, number, "standard deviation", positive), "mean": Param(0.0, number, "mean")},
           "normal(mean, std)")
def _normal(src, shape, fan_in, fan_out, std, mean):
    return src.normal(shape, std, mean)


@_register("uniform", {"low": Param(-0.05, number, "lower bound"), "high": Param(0.05, number, "upper bound")},
           "uniform on [low, high)")
def _uniform(src, shape, fan_in, fan_out, low, high):
    return src.uniform(shape, low, high)


@_register("glorot_uniform", {}, "uniform(±sqrt(6 / (fan_in + fan_out))) (Xavier)")
def _glorot_uniform(src, shape, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return src.uniform(shape, -limit, limit)


@_register("glorot_normal", {}, "normal(0, sqrt(2 / (fan_in + fan_out))) (Xavier)")
def _glorot_normal(src, shape, fan_in, fan_out):
    return src.normal(shape, np.sqrt(2.0 / (fan_in + fan_out)))


@_register("he_normal", {}, "normal(0, sqrt(2 / fan_in)) (Kaiming)")
def _he_normal(src, shape, fan_in, fan_out):
    return src.normal(shape, np.sqrt(2.0 / fan_in))


@_register("he_uniform", {}, "uniform(±sqrt(6 / fan_in)) (Kaiming)")
def _he_uniform(src, shape, fan_in, fan_out):
    limit = np.sqrt(6.0 / fan_in)
    return src.uniform(shape, -limit, limit)


@_register("zeros", {}, "all zeros (every hidden unit stays the same: a lesson, not a choice)")
def _zeros(src, shape, fan_in, fan_out):
    return np.zeros(shape)


INITS.register("file")(Init({"path": Param(REQUIRED, file_path, ".npz with w0, b0, w1, ... (a .weights.npz output)")},
                            None, "weights from a .npz file"))



class InitError(ValueError):
    """A weights file that cannot be used; the message names the file, the array and the shapes."""


def initialise(net: Net, name: str, params: dict, rng: np.random.Generator, seed: int, dtype) -> np.ndarray:
    """A fresh flat parameter vector theta (P,) for `net`, drawn by the initialiser `name`."""
    theta = np.zeros(net.n_params, dtype=dtype)
    views = unflatten(net, theta)
    if name == "file":
        _load_into(net, views, params["path"])
        return theta
    entry = INITS.lookup(name)
    own = {k: params[k] for k in entry.params}
    legacy = params.get("rng") == "legacy"
    src = Source(np.random.RandomState(params.get("seed") if params.get("seed") is not None else seed) if legacy else rng)
    for name_, shape in net.shapes():
        i = int(name_[1:])
        fan_in, fan_out = net.sizes[i], net.sizes[i + 1]
        if name_[0] == "w" or params.get("biases") == "same":
            views[name_][...] = entry.draw(src, shape, fan_in, fan_out, **own)
    return theta


def _load_into(net: Net, views: dict[str, np.ndarray], file: str) -> None:
    try:
        check_regular(file)  # a FIFO would block np.load forever
        headers = npz_headers(file)  # names and shapes first: nothing unexpected is unpacked
    except FileNotFoundError:
        raise InitError(f"weights file not found: {file}") from None
    except ValueError as exc:
        raise InitError(f"cannot read weights file {file}: {exc}") from None
    wanted = dict(net.shapes())
    extra = sorted(set(headers) - set(wanted))
    if extra:
        raise InitError(f"{file} has arrays the net does not use: {', '.join(extra)} (is `bias` or `hidden` different?)")
    for name, (shape, _) in headers.items():
        if shape != wanted[name]:
            layer = f"layer {name[1:]} {'weights' if name[0] == 'w' else 'biases'} {name}"
            raise InitError(f"{file}: {layer} has shape {shape}, the net needs {wanted[name]}")
    try:
        with np.load(file) as data:
            arrays = {k: data[k] for k in data.files}
    except Exception as exc:  # a corrupt file
        raise InitError(f"cannot read weights file {file}: {unpickled(exc)}") from None
    for name, shape in net.shapes():
        if name not in arrays:
            raise InitError(f"{file} has no array '{name}' (the net needs {', '.join(n for n, _ in net.shapes())})")
        if not np.issubdtype(arrays[name].dtype, np.number):
            raise InitError(f"{file}: {name} holds {arrays[name].dtype} values, not numbers")
        if not np.isfinite(arrays[name]).all():
            raise InitError(f"{file}: {name} holds values that are not finite (NaN or infinity)")
        views[name][...] = arrays[name]
