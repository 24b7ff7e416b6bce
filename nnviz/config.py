"""The config: frozen dataclasses, each key declared once (default, kind, check, doc), and their validation.

A section's keys are declared with `schema.key`; the validator, the defaults and docs/config.md's key
tables all read those declarations. `validate(raw, file, lines)` turns one parsed YAML mapping into a
Config, reporting every problem at once with file:line: key.path. Reading files, `--set` and
`runs:`/`sweep:` are experiment.py's.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import schema as s
from .activations import ACTIVATIONS
from .datasets import COMMON as DATA_COMMON
from .datasets import DATASETS
from .errors import Problem
from .init import COMMON as INIT_COMMON
from .init import INITS
from .losses import LOSSES
from .model import PARAMETER_NAME
from .optim import OPTIMIZERS, check_combination
from .registry import UnknownName, did_you_mean
from .schema import key

FORMAT_NAMES = ("mp4", "webm", "gif")
PANEL_NAMES = ("fit", "boundary", "network", "neurons", "landscape", "weights", "loss", "metrics")
THEME_NAMES = ("light", "dark")  # draw/theme.py's THEMES (a test keeps them the same)
PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")


# --- kinds of this file's keys (value -> converted value, or ValueError) -----------------------------
def _registry_name(registry):
    def kind(v) -> str:
        v = s.string(v)
        if v not in registry:
            raise ValueError(str(UnknownName(registry.kind, v, registry.keys())))
        return v

    return kind


def _layer_sizes(v) -> tuple[int, ...]:
    if not isinstance(v, list):
        raise ValueError(f"expected a list of layer sizes like [10, 10], got {s._show(v)}")
    return tuple(s.integer(x) for x in v)


def _activations(v) -> tuple[str, ...]:
    names = (v,) if not isinstance(v, list) else tuple(v)
    if not names:
        raise ValueError("expected an activation name or a list of them")
    return tuple(_registry_name(ACTIVATIONS)(n) for n in names)


def _words_or_int(words: tuple[str, ...], least: int = 1):
    """A kind: one of `words` (kept as it is) or a whole number >= least."""

    def kind(v) -> int | str:
        if v in words:
            return v
        if isinstance(v, str):
            raise ValueError(f"expected {', '.join(repr(w) for w in words)} or a whole number, got {s._show(v)}")
        n = s.integer(v)
        s.at_least(least)(n)
        return n

    return kind


def _int_or(word: str):
    """A kind: `word` (-> None) or a whole number >= 1."""
    either = _words_or_int((word,))
    return lambda v: None if v == word else either(v)


def _two_weights(v) -> tuple[str, str]:
    if not isinstance(v, list) or len(v) != 2 or not all(isinstance(n, str) and PARAMETER_NAME.match(n) for n in v):
        raise ValueError("expected two parameter names like [\"w0[0,0]\", \"w0[1,0]\"] (w_i[row,column] or b_i[unit])")
    if v[0] == v[1]:
        raise ValueError("the two parameters must differ")
    return tuple(v)


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


def _one_line(text: str) -> None:
    if len(text) > 300 or "\n" in text:
        raise ValueError(f"expected one line of at most 300 characters, got {len(text):,} characters"
                         + (" on several lines" if "\n" in text else ""))
    if not text.isprintable():
        raise ValueError("expected printable text, got a control character (such as a terminal escape or a tab)")


@dataclass(frozen=True)
class Caption:
    """A text shown from iteration `at`, the video held `pause` seconds on its first frame."""

    at: int
    text: str
    pause: float = 0.0


CAPTION_TEXT = 90  # characters: a caption is one line a viewer reads in a second or two


def _captions(v) -> tuple[Caption, ...] | str:
    if v == "auto":
        return v
    if not isinstance(v, list):
        raise ValueError("expected 'auto' or a list like [{at: 1000, text: \"the net escapes the plateau\", pause: 1.5}]")
    out = []
    for k, c in enumerate(v):
        where = f"caption {k + 1}"
        if not isinstance(c, dict) or not {"at", "text"} <= set(c) or not set(c) <= {"at", "text", "pause"}:
            raise ValueError(f"{where}: expected {{at: ITERATION, text: TEXT}} and optionally pause: SECONDS")
        at, text, pause = c["at"], c["text"], c.get("pause", 0.0)
        try:
            at = s.integer(at)
            s.at_least(0)(at)
            text = s.string(text)
            pause = s.number(pause)
            s.in_range(0, 10, hi_open=False)(pause)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        if not text.strip() or "\n" in text or len(text) > CAPTION_TEXT:
            raise ValueError(f"{where}: the text must be one line of 1 to {CAPTION_TEXT} characters")
        out.append(Caption(at, " ".join(text.split()), float(pause)))
    if [c.at for c in out] != sorted(c.at for c in out):
        raise ValueError("captions must be in the order of their iterations (`at`)")
    return tuple(out)


# --- the sections -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Named:
    """A registry entry chosen by name, with all its hyperparameters resolved (defaults filled in)."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)


