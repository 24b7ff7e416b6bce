"""YAML text -> plain Python data plus the line of every key, so errors can name file:line."""
from __future__ import annotations

import re

import yaml

from .errors import ConfigError, Problem

Path_ = tuple  # a key path: ("train", "optimizer", "lr") or ("model", "hidden", 0)

# YAML 1.1 reads `1e-3` (no dot) as a string; a user means a number.
_NUMBER = re.compile(r"^[-+]?(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def load(text: str, file: str) -> tuple[object, dict[Path_, int]]:
    """Parse YAML `text`; return (data, lines) where lines maps each key path to its 1-based line.

    Raises ConfigError for invalid YAML and duplicate keys (all duplicates at once).
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError([Problem(file, line, "", f"invalid YAML: {what}")]) from None
    lines: dict[Path_, int] = {}
    problems: list[Problem] = []
    constructor = yaml.SafeLoader("")
    if node is None:
        return None, lines
    lines[()] = node.start_mark.line + 1
    data = _build(node, (), lines, problems, file, constructor)
    if problems:
        raise ConfigError(problems)
    return data, lines


def parse_scalar(text: str) -> object:
    """A `--set` value: YAML for one scalar or flow collection (`0.1`, `[10, 10]`, `{name: adam}`)."""
    data, _ = load(text, "--set")
    return data


def dotted(path: Path_) -> str:
    """('model', 'hidden', 0) -> 'model.hidden[0]'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _build(node, path, lines, problems, file, constructor):
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                problems.append(Problem(file, key_node.start_mark.line + 1, dotted(path), "a key must be a plain name"))
                continue
            line = key_node.start_mark.line + 1
            if key in out:
                problems.append(
                    Problem(file, line, dotted(path + (key,)), f"duplicate key (first given on line {lines[path + (key,)]})")
                )
                continue
            lines[path + (key,)] = line
            out[key] = _build(value_node, path + (key,), lines, problems, file, constructor)
        return out
    if isinstance(node, yaml.SequenceNode):
        out = []
        for i, item in enumerate(node.value):
            lines[path + (i,)] = item.start_mark.line + 1
            out.append(_build(item, path + (i,), lines, problems, file, constructor))
        return out
    value = constructor.construct_object(node, deep=True)
    if isinstance(value, str) and node.style is None and _NUMBER.match(value):
        value = float(value.replace("_", ""))
    return value
