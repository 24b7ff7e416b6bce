"""Cache keys: what an output was made from, so that nothing is trained or drawn twice, and nothing stale counts.

- train_key: the config but its title and render settings, the content (not the place) of every data
  or weights file or folder it names, nnviz's version and the source of its training code;
- render_key: train_key(s) (a recording: a hash of what it recorded), the title, the render settings, the labels and all of nnviz's source.

Including nnviz's own source makes an edit during development re-draw (or retrain) on the next
`nnviz render`, instead of hiding behind "up to date".
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from pathlib import Path

from . import __version__
from .config import Config
from .record import Recording
from .snapshots import fingerprint

PACKAGE = Path(__file__).resolve().parent
DRAWING = ("draw", "embed.py", "cli.py")  # source that changes how a run looks, not how it trains


def content_hash(path: str | Path) -> str:
    """sha256 of a file's bytes; of a folder, of every file below it (names and contents); "missing" if neither."""
    path = Path(path)
    try:
        if path.is_dir():
            h = hashlib.sha256()
            for f in sorted(p for p in path.rglob("*") if p.is_file()):
                h.update(f"{f.relative_to(path).as_posix()}\0{content_hash(f)}\0".encode())
            return "folder:" + h.hexdigest()
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


@functools.lru_cache(maxsize=2)
def source_digest(training_only: bool) -> str:
    """A hash of nnviz's own .py files (all of them, or those that training depends on)."""
    h = hashlib.sha256(__version__.encode())
    for f in sorted(PACKAGE.rglob("*.py")):
        rel = f.relative_to(PACKAGE).as_posix()
        if training_only and rel.split("/")[0] in DRAWING:
            continue
        h.update(rel.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def train_key(cfg: Config) -> str:
    """A hash of everything training one run depends on."""
    d = cfg.to_dict()
    for k in ("title", "render"):
        d.pop(k)
    for section in (d["data"]["params"], d["model"]["init"]["params"]):
        if section.get("path"):
            section["path"] = content_hash(section["path"])
    return hashlib.sha256((json.dumps(d, sort_keys=True) + source_digest(True)).encode()).hexdigest()


def runs_key(cfg) -> str:
    """The train keys of every run of a Config or Comparison, joined; of a Recording, what it recorded."""
    if isinstance(cfg, Recording):
        return "recorded:" + fingerprint(cfg.history)
    return "+".join(train_key(r) for r in cfg.runs)


def render_key(cfg) -> str:
    """A hash of everything the outputs depend on: training, the title, the render settings, the labels."""
    extra = json.dumps({"title": cfg.title, "render": dataclasses.asdict(cfg.render),
                        "labels": list(getattr(cfg, "labels", ()))}, sort_keys=True)
    return hashlib.sha256((runs_key(cfg) + extra + source_digest(False)).encode()).hexdigest()
