"""From a Scene to finished files: every video format and the poster, renamed into place together.

All videos are encoded at once from one pass of drawing. A GIF takes a second pass: the first also
feeds ffmpeg's palette generator, the second maps the frames, drawn again, onto that palette. Every
file is made under a temporary name (the poster's while ffmpeg finishes the videos), and none is
renamed into place before every writer has closed successfully: a failing encoder leaves the older
poster and videos untouched.
"""
from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np
from matplotlib.image import imsave

from ..config import RenderConfig
from ..files import Staging, write_text
from .captions import webvtt
from .formats import FORMATS, gif_args, gif_size, palette_args
from .scene import Scene
from .video import VideoWriter

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def encode(scene: Scene, r: RenderConfig, files: dict[str, Path], progress: Progress | None = None,
           stage: Staging | None = None) -> int:
    """Draw `scene` into files[fmt] for each of r.formats, files["poster"] and (when there) files["captions"],
    the WebVTT file; return the video frames.

    The files are staged in `stage` (renamed when its owner commits it), or in a Staging of their own."""
    hold = int(round(r.hold * r.fps))
    total = scene.total + hold
    gif = "gif" in r.formats
    passes = 2 if gif else 1

    def frames(pass_no: int):
        frame = None
        for done, frame in enumerate(scene.frames(), start=1):
            yield frame
            if progress:
                progress("drawing", pass_no * total + done, passes * total)
        for _ in range(hold):
            yield frame
        if progress:
            progress("drawing", (pass_no + 1) * total, passes * total)

    folder = files["poster"].parent
    with (contextlib.nullcontext(stage) if stage is not None else Staging()) as stage, \
            (tempfile.TemporaryDirectory(dir=folder, prefix=".palette.") if gif else contextlib.nullcontext(None)) as tmp:
        palette = Path(tmp or ".") / "palette.png"  # a GIF's first pass writes it, the second reads it
        gsize = gif_size(r.size, r.gif_width)
        with contextlib.ExitStack() as writers_open:
            writers = [writers_open.enter_context(VideoWriter(stage.path(files[f]), r.size, r.fps,
                                                              FORMATS[f].args(r), name=files[f].name))
                       for f in r.formats if f != "gif"]
            if gif:
                writers.append(writers_open.enter_context(
                    VideoWriter(palette, r.size, r.fps, palette_args(r.fps, gsize), check_frames=False,
                                name=files["gif"].name)))
            for last in frames(0):
                for w in writers:
                    w.write(last)
            write_png(last, stage.path(files["poster"]))  # while ffmpeg encodes the last frames
            if "captions" in files:
                write_text(stage.path(files["captions"]), webvtt(scene.cues))
        if gif:
            with VideoWriter(stage.path(files["gif"]), r.size, r.fps, gif_args(r.fps, gsize),
                             extra_inputs=["-i", str(palette)], check_frames=False, name=files["gif"].name) as w:
                for frame in frames(1):
                    w.write(frame)
        if progress:
            progress("encoding", total, total)
    return total


def write_png(frame: np.ndarray, file: Path) -> None:
    """An (H, W, 4) uint8 frame as a PNG file."""
    imsave(file, frame, format="png")
