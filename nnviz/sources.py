"""Which config files a command means: files, folders (every *.yaml / *.yml below) and glob patterns.

Kept free of NumPy, so the command line can decide how many threads NumPy may use before it loads.
"""
from __future__ import annotations

import glob
from pathlib import Path

from .errors import NnvizError


class BatchError(NnvizError):
    """The batch cannot start (e.g. two configs would write the same output)."""


def find_configs(paths) -> list[Path]:
    """Config files from files, folders (every *.yaml / *.yml below) and glob patterns, in order, once each."""
    out: list[Path] = []
    for p in paths:
        if any(c in str(p) for c in "*?[") and not Path(p).exists():
            matches = sorted(Path(m) for m in glob.glob(str(p), recursive=True))
            if not matches:
                raise BatchError(f"{p}: no file matches this pattern")
            found = [m for q in matches for m in (_in_folder(q) if q.is_dir() else [q])]
        else:
            p = Path(p)
            found = _in_folder(p) if p.is_dir() else [p]
        out.extend(f for f in found if f not in out)
    return out


def _in_folder(folder: Path) -> list[Path]:
    found = sorted(q for q in folder.rglob("*") if q.suffix in (".yaml", ".yml") and q.is_file())
    if not found:
        raise BatchError(f"{folder}: no *.yaml or *.yml config files in this folder")
    return found
