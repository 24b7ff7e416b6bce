"""The exceptions nnviz raises; the CLI maps each kind to an exit status and a one-line message."""
from __future__ import annotations

from dataclasses import dataclass


class NnvizError(Exception):
    """Base of every error nnviz reports to a user (never a bug)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a config: where it is and what is wrong."""

    file: str
    line: int | None  # 1-based; None when there is no line (e.g. a --set override)
    path: str  # dotted key path, "" for the whole file
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ConfigError(NnvizError):
    """A config (or a file it names) is wrong; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class RenderError(NnvizError):
    """Drawing or encoding failed (ffmpeg exited non-zero, wrote the wrong number of frames, ...)."""


def unpickled(exc: Exception) -> str:
    """What is wrong with an .npz file, without NumPy's advice to load untrusted files unsafely."""
    if "allow_pickle" in str(exc):
        return "it holds Python objects (pickled arrays), which nnviz never loads; save plain number arrays"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def one_line(exc: BaseException) -> str:
    """An exception as one printable line (a message may hold newlines or terminal escapes)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = "".join(c if c.isprintable() else "?" for c in text)
    return f"{type(exc).__name__}: {text}" if not isinstance(exc, NnvizError) else text
