"""nnviz from Python: `nnviz.render(...)` renders a config (a file or a dict) and returns a `Video`, which
plays inline in Jupyter.

    import nnviz
    v = nnviz.render("configs/sine-2x10-adam.yaml")
    v = nnviz.render({"data": {"name": "circle"}, "train": {"loss": "bce"}, "model": {"output": "sigmoid"}},
                     name="circle")
    v.video, v.poster, v.final_loss
    v                                   # in a notebook: the video, with its poster

The files go where the command line puts them (`out/name/`), bad input raises `nnviz.ConfigError` with
the CLI's one-line problems as its text, and rendering twice in one process works.
"""
from __future__ import annotations

import base64
import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import FORMAT_NAMES
from .datasets import DataError, as_arrays
from .errors import ConfigError, Problem, RenderError
from .experiment import MAX_NAME, from_mapping, read_mapping, with_formats
from .files import atomic_path
from .yamlsrc import plain
from .outputs import Manifest, read_manifest
from .record import load_recording

INLINE_BYTES = 20 * 1024 * 1024  # a video up to this size is embedded in the notebook itself
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")  # no dot: outputs are named NAME.mp4, NAME.weights.npz, ...
MIME = {"mp4": "video/mp4", "webm": "video/webm", "gif": "image/gif"}


@dataclass(frozen=True)
class Video:
    """A rendered config: its folder and manifest, the paths of its files, and how it went."""

    folder: Path
    manifest: Manifest

    def _file(self, role: str) -> Path | None:
        name = self.manifest.files.get(role)
        return self.folder / name if name else None

    @property
    def video(self) -> Path:
        """The main video: the first of the formats rendered (MP4 unless asked otherwise)."""
        role = next(r for r in ("mp4", "webm", "gif") if r in self.manifest.files)
        return self._file(role)

    @property
    def poster(self) -> Path:
        return self._file("poster")

    @property
    def snapshots(self) -> Path:
        return self._file("snapshots")

    @property
    def final_loss(self) -> float | None:
        return self.manifest.final_loss

    @property
    def diverged_at(self) -> int:
        return self.manifest.diverged_at

    @property
    def timeline(self) -> tuple[int, ...]:
        return self.manifest.timeline

    def _repr_html_(self) -> str:
        """A <video> with its poster: the files' bytes inline (data URIs) when the video is at most
        INLINE_BYTES, so a saved notebook shows it anywhere; else the video by its path."""
        m, video = self.manifest, self.video
        w, h = m.gif_size or m.size if video.suffix == ".gif" else m.size
        inline = video.stat().st_size <= INLINE_BYTES
        src = _data_uri(video) if inline else html.escape(video.as_posix(), quote=True)
        title = html.escape(m.title, quote=True)
        style = "max-width: 100%; height: auto;"
        if video.suffix == ".gif":
            return f'<img src="{src}" width="{w}" height="{h}" style="{style}" alt="{title}">'
        poster = _data_uri(self.poster) if inline else html.escape(self.poster.as_posix(), quote=True)
        return (f'<video controls loop muted playsinline poster="{poster}" width="{w}" height="{h}" '
                f'style="{style}" title="{title}"><source src="{src}" type="{MIME[video.suffix[1:]]}"></video>')

    def show(self) -> None:
        """Display the video in a notebook (IPython's display), or print where it is."""
        try:
            from IPython.display import HTML, display
        except ImportError:
            print(self.video)
            return
        display(HTML(self._repr_html_()))


def _data_uri(file: Path) -> str:
    kind = MIME.get(file.suffix[1:], "image/png")
    return f"data:{kind};base64," + base64.b64encode(file.read_bytes()).decode("ascii")


def name_of(config, name: str | None) -> str:
    """The outputs' name: `name`, else a config file's stem, else the title made into a file name."""
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name must be a string, not {type(name).__name__}")
    if name is None and isinstance(config, (str, Path)):
        return Path(config).stem
    if name is None:
        title = config.get("title") if isinstance(config, dict) else None
        name = re.sub(r"[^A-Za-z0-9_-]+", "-", str(title)).strip("-_")[:MAX_NAME] if title else None
    if not name or not NAME.match(name) or len(name.encode()) > MAX_NAME:
        raise ConfigError([Problem(str(name or "<config>"), None, "", "give name=: the outputs' folder and file "
                                   "names (letters, digits, '_' and '-', at most 200 bytes)")])
    return name


