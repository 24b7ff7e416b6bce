"""An experiment file: read the YAML, apply `--set`, and expand `runs:`/`sweep:` into a Comparison.

    runs:                                  # named overrides of dotted keys
      - {label: SGD, train.optimizer: {name: sgd, lr: 0.01}}
      - {label: Adam, train.optimizer: {name: adam, lr: 0.03}}
    sweep:                                 # every combination of these values
      train.optimizer.lr: [0.001, 0.01, 0.1]

Every run is validated like a config of its own; a mistake is reported at the line of the override
that made it. All runs share the base's seed, so runs whose nets have the same shapes start from the
same initial weights and see the same data and batch order.
"""
from __future__ import annotations

import copy
import dataclasses
import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import limits
from .config import Config, RenderConfig, validate
from .errors import ConfigError, Problem
from .files import read_regular_file
from .yamlsrc import load, parse_scalar

MAX_RUNS = 36
MAX_NAME = 200  # bytes of a config's name: its outputs add up to 13 (".weights.npz"), file systems allow 255
MIN_SIZE = (640, 360)  # smaller, a grid of runs and a loss panel cannot be read


@dataclass(frozen=True)
class Comparison:
    """Several runs of one experiment, rendered as one video of small multiples."""

    source: str
    title: str
    labels: tuple[str, ...]
    runs: tuple[Config, ...]  # each run's title is its label
    render: RenderConfig = field(default_factory=RenderConfig)
    overrides: tuple[str, ...] = ()  # the --set items, as given

    @property
    def seed(self) -> int:
        return self.runs[0].seed

    def to_dict(self) -> dict:
        return {"title": self.title, "labels": list(self.labels), "runs": [r.to_dict() for r in self.runs]}


def load_config(file: str | Path, overrides=(), max_runs: int | None = None) -> Config | Comparison:
    """Read, override and validate the config at `file`; ConfigError lists every problem found.

    A Config, or a Comparison when the file has `runs:` or `sweep:` (even with a single run)."""
    raw, lines = read_mapping(file)
    return from_mapping(raw, str(file), lines, overrides, max_runs)


