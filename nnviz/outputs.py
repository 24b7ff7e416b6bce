"""Where one config's files go, and the manifest (NAME.json) that says what they were made from.

The manifest is written last: until it is there and its key matches, the outputs do not count as up to
date. Pipeline, batch, remote, embed and the gallery all read and write it through `Manifest`; one read
from disk is untrusted input, checked field by field.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .files import read_regular_file, write_text

log = logging.getLogger(__name__)
MAX_MANIFEST_BYTES = 1 << 20  # nnviz's own are a few KB
VIDEO_ROLES = ("mp4", "webm", "gif")


@dataclass(frozen=True)
class Outputs:
    """Where one config's files go: folder/name.mp4, .webm, .gif, .png, .npz, .weights.npz, .json."""

    folder: Path
    name: str
    formats: tuple[str, ...] = ("mp4",)
    weights_file: bool = True  # a comparison keeps its runs' final weights in its snapshot file
    captions: bool = False  # whether the config asks for captions (then a WebVTT file holds them)

    @classmethod
    def of(cls, cfg, out_dir: str | Path) -> "Outputs":
        """The outputs of a Config or Comparison rendered into out_dir: out_dir/<config file name>/."""
        name = Path(cfg.source).stem
        return cls(Path(out_dir) / name, name, cfg.render.formats, weights_file=isinstance(cfg, Config),
                   captions=bool(cfg.render.captions))

    def path(self, suffix: str) -> Path:
        return self.folder / f"{self.name}{suffix}"

    @property
    def video(self) -> Path:  # the main video: the first format asked for
        return self.path("." + self.formats[0])

    @property
    def poster(self) -> Path:
        return self.path(".png")

    @property
    def snapshots(self) -> Path:
        return self.path(".npz")

    @property
    def weights(self) -> Path:
        return self.path(".weights.npz")

    @property
    def manifest(self) -> Path:
        return self.path(".json")

    def files(self) -> dict[str, str]:
        """Role -> file name, for the manifest."""
        out = {f: f"{self.name}.{f}" for f in self.formats}
        out.update(poster=self.poster.name, snapshots=self.snapshots.name)
        if self.captions:
            out["captions"] = f"{self.name}.vtt"
        if self.weights_file:
            out["weights"] = self.weights.name
        return out


@dataclass(frozen=True)
class RunResult:
    """One run of a comparison, as its table and the gallery show it."""

    label: str
    final_loss: float | None  # None when not finite
    final_accuracy: float | None  # classification only
    diverged_at: int  # -1 when it did not diverge


@dataclass(frozen=True)
class Manifest:
    name: str
    title: str
    summary: str  # one line: what was trained
    key: str  # keys.render_key of the config it was made from
    nnviz: str  # the version that made it
    files: dict[str, str]  # role (mp4, poster, snapshots, ...) -> file name in the same folder
    size: tuple[int, int]
    fps: float
    frames: int  # video frames, the held ones included
    iterations: int
    loss_name: str
    final_loss: float | None
    diverged_at: int
    gif_size: tuple[int, int] | None = None
    runs: tuple[RunResult, ...] = ()  # a comparison's runs
    overrides: tuple[str, ...] = ()  # the --set items it was rendered with
    timeline: tuple[int, ...] = ()  # the iteration each animated frame shows, in order (held frames excluded)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=1) + "\n"

    @classmethod
    def from_dict(cls, d) -> "Manifest":
        """A Manifest from parsed JSON; ValueError naming the first field that is missing or of the wrong type."""
        if not isinstance(d, dict):
            raise ValueError("not a JSON object")

        def field(name, *types, optional=False):
            if name not in d and optional:
                return None
            v = d.get(name)
            if (v is None and optional) or (isinstance(v, types) and not (isinstance(v, bool) and bool not in types)):
                return v
            raise ValueError(f"field {name!r} is missing or not a {'/'.join(t.__name__ for t in types)}")

        files = field("files", dict)
        if not files or not all(isinstance(k, str) and isinstance(v, str) and plain_name(v) for k, v in files.items()):
            raise ValueError("field 'files' must map roles to plain file names")
        videos = [k for k in files if k in VIDEO_ROLES]
        if not videos or "poster" not in files or any(not files[k].endswith("." + k) for k in videos):
            raise ValueError("field 'files' must name a poster and videos (mp4, webm, gif) with their own endings")
        size = field("size", list)
        if len(size) != 2 or not all(isinstance(v, int) and v > 0 for v in size):
            raise ValueError("field 'size' must be [width, height]")
        gif = field("gif_size", list, optional=True)
        runs = []
        for r in field("runs", list, optional=True) or []:
            if not isinstance(r, dict) or not isinstance(r.get("label"), str):
                raise ValueError("field 'runs' must be a list of runs with labels")
            runs.append(RunResult(r["label"], _number(r.get("final_loss")), _number(r.get("final_accuracy")),
                                  int(r.get("diverged_at", -1)) if isinstance(r.get("diverged_at", -1), int) else -1))
        overrides = field("overrides", list, optional=True) or []
        timeline = field("timeline", list, optional=True) or []
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in timeline):
            raise ValueError("field 'timeline' must be a list of iterations")
        return cls(
            name=field("name", str), title=field("title", str), summary=field("summary", str), key=field("key", str),
            nnviz=field("nnviz", str), files=dict(files), size=(size[0], size[1]), fps=float(field("fps", int, float)),
            frames=field("frames", int), iterations=field("iterations", int), loss_name=field("loss_name", str),
            final_loss=_number(field("final_loss", int, float, optional=True)), diverged_at=field("diverged_at", int),
            gif_size=tuple(gif) if gif and len(gif) == 2 and all(isinstance(v, int) for v in gif) else None,
            runs=tuple(runs), overrides=tuple(str(o) for o in overrides), timeline=tuple(timeline),
        )


def plain_name(name: str) -> bool:
    return bool(name) and "/" not in name and "\\" not in name and name not in (".", "..") and "\0" not in name


def _number(v) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def read_manifest(file: str | Path, warn: bool = False) -> Manifest | None:
    """The manifest at `file`, or None when there is none or it is not a valid one (with a warning if `warn`)."""
    try:
        return Manifest.from_dict(json.loads(read_regular_file(file, MAX_MANIFEST_BYTES, "manifest").decode("utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as exc:  # (JSONDecodeError and UnicodeDecodeError are ValueErrors)
        if warn:
            log.warning("%s: not a valid nnviz manifest, skipped (%s)", file, exc)
        return None


def write_manifest(m: Manifest, folder: Path, previous: Manifest | None) -> None:
    """Write `m` as folder/NAME.json (last: it says all is done); then remove the files `previous` listed
    that `m` no longer does (a format no longer asked for), so the folder holds what its manifest lists."""
    write_text(folder / f"{m.name}.json", m.to_json())
    remove_unlisted(m, folder, previous)


def remove_unlisted(m: Manifest, folder: Path, previous: Manifest | None) -> None:
    """Remove the files of `folder` that `previous` listed and `m` does not (only nnviz's own files)."""
    if previous is None:
        return
    ours = {f"{m.name}.{role}" for role in (*VIDEO_ROLES, "vtt")}  # only videos and captions come and go
    keep = set(m.files.values())
    for name in (set(previous.files.values()) - keep) & ours:
        if plain_name(name):
            with contextlib.suppress(FileNotFoundError):
                (folder / name).unlink()
                log.info("removed %s (no longer asked for)", folder / name)