PANELS_DOC = (
    "the pictures, first one large on the left, the others stacked on its right (1 to 4): `fit` (data and "
    "prediction; 1-D input, or predicted vs target per sample), `boundary` (2-D input: the output over the "
    "plane as a heat map — one colour per class, shaded by confidence — training points filled, test points "
    "hollow), `network` (the net as a diagram: edges coloured by the weight's sign — green positive, purple "
    "negative — and as wide as its size; each unit shows its own output over the input plane for 2-D input, "
    "else its mean activation; up to 8 units a layer are drawn, with \"+N more\" beyond; nets of at most "
    "10,000 parameters), `loss` (log scale; the test set's loss dashed; its readout: the training loss, the test "
    "loss, and the accuracy or, for regression, the mean absolute error), `metrics` (accuracy on the training "
    "and test sets; bce and cross_entropy), `neurons` (each hidden unit's output over the input, up to 16, as "
    "small multiples: curves for 1-D input, heat maps for 2-D input; nets of at most 10,000 parameters), `landscape` "
    "(the exact loss over two parameters named in `landscape.weights`, the others held at their final values, "
    "as contours with a colour bar, the path the optimizer took and where it is now; nets of at most 10,000 parameters), "
    "`weights` (image data: the input weights of up to 16 hidden units as pictures, green positive, purple "
    "negative, as in seed 003). `auto`: `weights` for image data, `boundary` for 2-D input, else `fit`; then "
    "`loss`; then `metrics` for classification. A panel that does not fit the data is an error that lists "
    "those that do")


@dataclass(frozen=True)
class ModelConfig:
    hidden: tuple[int, ...] = key((10,), _layer_sizes, "hidden layer sizes; `[]` = no hidden layer: a single "
                                  "layer of output units (one neuron for one output)", s.each(s.positive))
    activation: tuple[str, ...] = key(("tanh",), _activations, "the hidden layers' activation; a list gives one "
                                      "per hidden layer (`[tanh, relu]`)", shown="`tanh`")
    output: str = key("linear", _registry_name(ACTIVATIONS), "the output layer's activation")
    bias: bool = key(True, s.boolean, "whether every layer has a bias")
    init: Named = key(Named("glorot_uniform"), None, "how the weights are drawn: a name, or `{name: ..., key: "
                      "value}` (see Initialisers). Biases start at 0 unless `biases: same`", shown="`glorot_uniform`")


