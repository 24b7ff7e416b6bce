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
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import limits
from .errors import ConfigError, Problem, RenderError
from .experiment import MAX_NAME, from_mapping, read_mapping, with_formats
from .files import atomic_path
from .outputs import Manifest, read_manifest

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


def _plain(value):
    """A dict given in Python as YAML would give it: lists, not tuples or NumPy arrays; plain numbers."""
    return json.loads(json.dumps(value, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)))


def _name_of(config, name: str | None) -> str:
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
    def wrong(message: str):
        return ConfigError([Problem(source, None, "data", message)])

    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise wrong("data= must be a pair (x, y) of arrays")
    out = []
    for label, a in zip("xy", data):
        try:
            a = np.asarray(a, dtype=float)
        except (TypeError, ValueError) as exc:
            raise wrong(f"{label} is not an array of numbers ({exc})") from None
        if a.ndim == 1:
            a = a[:, None]
        if a.ndim != 2 or not a.size:
            raise wrong(f"{label} must have one or two dimensions (samples, columns) and some values, "
                        f"got shape {a.shape}")
        if not np.isfinite(a).all():
            row = int(np.flatnonzero(~np.isfinite(a).all(axis=1))[0])
            raise wrong(f"{label} has a value that is not finite (NaN or infinite) in row {row}")
        out.append(a)
    if len(out[0]) != len(out[1]):
        raise wrong(f"x has {len(out[0])} rows but y has {len(out[1])}")
    lim = limits.current()
    for label, a in zip("xy", out):
        problem = lim.check("samples", len(a), f"the rows of {label}") or \
            lim.check("memory", a.size * 8 * 3, f"the bytes of {label} as numbers (x 3)")
        if problem:
            raise wrong(problem)
    return tuple(out)


def _with_data(raw, data, file: Path) -> dict:
    """The config mapping with `data` replaced by the arrays in `file` (its test_fraction kept)."""
    if not isinstance(raw, dict):
        return raw  # (validation says what is wrong with it)
    old = raw.get("data") if isinstance(raw.get("data"), dict) else {}
    raw["data"] = {"name": "file", "path": str(file),
                   **({"test_fraction": old["test_fraction"]} if "test_fraction" in old else {})}
    return raw


def render(config, *, data=None, out: str | Path = "outputs", name: str | None = None, overrides=(),
           force: bool = False, formats=None) -> Video:
    """Render `config` — a config file's path, or a dict of the same keys — into `out/name/` and return the
    Video. `data=(x, y)`: NumPy arrays (N, d) and (N,) or (N, k) as the training data, in place of the
    config's (its `test_fraction` still applies; they are kept as out/name/name.data.npz). `overrides` are
    `--set` items ("train.optimizer.lr=0.1"); `formats` replaces render.formats; `force` renders again even
    when the outputs are up to date. ConfigError on bad input (its text: one problem a line, as the CLI
    prints them; nothing is written), RenderError when drawing or encoding fails."""
    from .pipeline import render as render_config

    if not isinstance(config, (str, Path, dict)):
        raise TypeError(f"config must be a path or a dict, not {type(config).__name__}")
    stem = _name_of(config, name)
    file = Path(config) if isinstance(config, (str, Path)) else None
    if file is not None and name is not None and stem != file.stem:
        raise ConfigError([Problem(str(config), None, "", "name= differs from the file's name: a config file's "
                                   "outputs are named after it")])
    raw, lines = read_mapping(file) if file is not None else (_plain(config), {})
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
    if formats is not None:
        cfg = with_formats(cfg, tuple([formats] if isinstance(formats, str) else formats))
    result = render_config(cfg, out, force=force)
    manifest = read_manifest(result.outputs.manifest)
    if manifest is None:
        raise RenderError(f"{result.outputs.manifest} was not written")
    return Video(result.outputs.folder, manifest)
