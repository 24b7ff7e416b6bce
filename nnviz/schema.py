"""Typed, documented parameters and a checker that collects every problem of a config at once."""
from __future__ import annotations

import math
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .errors import ConfigError, Problem
from .registry import did_you_mean
from .yamlsrc import dotted

REQUIRED = object()


# --- kinds: value -> converted value, or ValueError(message) --------------------------------------
def number(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"expected a number, got {_show(v)}")
    if not math.isfinite(v):
        raise ValueError(f"expected a finite number, got {v}")
    return float(v)


def integer(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not v.is_integer()):
        raise ValueError(f"expected a whole number, got {_show(v)}")
    return int(v)


def boolean(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError(f"expected true or false, got {_show(v)}")
    return v


def string(v: Any) -> str:
    if not isinstance(v, str):
        raise ValueError(f"expected a name, got {_show(v)}")
    return v


def numbers(v: Any) -> tuple[float, ...]:
    if not isinstance(v, list):
        raise ValueError(f"expected a list of numbers, got {_show(v)}")
    return tuple(number(x) for x in v)


def rows(v: Any) -> tuple:
    """A list of numbers or a list of equally long lists of numbers (table data)."""
    if not isinstance(v, list) or not v:
        raise ValueError(f"expected a non-empty list, got {_show(v)}")
    if all(isinstance(r, list) for r in v):
        out = tuple(numbers(r) for r in v)
        if len({len(r) for r in out}) != 1:
            raise ValueError("rows have different lengths")
        return out
    return numbers(v)


def choice(*options: str) -> Callable[[Any], str]:
    def kind(v: Any) -> str:
        if v not in options:
            raise ValueError(f"expected one of {', '.join(options)}, got {_show(v)}{did_you_mean(v, options)}")
        return v

    kind.__name__ = "one of " + "|".join(options)
    return kind


def file_path(v: Any) -> str:
    """A file path; made absolute against the config's folder by Checker.take."""
    return string(v)


# --- checks: value -> None, or ValueError(message) ------------------------------------------------
def positive(v) -> None:
    if not v > 0:
        raise ValueError(f"must be > 0, got {v}")


def nonnegative(v) -> None:
    if not v >= 0:
        raise ValueError(f"must be >= 0, got {v}")


def at_least(lo) -> Callable:
    def check(v) -> None:
        if not v >= lo:
            raise ValueError(f"must be >= {lo}, got {v}")

    return check


def in_range(lo, hi, hi_open=True) -> Callable:
    def check(v) -> None:
        if not (lo <= v < hi if hi_open else lo <= v <= hi):
            raise ValueError(f"must be in [{lo}, {hi}{')' if hi_open else ']'}, got {v}")

    return check


def each(check: Callable) -> Callable:
    def run(values) -> None:
        for v in values:
            check(v)

    return run


def length(n: int) -> Callable:
    def check(values) -> None:
        if len(values) != n:
            raise ValueError(f"expected {n} values, got {len(values)}")

    return check


def _show(v: Any) -> str:
    if isinstance(v, str):
        return f"'{v}'"
    if v is None:
        return "nothing (null)"
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, (list, dict)):
        return "a list" if isinstance(v, list) else "a mapping"
    return repr(v)


@dataclass(frozen=True)
class Param:
    """One documented key: of a registry entry (dataset, initialiser, optimizer) or of a config section.

    `kind` None: the section's reader handles the key itself (a registry name with its own keys, a
    nested section). `shown`: the default as the docs write it, when that is not the value itself."""

    default: Any  # REQUIRED when the user must give it
    kind: Callable[[Any], Any] | None
    doc: str
    check: Callable[[Any], None] | None = None
    shown: str | None = None


def key(default: Any, kind: Callable | None, doc: str, check: Callable | None = None, shown: str | None = None):
    """A config section's field, declared once: its default, how it is read and checked, and its doc."""
    return dataclasses.field(default=default, metadata={"param": Param(default, kind, doc, check, shown)})


def params_of(cls) -> dict[str, Param]:
    """The documented keys of a config section (a dataclass declared with `key`), in order."""
    return {f.name: f.metadata["param"] for f in dataclasses.fields(cls) if "param" in f.metadata}


def shown_default(p: Param) -> str:
    """A default as the docs write it: `true`, `[1280, 720]`, 0.001, `tanh`."""
    if p.shown is not None:
        return p.shown
    v = p.default
    if v is REQUIRED:
        return "required"
    if v is None:
        return "—"
    if isinstance(v, bool):
        return f"`{str(v).lower()}`"
    if isinstance(v, str):
        return f"`{v}`" if v else "''"
    if isinstance(v, tuple):
        return "`[" + ", ".join(f"{x:g}" if isinstance(x, float) else str(x) for x in v) + "]`"
    return f"{v:g}" if isinstance(v, float) else str(v)


def doc_table(specs: dict[str, Param]) -> str:
    """The Markdown table of keys, defaults and meanings that docs/config.md shows for `specs`."""
    rows = ["| key | default | meaning |", "|---|---|---|"]
    rows += [f"| `{k}` | {shown_default(p)} | {p.doc} |" for k, p in specs.items()]
    return "\n".join(rows)


class Checker:
    """Reads raw config data key by key, converting values and collecting every problem with its line."""

    def __init__(self, file: str, lines: dict, base_dir: Path, set_paths: frozenset = frozenset()):
        self.file, self.lines, self.base_dir, self.set_paths = file, lines, base_dir, set_paths
        self.problems: list[Problem] = []

    def line_of(self, path: tuple) -> int | None:
        for n in range(len(path), 0, -1):
            if path[:n] in self.set_paths:
                return None
            if path[:n] in self.lines:
                return self.lines[path[:n]]
        return self.lines.get(())

    def error(self, path: tuple, message: str) -> None:
        where = dotted(path)
        if any(path[:n] in self.set_paths for n in range(1, len(path) + 1)):
            message = f"{message} (from --set)"
        self.problems.append(Problem(self.file, self.line_of(path), where, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise ConfigError(sorted(self.problems, key=lambda p: (p.line is None, p.line or 0)))

    def mapping(self, raw: Any, path: tuple) -> dict:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.error(path, f"expected a mapping of keys, got {_show(raw)}")
            return {}
        return raw

    def take(self, raw: dict, path: tuple, key: str, kind, default=REQUIRED, check=None):
        """raw[key] converted by `kind` and verified by `check`; the default when absent or wrong."""
        if key not in raw:
            if default is REQUIRED:
                self.error(path + (key,), "required key is missing")
                return None
            return default
        try:
            value = kind(raw[key])
            if check is not None:
                check(value)
        except ValueError as exc:
            self.error(path + (key,), str(exc))
            return None if default is REQUIRED else default
        if kind is file_path:
            value = str((self.base_dir / value).resolve())
        return value

    def unknown(self, raw: dict, path: tuple, known) -> None:
        for key in raw:
            if key not in known:
                self.error(path + (key,), f"unknown key{did_you_mean(key, known)}; valid: {', '.join(sorted(known))}")

    def params(self, raw: dict, path: tuple, specs: dict[str, Param], skip=("name",)) -> dict:
        """Every Param of `specs` with a kind read from raw (defaults filled in); unknown keys are problems.

        Keys without a kind are left to the caller (and are not unknown)."""
        out = {}
        for k, spec in specs.items():
            if spec.kind is not None:
                out[k] = self.take(raw, path, k, spec.kind, spec.default, spec.check)
        self.unknown(raw, path, set(specs) | set(skip))
        return out
