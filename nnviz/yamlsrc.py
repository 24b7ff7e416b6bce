"""YAML text -> plain Python data plus the line of every key, so errors can name file:line."""
from __future__ import annotations

import json
import re

import yaml

from . import limits
from .errors import ConfigError, Problem

Path_ = tuple  # a key path: ("train", "optimizer", "lr") or ("model", "hidden", 0)
PLAIN_SCALARS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null")}
PLAIN_COLLECTIONS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}

# YAML 1.1 reads `1e-3` (no dot) as a string; a user means a number.
_NUMBER = re.compile(r"^[-+]?(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def load(text: str, file: str) -> tuple[object, dict[Path_, int]]:
    """Parse YAML `text`; return (data, lines) where lines maps each key path to its 1-based line.

    Raises ConfigError for invalid YAML and duplicate keys (all duplicates at once).
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise ConfigError([Problem(file, None, "", "invalid YAML: nested too deeply")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError([Problem(file, line, "", f"invalid YAML: {what}")]) from None
    lines: dict[Path_, int] = {}
    problems: list[Problem] = []
    if node is None:
        return None, lines
    lines[()] = node.start_mark.line + 1
    builder = _Builder(file, lines, problems)
    try:
        data = builder.build(node, ())
    except _Refused as exc:
        raise ConfigError([Problem(file, exc.line, "", exc.message)]) from None
    except RecursionError:
        raise ConfigError([Problem(file, None, "", "invalid YAML: nested too deeply")]) from None
    if problems:
        raise ConfigError(problems)
    return data, lines


def plain(value):
    """A value given in Python as YAML would give it: lists, not tuples or NumPy arrays; plain numbers."""
    return json.loads(json.dumps(value, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)))


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


class _Refused(Exception):
    """A document nnviz will not read (an alias loop, too many values, a value YAML cannot make)."""

    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line, self.message = line, message


class _Builder:
    """Plain data from a composed YAML node graph, with the line of every key; aliases are followed, but a
    loop or more values in all than the yaml_values limit is refused, and so is any tag beyond plain YAML's."""

    def __init__(self, file: str, lines: dict, problems: list):
        self.file, self.lines, self.problems = file, lines, problems
        self.constructor = yaml.SafeLoader("")
        self.nodes, self.most = 0, limits.current().yaml_values  # a config is a page; an alias bomb, billions
        self.open: set[int] = set()  # the nodes being built: meeting one again is a loop

    def build(self, node, path):
        self.nodes += 1
        line = node.start_mark.line + 1
        if self.nodes > self.most:
            raise _Refused(line, f"more than {self.most:,} values once aliases are expanded (an alias bomb?); "
                                 "raise --limit yaml_values if you mean it")
        if id(node) in self.open:
            raise _Refused(line, "an alias refers to a value that contains it (a loop)")
        if not isinstance(node, yaml.ScalarNode) and node.tag not in PLAIN_COLLECTIONS:
            raise _Refused(line, f"the tag {node.tag} is not plain YAML: nnviz reads text, numbers, "
                                 "true/false, lists and mappings")
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                out = []
                for i, item in enumerate(node.value):
                    self.lines[path + (i,)] = item.start_mark.line + 1
                    out.append(self.build(item, path + (i,)))
                return out
            return self._scalar(node, line)
        finally:
            self.open.discard(id(node))

    def _mapping(self, node, path) -> dict:
        out = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(line, "merge keys (<<) are not supported: write the keys out")
            key = self._scalar(key_node, line) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "a list or mapping"
                self.problems.append(Problem(self.file, line, dotted(path),
                                             f"a key must be a name, got {shown} (quote it: '{shown}')"))
                continue
            if key in out:
                self.problems.append(Problem(self.file, line, dotted(path + (key,)),
                                             f"duplicate key (first given on line {self.lines[path + (key,)]})"))
                continue
            self.lines[path + (key,)] = line
            out[key] = self.build(value_node, path + (key,))
        return out

    def _scalar(self, node, line):
        if node.tag == "tag:yaml.org,2002:timestamp":  # 2024-01-01 in a title is text
            return node.value
        if node.tag not in PLAIN_SCALARS:
            raise _Refused(line, f"the tag {node.tag} is not plain YAML: nnviz reads text, numbers, "
                                 "true/false, lists and mappings")
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError) as exc:
            raise _Refused(line, f"invalid value: {str(exc).splitlines()[0]}") from None
        if isinstance(value, str) and node.style is None and _NUMBER.match(value):
            value = float(value.replace("_", ""))
        return value
