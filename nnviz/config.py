"""YAML experiment -> frozen, fully resolved Config; every problem reported at once with file:line: key."""
from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import schema as s
from .activations import ACTIVATIONS
from .datasets import COMMON as DATA_COMMON
from .datasets import DATASETS
from .errors import ConfigError, Problem
from .init import COMMON as INIT_COMMON
from .init import INITS
from .losses import LOSSES
from .optim import OPTIMIZERS, check_combination
from .registry import did_you_mean
from .yamlsrc import dotted, load, parse_scalar

TOP_KEYS = ("title", "seed", "data", "model", "train", "render", "runs", "sweep")


@dataclass(frozen=True)
class Named:
    """A registry entry chosen by name, with all its hyperparameters resolved (defaults filled in)."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelConfig:
    hidden: tuple[int, ...] = (10,)  # hidden layer sizes; () = no hidden layer (a single neuron)
    activation: tuple[str, ...] = ("tanh",)  # one per hidden layer (a single name is repeated)
    output: str = "linear"  # output activation
    bias: bool = True  # every layer has a bias
    init: Named = Named("glorot_uniform")  # how the weights are drawn


@dataclass(frozen=True)
class TrainConfig:
    loss: str = "mse"
    optimizer: Named = Named("adam")
    batch_size: int | None = None  # None = the full training set every update
    shuffle: bool = True  # reshuffle the samples every epoch (mini-batches only)
    iterations: int | None = 1000  # parameter updates; None when `epochs` is given
    epochs: int | None = None  # passes over the data, instead of `iterations`
    snapshot_every: int | None = None  # None = "auto": about 200 snapshots
    dtype: str = "float64"  # float32 trains faster on big nets, float64 reproduces the tutorials' digits
    l1: float = 0.0  # L1 penalty on the weights: adds l1 * sign(w) to their gradient
    l2: float = 0.0  # L2 penalty on the weights: adds l2 * w to their gradient


@dataclass(frozen=True)
class RenderConfig:
    fps: float = 30.0  # frames per second; one frame per snapshot
    size: tuple[int, int] = (1280, 720)  # width, height in pixels (even numbers)
    hold: float = 2.0  # seconds the last frame is held
    crf: int = 20  # x264 quality: 0 lossless ... 51 worst; 18-23 looks good (WebM gets the like VP9 quality)
    preset: str = "medium"  # x264 speed/size trade-off
    formats: tuple[str, ...] = ("mp4",)  # any of mp4, webm, gif
    gif_width: int = 640  # a GIF is at most this wide (GIFs are big)
    panels: tuple[str, ...] | None = None  # None: chosen by the task (fit or boundary, loss, metrics)
    frames: int | None = None  # None: one frame per snapshot; N: N of them, spaced by `spacing`
    landscape: tuple | None = None  # (("w0[0,0]", "w0[1,0]"), span, resolution) for the landscape panel
    spacing: str = "linear"  # linear | log: log puts more frames at the start, where learning is fast


@dataclass(frozen=True)
class Config:
    source: str  # the config file
    title: str
    seed: int
    data: Named
    model: ModelConfig
    train: TrainConfig
    render: RenderConfig
    lines: dict = field(default_factory=dict, compare=False, repr=False)  # key path -> line
    set_paths: frozenset = field(default_factory=frozenset, compare=False, repr=False)

    def problem(self, path: tuple, message: str) -> Problem:
        """A Problem located at key `path` of this config (its line, or none for a --set key)."""
        ch = s.Checker(self.source, self.lines, Path(self.source).parent, self.set_paths)
        ch.error(path, message)
        return ch.problems[0]

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        for k in ("lines", "set_paths", "source"):
            d.pop(k)
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)


def load_config(file: str | Path, overrides: list[str] = (), max_runs: int | None = None):
    """Read, override and validate the config at `file`; ConfigError lists every problem found.

    A Config, or a Comparison (compare.py) when the file has `runs:` or `sweep:`."""
    file = str(file)
    try:
        text = Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([Problem(file, None, "", "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(file, None, "", f"cannot read: {exc}")]) from None
    raw, lines = load(text, file)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError([Problem(file, lines.get(()), "", "the top level must be a mapping of keys (title, data, model, ...)")])
    set_paths = set()
    problems = []
    for item in overrides:
        try:
            key, value = _parse_override(item)
            _apply(raw, key, value)
            set_paths.add(key)
        except ValueError as exc:
            problems.append(Problem(file, None, "", f"--set {item}: {exc}"))
    if problems:
        raise ConfigError(problems)
    if "runs" in raw or "sweep" in raw:
        from .compare import MAX_RUNS, expand

        return expand(raw, file, lines, frozenset(set_paths), max_runs or MAX_RUNS)
    return _validate(raw, file, lines, frozenset(set_paths))


def _parse_override(item: str) -> tuple[tuple, Any]:
    if "=" not in item:
        raise ValueError("expected key.path=value")
    key, text = item.split("=", 1)
    parts = tuple(key.strip().split("."))
    if not all(parts):
        raise ValueError("expected key.path=value")
    try:
        return parts, parse_scalar(text)
    except ConfigError as exc:
        raise ValueError(exc.problems[0].message) from None


def _apply(raw: dict, key: tuple, value: Any) -> None:
    node = raw
    for part in key[:-1]:
        nxt = node.get(part)
        if isinstance(nxt, str):  # `optimizer: adam` shorthand: --set train.optimizer.lr=0.1 still works
            nxt = node[part] = {"name": nxt}
        elif nxt is None:
            nxt = node[part] = {}
        elif not isinstance(nxt, dict):
            raise ValueError(f"{'.'.join(key[:-1])} is not a mapping")
        node = nxt
    node[key[-1]] = value


def _named(ch: s.Checker, raw: Any, path: tuple, registry, common=None, default=None) -> Named | None:
    """`name` or {name: ..., hyperparameters...} -> Named with every hyperparameter resolved."""
    if raw is None:
        raw = default
    if isinstance(raw, str):
        raw = {"name": raw}
    raw = ch.mapping(raw, path)
    name = ch.take(raw, path, "name", s.string, default if isinstance(default, str) else s.REQUIRED)
    if name is None:
        return None
    if name not in registry:
        ch.error(path + ("name",), f"unknown {registry.kind} '{name}'{did_you_mean(name, registry)}; "
                                   f"valid: {', '.join(sorted(registry))}")
        return None
    specs = {**registry[name].params, **(common(name) if common else {})}
    return Named(name, ch.params(raw, path, specs))


def _validate(raw: dict, file: str, lines: dict, set_paths: frozenset) -> Config:
    ch = s.Checker(file, lines, Path(file).resolve().parent, set_paths)
    ch.unknown(raw, (), TOP_KEYS)
    title = ch.take(raw, (), "title", s.string, Path(file).stem)
    seed = ch.take(raw, (), "seed", s.integer, 0, s.nonnegative)

    data_raw = raw.get("data")
    data = _named(ch, data_raw, ("data",), DATASETS, lambda n: DATA_COMMON, default="sine")

    m = ch.mapping(raw.get("model"), ("model",))
    ch.unknown(m, ("model",), ("hidden", "activation", "output", "bias", "init"))
    hidden = ch.take(m, ("model",), "hidden", _int_list, (10,), s.each(s.positive))
    act = ch.take(m, ("model",), "activation", _names_list, ("tanh",))
    act = _check_names(ch, act, ("model", "activation"), ACTIVATIONS)
    if act is not None and hidden is not None and len(act) != len(hidden):
        if len(act) == 1:
            act = act * len(hidden)
        else:
            ch.error(("model", "activation"), f"{len(act)} activations for {len(hidden)} hidden layers")
    output = ch.take(m, ("model",), "output", s.string, "linear")
    if output is not None and output not in ACTIVATIONS:
        ch.error(("model", "output"), str(_unknown(ACTIVATIONS, output)))
    bias = ch.take(m, ("model",), "bias", s.boolean, True)
    init = _named(ch, m.get("init"), ("model", "init"), INITS, lambda n: {} if n == "file" else INIT_COMMON,
                  default="glorot_uniform")

    t = ch.mapping(raw.get("train"), ("train",))
    tp = ("train",)
    ch.unknown(t, tp, ("loss", "optimizer", "batch_size", "shuffle", "iterations", "epochs", "snapshot_every", "dtype",
                       "l1", "l2"))
    loss = ch.take(t, tp, "loss", s.string, "mse")
    if loss is not None and loss not in LOSSES:
        ch.error(tp + ("loss",), str(_unknown(LOSSES, loss)))
    optimizer = _named(ch, t.get("optimizer"), tp + ("optimizer",), OPTIMIZERS, default="adam")
    if optimizer is not None and None not in optimizer.params.values():
        clash = check_combination(optimizer.name, optimizer.params)
        if clash:
            ch.error(tp + ("optimizer",), clash)
    batch = ch.take(t, tp, "batch_size", _batch, None)
    shuffle = ch.take(t, tp, "shuffle", s.boolean, True)
    if "iterations" in t and "epochs" in t:
        ch.error(tp + ("epochs",), "give either iterations or epochs, not both")
    epochs = ch.take(t, tp, "epochs", s.integer, None, s.at_least(1))
    iterations = None if "epochs" in t else ch.take(t, tp, "iterations", s.integer, 1000, s.at_least(1))
    snap = ch.take(t, tp, "snapshot_every", _auto_int, None)
    dtype = ch.take(t, tp, "dtype", s.choice("float64", "float32"), "float64")
    l1 = ch.take(t, tp, "l1", s.number, 0.0, s.nonnegative)
    l2 = ch.take(t, tp, "l2", s.number, 0.0, s.nonnegative)
    if loss in LOSSES and LOSSES[loss].logits and output != LOSSES[loss].logits:
        ch.error(tp + ("loss",), f"{loss} needs `model.output: {LOSSES[loss].logits}`, not {output}")
    elif output == "softmax" and loss != "cross_entropy":
        ch.error(("model", "output"), "a softmax output goes with `train.loss: cross_entropy`")

    r = ch.mapping(raw.get("render"), ("render",))
    rp = ("render",)
    ch.unknown(r, rp, ("fps", "size", "hold", "crf", "preset", "formats", "gif_width", "panels", "frames", "spacing",
                       "landscape"))
    fps = ch.take(r, rp, "fps", s.number, 30.0, s.in_range(1, 240, hi_open=False))
    size = ch.take(r, rp, "size", _size, (1280, 720))
    hold = ch.take(r, rp, "hold", s.number, 2.0, s.in_range(0, 60, hi_open=False))
    crf = ch.take(r, rp, "crf", s.integer, 20, s.in_range(0, 51, hi_open=False))
    preset = ch.take(r, rp, "preset", s.choice("ultrafast", "superfast", "veryfast", "faster", "fast", "medium",
                                               "slow", "slower", "veryslow"), "medium")
    formats = ch.take(r, rp, "formats", _formats, ("mp4",))
    gif_width = ch.take(r, rp, "gif_width", s.integer, 640, s.in_range(16, 7680, hi_open=False))
    panels = ch.take(r, rp, "panels", _panels, None)
    frames = ch.take(r, rp, "frames", _int_or("all"), None, lambda n: None if n is None else s.at_least(2)(n))
    spacing = ch.take(r, rp, "spacing", s.choice("linear", "log"), "linear")
    land = None
    if "landscape" in r:
        lp = rp + ("landscape",)
        lr = ch.mapping(r["landscape"], lp)
        ch.unknown(lr, lp, ("weights", "span", "resolution"))
        names = ch.take(lr, lp, "weights", _two_weights, ("w0[0,0]", "w0[1,0]"))
        span = ch.take(lr, lp, "span", s.number, 4.0, s.positive)
        res = ch.take(lr, lp, "resolution", s.integer, 40, s.in_range(8, 200, hi_open=False))
        land = (names, span, res)
    ch.raise_if_any()
    return Config(
        source=file, title=title, seed=seed, data=data,
        model=ModelConfig(tuple(hidden), tuple(act), output, bias, init),
        train=TrainConfig(loss, optimizer, batch, shuffle, iterations, epochs, snap, dtype, l1, l2),
        render=RenderConfig(fps=fps, size=tuple(size), hold=hold, crf=crf, preset=preset, formats=formats,
                            gif_width=gif_width, panels=panels, frames=frames, spacing=spacing, landscape=land),
        lines=lines, set_paths=set_paths,
    )


def _unknown(registry, name):
    from .registry import UnknownName

    return UnknownName(registry.kind, name, registry.keys())


def _check_names(ch, names, path, registry):
    if names is None:
        return None
    for i, n in enumerate(names):
        if n not in registry:
            ch.error(path if len(names) == 1 else path + (i,), str(_unknown(registry, n)))
    return names


def _int_list(v) -> tuple[int, ...]:
    if not isinstance(v, list):
        raise ValueError(f"expected a list of layer sizes like [10, 10], got {s._show(v)}")
    return tuple(s.integer(x) for x in v)


def _names_list(v) -> tuple[str, ...]:
    return (s.string(v),) if not isinstance(v, list) else tuple(s.string(x) for x in v)


def _int_or(word: str):
    """A kind: `word` (-> None) or a whole number >= 1."""

    def kind(v) -> int | None:
        if v == word:
            return None
        if isinstance(v, str):
            raise ValueError(f"expected '{word}' or a whole number, got {s._show(v)}")
        n = s.integer(v)
        s.at_least(1)(n)
        return n

    return kind


_batch = _int_or("full")
_auto_int = _int_or("auto")


FORMAT_NAMES = ("mp4", "webm", "gif")
PANEL_NAMES = ("fit", "boundary", "network", "neurons", "landscape", "weights", "loss", "metrics")
WEIGHT_NAME = re.compile(r"^([wb])(\d+)\[(\d+)(?:,\s*(\d+))?\]$")  # w0[1,2] or b1[3]


def _two_weights(v) -> tuple[str, str]:
    if not isinstance(v, list) or len(v) != 2 or not all(isinstance(n, str) and WEIGHT_NAME.match(n) for n in v):
        raise ValueError("expected two parameter names like [\"w0[0,0]\", \"w0[1,0]\"] (w_i[row,column] or b_i[unit])")
    if v[0] == v[1]:
        raise ValueError("the two parameters must differ")
    return tuple(v)  # render/panels.py registers each (a test checks)


def _panels(v) -> tuple[str, ...] | None:
    if v == "auto":
        return None
    if not isinstance(v, list) or not v or len(v) > 4:
        raise ValueError(f"expected 'auto' or a list of 1 to 4 panels from {', '.join(PANEL_NAMES)}")
    out = tuple(s.choice(*PANEL_NAMES)(n) for n in v)
    if len(set(out)) != len(out):
        raise ValueError("a panel is listed twice")
    return out


def _formats(v) -> tuple[str, ...]:
    names = (v,) if isinstance(v, str) else v
    if not isinstance(names, list | tuple) or not names:
        raise ValueError(f"expected a list of formats from {', '.join(FORMAT_NAMES)}")
    out = tuple(s.choice(*FORMAT_NAMES)(n) for n in names)
    if len(set(out)) != len(out):
        raise ValueError("a format is listed twice")
    return out


def _size(v) -> tuple[int, int]:
    if not isinstance(v, list) or len(v) != 2:
        raise ValueError("expected [width, height] in pixels")
    w, h = s.integer(v[0]), s.integer(v[1])
    if w % 2 or h % 2:
        raise ValueError(f"width and height must be even for H.264/yuv420p, got {w}x{h}")
    if w < 320 or h < 240 or w > 7680 or h > 4320:
        raise ValueError(f"size must be between 320x240 and 7680x4320, got {w}x{h}")
    return w, h


__all__ = ["Config", "ModelConfig", "TrainConfig", "RenderConfig", "Named", "load_config", "dotted"]