def _arrays(data, source: str) -> tuple:
    """(x (N, d), y (N, k)) float64 from `data=(x, y)`; ConfigError saying what is wrong with them."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ConfigError([Problem(source, None, "data", "data= must be a pair (x, y) of arrays")])
    try:
        return as_arrays(*data)
    except DataError as exc:
        raise ConfigError([Problem(source, None, "data", str(exc))]) from None


def _with_data(raw, data, file: Path) -> dict:
    """The config mapping with `data` replaced by the arrays in `file` (its test_fraction kept)."""
    if not isinstance(raw, dict):
        return raw  # (validation says what is wrong with it)
    old = raw.get("data") if isinstance(raw.get("data"), dict) else {}
    raw["data"] = {"name": "file", "path": str(file),
                   **({"test_fraction": old["test_fraction"]} if "test_fraction" in old else {})}
    return raw


def render(config, *, data=None, out: str | Path = "outputs", name: str | None = None, overrides=(),
           force: bool = False, formats=None, progress: bool = False) -> Video:
    """Render `config` — a config file's path, or a dict of the same keys — into `out/name/` and return the
    Video. `data=(x, y)`: NumPy arrays (N, d) and (N,) or (N, k) as the training data, in place of the
    config's (its `test_fraction` still applies; they are kept as out/name/name.data.npz). `overrides` are
    `--set` items ("train.optimizer.lr=0.1"); `formats` replaces render.formats; `force` renders again even
    when the outputs are up to date; `progress`: a bar on stderr. A `.npz` path is a recording saved by
    nnviz.Recorder (overrides: title and render.* only). ConfigError on bad input (its text: one problem a
    line, as the CLI prints them; nothing is written), RenderError when drawing or encoding fails."""
    if not isinstance(config, (str, Path, dict)):
        raise TypeError(f"config must be a path or a dict, not {type(config).__name__}")
    stem = name_of(config, name)
    file = Path(config) if isinstance(config, (str, Path)) else None
    if file is not None and name is not None and stem != file.stem:
        raise ConfigError([Problem(str(config), None, "", "name= differs from the file's name: a config file's "
                                   "outputs are named after it")])
    if file is not None and file.suffix.lower() == ".npz":
        if data is not None:
            raise ConfigError([Problem(str(file), None, "data", "a recording holds its data; data= is for configs")])
        return render_job(load_recording(file, overrides), out, force, formats, progress)
    raw, lines = read_mapping(file) if file is not None else (plain(config), {})
    arrays = _arrays(data, str(file or stem)) if data is not None else None
    keep = Path(out) / stem / f"{stem}.data.npz"
    if arrays is not None:
        raw = _with_data(raw, arrays, keep.resolve())
    cfg = from_mapping(raw, str(file or stem), lines, list(overrides))  # checked before the arrays are kept
    if arrays is not None:
        keep.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(keep) as tmp:
            with open(tmp, "wb") as fh:
                np.savez(fh, x=arrays[0], y=arrays[1])
    return render_job(cfg, out, force, formats, progress)


def render_job(job, out, force: bool, formats, progress: bool):
    """Render a Config, Comparison or Recording into out/ and return its Video (the CLI's pipeline)."""
    from .pipeline import render as render_config

    if not isinstance(out, (str, Path)):
        raise TypeError(f"out must be a folder's path, not {type(out).__name__}")
    if formats is not None:
        formats = (formats,) if isinstance(formats, str) else formats
        if not isinstance(formats, (list, tuple)) or not formats or not all(f in FORMAT_NAMES for f in formats):
            raise ConfigError([Problem(job.source, None, "formats", f"expected some of {', '.join(FORMAT_NAMES)}, "
                                       f"got {formats!r}")])
        job = with_formats(job, tuple(formats))
    result = render_config(job, out, Bar() if progress else None, force=force)
    manifest = read_manifest(result.outputs.manifest)
    if manifest is None:
        raise RenderError(f"{result.outputs.manifest} was not written")
    return Video(result.outputs.folder, manifest)


class Bar:
    """A progress bar on stderr (`progress=True`): one line a stage, redrawn in place."""

    WIDTH = 30

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.stage, self.shown = None, -1

    def __call__(self, stage: str, done: int, total: int) -> None:
        pct = int(100 * done / total) if total else 100
        if stage != self.stage:
            if self.stage is not None:
                self.stream.write("\n")
            self.stage, self.shown = stage, -1
        if pct != self.shown:
            self.shown = pct
            bar = "#" * (self.WIDTH * pct // 100)
            self.stream.write(f"\r{stage:<9} [{bar:<{self.WIDTH}}] {pct:3d}%")
            if pct == 100:
                self.stream.write("\n")
                self.stage = None
            self.stream.flush()