@dataclass(frozen=True)
class TrainConfig:
    loss: str = key("mse", _registry_name(LOSSES), "the loss minimised (see Losses)")
    optimizer: Named = key(Named("adam"), None, "a name, or `{name: ..., lr: ..., ...}` with any of its "
                           "hyperparameters (see Optimizers)", shown="`adam`")
    batch_size: int | None = key(None, _int_or("full"), "`full`: every update sees the whole training set; a "
                                 "number: mini-batches of that size (the last batch of an epoch may be smaller)",
                                 shown="`full`")
    shuffle: bool = key(True, s.boolean, "mini-batches: reshuffle the samples every epoch; `false` takes them "
                        "in order, the same every epoch")
    iterations: int | None = key(1000, s.integer, "the number of parameter updates", s.at_least(1))
    epochs: int | None = key(None, s.integer, "instead of `iterations`: passes over the data (`epochs × "
                             "ceil(N / batch_size)` updates)", s.at_least(1))
    snapshot_every: int | None = key(None, _int_or("auto"), "record the model every this many updates (also at "
                                     "0 and at the end). `auto`: densely early and sparsely later, where learning "
                                     "is fast and slow (300 points evenly in log(iteration) and 100 evenly in "
                                     "iterations, every update at the start), so the video's pacing has snapshots "
                                     "to choose from", shown="`auto`")
    dtype: str = key("float64", s.choice("float64", "float32"), "`float64` reproduces the from-scratch "
                     "tutorials' printed digits; `float32` trains big nets (e.g. 784 inputs) faster")
    l1: float = key(0.0, s.number, "L1 penalty on the weights (not the biases), as Playground has: adds `l1 · "
                    "sign(w)` to their gradient", s.nonnegative, shown="0")
    l2: float = key(0.0, s.number, "L2 penalty on the weights (not the biases): adds `l2 · w` to their gradient. "
                    "The recorded loss is the data's loss, without the penalties", s.nonnegative, shown="0")


@dataclass(frozen=True)
class LandscapeConfig:
    weights: tuple[str, str] = key(("w0[0,0]", "w0[1,0]"), _two_weights, "the two parameters the surface is "
                                   "drawn over: `w_i[row,column]` or `b_i[unit]`", shown='`["w0[0,0]", "w0[1,0]"]`')
    span: float = key(4.0, s.number, "how wide around their final values the surface reaches (it always covers "
                      "their whole path)", s.positive, shown="4")
    resolution: int = key(40, s.integer, "points a side the surface is computed at",
                          s.in_range(8, 200, hi_open=False))


SECONDS = 6.0  # `frames: auto`: the animated part lasts this long