def read_mapping(file: str | Path) -> tuple[Any, dict]:
    """(the parsed YAML, key path -> line) of the config file at `file`; ConfigError when it cannot be read
    or is empty."""
    file = str(file)
    if len(Path(file).stem.encode()) > MAX_NAME:
        raise ConfigError([Problem(file, None, "", f"the file's name is longer than {MAX_NAME} bytes: its outputs "
                                                   "(NAME.weights.npz, ...) could not be named after it; rename it")])
    try:
        text = read_regular_file(file, limits.current().config_bytes, "config_bytes").decode("utf-8")
    except ValueError as exc:  # not a regular file, or over the limit
        raise ConfigError([Problem(file, None, "", str(exc))]) from None
    except FileNotFoundError:
        raise ConfigError([Problem(file, None, "", "no such file")]) from None
    except IsADirectoryError:
        raise ConfigError([Problem(file, None, "", "is a folder, not a config file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(file, None, "", f"cannot read: {exc}")]) from None
    raw, lines = load(text, file)
    if raw is None:
        raise ConfigError([Problem(file, None, "", "the file is empty: a config needs at least one key "
                                                   "(`data: {name: sine}` is a whole config)")])
    return raw, lines


def from_mapping(raw, file: str, lines: dict | None = None, overrides=(), max_runs: int | None = None
                 ) -> Config | Comparison:
    """A config from one parsed mapping (a YAML file's, or a dict given in Python): `--set` overrides
    applied, then validated or expanded into a Comparison. `file` names it in messages and outputs; `lines`
    maps key paths to their lines (none for a dict). `raw` is changed in place."""
    lines = lines if lines is not None else {}
    if not isinstance(raw, dict):
        raise ConfigError([Problem(file, lines.get(()), "",
                                   "the top level must be a mapping of keys (title, data, model, ...)")])
    set_paths = set()
    problems = []
    for item in overrides:
        try:
            k, value = _parse_override(item)
            _apply(raw, k, value)
            set_paths.add(k)
        except ValueError as exc:
            problems.append(Problem(file, None, "", f"--set {item}: {exc}"))
    if problems:
        raise ConfigError(problems)
    if "runs" in raw or "sweep" in raw:
        return expand(raw, file, lines, frozenset(set_paths), max_runs or MAX_RUNS, tuple(overrides))
    return validate(raw, file, lines, frozenset(set_paths), tuple(overrides))


def _parse_override(item: str) -> tuple[tuple, Any]:
    if "=" not in item:
        raise ValueError("expected key.path=value")
    k, text = item.split("=", 1)
    parts = tuple(k.strip().split("."))
    if not all(parts):
        raise ValueError("expected key.path=value")
    try:
        return parts, parse_scalar(text)
    except ConfigError as exc:
        raise ValueError(exc.problems[0].message) from None


def _apply(raw: dict, path: tuple, value: Any) -> None:
    node = raw
    for part in path[:-1]:
        nxt = node.get(part)
        if isinstance(nxt, str):  # `optimizer: adam` shorthand: --set train.optimizer.lr=0.1 still works
            nxt = node[part] = {"name": nxt}
        elif nxt is None:
            nxt = node[part] = {}
        elif not isinstance(nxt, dict):
            raise ValueError(f"{'.'.join(path[:-1])} is not a mapping")
        node = nxt
    node[path[-1]] = value


def expand(raw: dict, file: str, lines: dict, set_paths: frozenset, max_runs: int = MAX_RUNS,
           overrides: tuple[str, ...] = ()) -> Comparison:
    """The Comparison that `raw` (a config with runs: and/or sweep:) describes; ConfigError for every mistake."""
    problems: list[Problem] = []

    def error(line, path, message):
        problems.append(Problem(file, line, path, message))

    base = {k: v for k, v in raw.items() if k not in ("runs", "sweep")}
    variants = [("", [])]  # (label, [(key path, value, line, value line prefix)])
    if "runs" in raw:
        runs = raw["runs"]
        if not isinstance(runs, list) or not runs:
            error(lines.get(("runs",)), "runs", "expected a non-empty list of runs, each {label: ..., key.path: value}")
        else:
            variants = []
            for i, run in enumerate(runs):
                at = lines.get(("runs", i), lines.get(("runs",)))
                if not isinstance(run, dict) or not isinstance(run.get("label"), str) or not run["label"]:
                    error(at, f"runs[{i}]", "each run needs a label: {label: Adam, train.optimizer.name: adam}")
                    continue
                sets = [(tuple(str(k).split(".")), v, lines.get(("runs", i, k), at), ("runs", i, k))
                        for k, v in run.items() if k != "label"]
                variants.append((run["label"], sets))
    if "sweep" in raw:
        sweep = raw["sweep"]
        at = lines.get(("sweep",))
        if not isinstance(sweep, dict) or not sweep:
            error(at, "sweep", "expected a mapping of key.path: [values, ...]")
        else:
            axes = []
            for k, values in sweep.items():
                kl = lines.get(("sweep", k), at)
                if not isinstance(values, list) or not values:
                    error(kl, f"sweep.{k}", "expected a non-empty list of values")
                    continue
                short = str(k).split(".")[-1]
                axes.append([(f"{short}={_show(v)}", (tuple(str(k).split(".")), v, kl, ("sweep", k, j)))
                             for j, v in enumerate(values)])
            count = len(variants) * math.prod(len(a) for a in axes)  # counted before they are made
            if count > max_runs:
                raise ConfigError([Problem(file, at, "sweep", f"{count:,} runs is more than {max_runs} "
                                                              "(give --max-runs to allow more)")])
            variants = [(", ".join(x for x in [label] + [a[0] for a in combo] if x), sets + [a[1] for a in combo])
                        for (label, sets), combo in itertools.product(variants, itertools.product(*axes))]
    if problems:
        raise ConfigError(problems)
    where = lines.get(("sweep",)) or lines.get(("runs",))
    if len(variants) > max_runs:
        raise ConfigError([Problem(file, where, "sweep" if "sweep" in raw else "runs",
                                   f"{len(variants)} runs is more than {max_runs} (give --max-runs to allow more)")])
    seen = {}
    for label, sets in variants:
        if label in seen:
            error(sets[0][2] if sets else where, "runs", f"the label '{label}' is used twice")
        seen[label] = True
    for _label, sets in variants:
        for key, _, line, _ in sets:
            if key[0] in ("render", "title", "runs", "sweep"):
                error(line, ".".join(key), f"{key[0]} is shared by all runs of a comparison; set it outside runs/sweep")
    if problems:
        raise ConfigError(_unique(problems))
    configs = []
    for label, sets in variants:
        run = copy.deepcopy(base)
        run_lines = dict(lines)
        for key, value, line, src in sets:
            try:
                _apply(run, key, copy.deepcopy(value))
            except ValueError as exc:
                error(line, ".".join(key), str(exc))
                continue
            for p in [p for p in run_lines if p[: len(key)] == key]:
                del run_lines[p]  # the base's lines under a replaced key no longer apply
            run_lines[key] = line
            for n in range(1, len(key)):  # keys the override made (a misspelt one, say) are at its line too
                run_lines.setdefault(key[:n], line)
            for p, ln in lines.items():  # lines inside an override's value
                if p[: len(src)] == src and len(p) > len(src):
                    run_lines[key + p[len(src):]] = ln
        run["title"] = label
        try:
            configs.append(validate(run, file, run_lines, set_paths, overrides))
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(_unique(problems))
    w, h = configs[0].render.size
    if w < MIN_SIZE[0] or h < MIN_SIZE[1]:
        at = lines.get(("render", "size"), lines.get(("render",)))
        raise ConfigError([Problem(file, at, "render.size", f"a comparison needs at least "
                                   f"{MIN_SIZE[0]}x{MIN_SIZE[1]} pixels for its grid, got {w}x{h}")])
    title = validate({"title": raw["title"]} if "title" in raw else {}, file, lines, set_paths).title  # (checked)
    return Comparison(file, title, tuple(v[0] for v in variants), tuple(configs), configs[0].render, overrides)


def _unique(problems: list[Problem]) -> list[Problem]:
    """Each problem once (a mistake in the base shows up in every run), in line order."""
    out = list(dict.fromkeys(problems))
    return sorted(out, key=lambda p: (p.line is None, p.line or 0))


def _show(v) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, list):
        return "[" + ",".join(_show(x) for x in v) + "]"
    if isinstance(v, dict):
        return v.get("name", str(v)) if len(v) == 1 else ", ".join(f"{k}={_show(x)}" for k, x in v.items())
    return str(v)



def with_formats(cfg: Config | Comparison, formats) -> Config | Comparison:
    """`cfg` rendered in `formats` instead of its render.formats (the command line's --format)."""
    if not formats:
        return cfg
    render = dataclasses.replace(cfg.render, formats=tuple(dict.fromkeys(formats)))
    if isinstance(cfg, Comparison):
        return dataclasses.replace(cfg, render=render, runs=tuple(dataclasses.replace(r, render=render)
                                                                  for r in cfg.runs))
    return dataclasses.replace(cfg, render=render)