@dataclass(frozen=True)
class RenderConfig:
    fps: float = key(30.0, s.number, "frames per second", s.in_range(1, 240, hi_open=False),
                     shown="30")
    size: tuple[int, int] = key((1280, 720), _size, "width and height in pixels, even numbers from 320×240 to "
                                "7680×4320; fonts scale with the height")
    hold: float = key(2.0, s.number, "seconds the last frame is held at the end", s.in_range(0, 60, hi_open=False),
                      shown="2")
    crf: int = key(20, s.integer, "x264 quality, 0 (lossless) to 51; 18–23 look good",
                   s.in_range(0, 51, hi_open=False))
    preset: str = key("medium", s.choice(*PRESETS), "x264 speed against file size: `ultrafast` … `veryslow`")
    formats: tuple[str, ...] = key(("mp4",), _formats, "any of `mp4` (H.264, plays everywhere), `webm` (VP9, "
                                   "smaller for the same quality; its crf is 1.6 × `crf`), `gif` (256 colours from "
                                   "a palette made for the whole video, looping, at the fastest rate GIF keeps "
                                   "exactly that is not above `fps`: 100/k frames per second, so 30 → 25). `nnviz "
                                   "render --format webm` overrides this. A format no longer asked for has its "
                                   "earlier file removed")
    gif_width: int = key(640, s.integer, "a GIF is scaled to at most this width (GIFs are many times bigger than "
                         "videos)", s.in_range(16, 7680, hi_open=False))
    panels: tuple[str, ...] | None = key(None, _panels, PANELS_DOC, shown="`auto`")
    frames: int | str = key("auto", _words_or_int(("auto", "all"), least=2), "how many snapshots become the video's animated frames (the first and "
                            "last always): a number gives exactly that many (all the snapshots, with a warning, "
                            "when there are fewer); `auto`: 6 seconds' worth at `fps`; `all`: every snapshot",
                            shown="`auto`")
    spacing: str = key("auto", s.choice("auto", "linear", "log"), "which snapshots `frames` picks: `auto` (where "
                       "the picture changes: three quarters of the frames go where the predictions move, a quarter "
                       "evenly over the iterations, so a plateau passes quickly but still shows), `linear` (evenly "
                       "in iterations) or `log` (evenly in log(1 + iteration)). With `auto`, an update that moves the "
                       "picture more than a frame's share is held for several frames (slow motion). The counter "
                       "always shows the true iteration, and the bar under it how far through training the frame "
                       "is")
    captions: tuple[Caption, ...] | str = key((), _captions, "texts for teaching: a list of `{at: ITERATION, text: "
                                             "TEXT, pause: SECONDS}` in order of `at`, each shown from the first frame "
                                             "at or after its iteration for 4 seconds or until the next one, the "
                                             "video held still for `pause` seconds (0 to 10, default 0) when it "
                                             "appears; `auto`: "
                                             "the events nnviz finds itself (a plateau ending, accuracy reaching "
                                             "100 %, the test loss starting to rise, divergence). Also written as a "
                                             "WebVTT file beside the video, which `embed.html` references",
                                             shown="none")
    theme: str = key("light", s.choice(*THEME_NAMES), "`light` or `dark` (for dark blogs): every panel, the header "
                     "and the poster")
    landscape: LandscapeConfig = key(LandscapeConfig(), None, "for the `landscape` panel: its keys are below",
                                     shown="see below")

    @property
    def animated(self) -> int | None:
        """The animated frames asked for: a number, or None for one per snapshot (`all`)."""
        if self.frames == "auto":
            return max(2, round(SECONDS * self.fps))
        return None if self.frames == "all" else self.frames

    def over_limits(self, snapshots: int, last: int, lim) -> list[tuple[tuple, str]]:
        """(key path, message) for each way a video of `snapshots` snapshots, the last at iteration `last`,
        would break the limits `lim` (a limits.Limits) or its own captions would not show."""
        frames = min(snapshots, self.animated or snapshots) + int(round(self.hold * self.fps))
        checks = [(("render", "frames"), lim.check("frames", frames, "the number of video frames")),
                  (("render", "size"), lim.check("video_pixels", frames * self.size[0] * self.size[1],
                                                 "the video's frames x width x height"))]
        late = [c for c in self.captions if c.at > last] if isinstance(self.captions, tuple) else []
        if late:
            checks.append((("render", "captions"), f"the caption at iteration {late[0].at:,} comes after the last "
                                                   f"iteration ({last:,})"))
        return [(k, message) for k, message in checks if message]


@dataclass(frozen=True)
class Config:
    source: str  # the config file
    title: str = key("", s.string, "the video's title (one line of at most 300 characters)", _one_line,
                     shown="the file name")
    seed: int = key(0, s.integer, "one seed drives independent random streams: the data's noise, the initial "
                    "weights and the order of mini-batches. The same config gives the same video, bit for bit, "
                    "on the same machine", s.nonnegative)
    data: Named = key(Named("sine"), None, "the training data: a name from the data sets below and its keys",
                      shown="`{name: sine}`")
    model: ModelConfig = key(ModelConfig(), None, "the net", shown="")
    train: TrainConfig = key(TrainConfig(), None, "how it learns", shown="")
    render: RenderConfig = key(RenderConfig(), None, "how the video looks", shown="")
    lines: dict = field(default_factory=dict, compare=False, repr=False)  # key path -> line
    set_paths: frozenset = field(default_factory=frozenset, compare=False, repr=False)
    overrides: tuple[str, ...] = field(default=(), compare=False)  # the --set items, as given

    @property
    def runs(self) -> tuple["Config", ...]:
        return (self,)

    def problem(self, path: tuple, message: str) -> Problem:
        """A Problem located at key `path` of this config (its line, or none for a --set key)."""
        ch = s.Checker(self.source, self.lines, Path(self.source).parent, self.set_paths)
        ch.error(path, message)
        return ch.problems[0]

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        for k in ("lines", "set_paths", "source", "overrides"):
            d.pop(k)
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)


SECTIONS = {"model": ModelConfig, "train": TrainConfig, "render": RenderConfig, "render.landscape": LandscapeConfig}


def _named(ch: s.Checker, raw: Any, path: tuple, registry, common=None, default: str | None = None) -> Named | None:
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


def _default_name(cls, name: str) -> str:
    return s.params_of(cls)[name].default.name


def validate(raw: dict, file: str, lines: dict, set_paths: frozenset = frozenset(), overrides=()) -> Config:
    """The Config that `raw` (one parsed YAML mapping, without runs/sweep) describes; ConfigError lists
    every problem found."""
    ch = s.Checker(file, lines, Path(file).resolve().parent, set_paths)
    top = ch.params(raw, (), s.params_of(Config), skip=("runs", "sweep"))  # those are experiment.py's
    title = top["title"] if "title" in raw else Path(file).stem
    data = _named(ch, raw.get("data"), ("data",), DATASETS, lambda n: DATA_COMMON,
                  default=_default_name(Config, "data"))

    mp = ("model",)
    m = ch.mapping(raw.get("model"), mp)
    model = ch.params(m, mp, s.params_of(ModelConfig), skip=())
    act, hidden = model["activation"], model["hidden"]
    if act is not None and hidden is not None and len(act) != len(hidden):
        if len(act) == 1:
            model["activation"] = act * len(hidden)
        else:
            ch.error(mp + ("activation",), f"{len(act)} activations for {len(hidden)} hidden layers")
    model["init"] = _named(ch, m.get("init"), mp + ("init",), INITS,
                           lambda n: {} if n == "file" else INIT_COMMON, default=_default_name(ModelConfig, "init"))

    tp = ("train",)
    t = ch.mapping(raw.get("train"), tp)
    train = ch.params(t, tp, s.params_of(TrainConfig), skip=())
    opt = train["optimizer"] = _named(ch, t.get("optimizer"), tp + ("optimizer",), OPTIMIZERS,
                                      default=_default_name(TrainConfig, "optimizer"))
    if opt is not None and None not in opt.params.values():
        clash = check_combination(opt.name, opt.params)
        if clash:
            ch.error(tp + ("optimizer",), clash)
    if "epochs" in t:
        if "iterations" in t:
            ch.error(tp + ("epochs",), "give either iterations or epochs, not both")
        train["iterations"] = None
    loss, output = train["loss"], model["output"]
    if loss in LOSSES and LOSSES[loss].logits and output != LOSSES[loss].logits:
        ch.error(tp + ("loss",), f"{loss} needs `model.output: {LOSSES[loss].logits}`, not {output}")
    elif output == "softmax" and loss != "cross_entropy":
        ch.error(mp + ("output",), "a softmax output goes with `train.loss: cross_entropy`")

    rp = ("render",)
    r = ch.mapping(raw.get("render"), rp)
    render = ch.params(r, rp, s.params_of(RenderConfig), skip=())
    lp = rp + ("landscape",)
    render["landscape"] = LandscapeConfig(**ch.params(ch.mapping(r.get("landscape"), lp), lp,
                                                      s.params_of(LandscapeConfig), skip=()))
    ch.raise_if_any()
    return Config(source=file, title=title, seed=top["seed"], data=data, model=ModelConfig(**model),
                  train=TrainConfig(**train), render=RenderConfig(**render), lines=lines, set_paths=set_paths,
                  overrides=tuple(overrides))


__all__ = ["Config", "ModelConfig", "TrainConfig", "RenderConfig", "LandscapeConfig", "Named", "validate",
           "SECTIONS", "PANEL_NAMES", "FORMAT_NAMES"]
