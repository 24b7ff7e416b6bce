"""A writer around ffmpeg (from imageio-ffmpeg): stream RGBA frames to a file and check everything.

    with VideoWriter(tmp_path, (1280, 720), fps=30, output_args=FORMATS["mp4"].args(render_config)) as w:
        for frame in frames:          # (H, W, 4) uint8
            w.write(frame)

ffmpeg's exit status and (unless a filter changes the frame rate) the number of frames it encoded are
checked; a failure raises RenderError with ffmpeg's own message. The writer writes where it is told:
encode.py gives it a staged temporary file (files.Staging) and renames all outputs together. The
encoder settings of each output format are in formats.py.
"""
from __future__ import annotations

import contextlib
import logging
import queue
import re
import subprocess
import tempfile
import threading
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from ..errors import RenderError

log = logging.getLogger(__name__)

QUEUED = 2  # frames that may wait for the encoder


def _widen_pipe(fd: int) -> None:
    """Ask Linux for a 1 MiB pipe buffer (default 64 KiB): a 3.7 MB frame then crosses in 4 writes, not 57."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass  # not Linux, or a lower limit: the default buffer works, only a little slower


class VideoWriter:
    def __init__(self, file: str | Path, size: tuple[int, int], fps: float, output_args: list[str],
                 extra_inputs: list[str] = (), check_frames: bool = True, name: str | None = None):
        """output_args: ffmpeg's options for the output (codec, pixel format, muxer); extra_inputs: more
        `-i` inputs after the frames (a palette); check_frames: whether ffmpeg must report every frame;
        name: what messages call the output (default: the file's name)."""
        self.file, self.size, self.fps = Path(file), tuple(size), fps
        self.name = name or self.file.name
        self.output_args, self.extra_inputs, self.check_frames = list(output_args), list(extra_inputs), check_frames
        self.frames = 0
        self._proc = None

    def __enter__(self) -> "VideoWriter":
        self._log = tempfile.TemporaryFile()
        w, h = self.size
        cmd = [
            imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-nostdin", "-loglevel", "error", "-nostats", "-progress", "pipe:2",
            "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{w}x{h}", "-r", f"{self.fps:g}", "-i", "pipe:0",
            *self.extra_inputs, *self.output_args, str(self.file),
        ]
        log.debug("ffmpeg: %s", " ".join(cmd))
        try:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log)
        except OSError as exc:
            self._cleanup()
            raise RenderError(f"cannot start ffmpeg: {exc}") from None
        except BaseException:  # Ctrl-C while starting: no ffmpeg may outlive us and write the file later
            self._cleanup()
            raise
        try:
            _widen_pipe(self._proc.stdin.fileno())
            # A thread feeds the pipe, so drawing the next frame goes on while ffmpeg takes this one.
            self._free: queue.Queue = queue.Queue()
            for _ in range(QUEUED + 1):
                self._free.put(np.empty((h, w, 4), np.uint8))
            self._full: queue.Queue = queue.Queue()
            self._broken = threading.Event()
            self._feeder = threading.Thread(target=self._feed, name="ffmpeg-feeder", daemon=True)
            self._feeder.start()
        except BaseException:
            self._cleanup()
            raise
        return self

    def write(self, frame: np.ndarray) -> None:
        """Queue one (H, W, 4) uint8 RGBA frame for the encoder (it is copied: the caller may reuse it)."""
        h, w = frame.shape[:2]
        if (w, h) != self.size or frame.shape[2] != 4 or frame.dtype != np.uint8:
            raise RenderError(f"frame is {w}x{h}x{frame.shape[2]} {frame.dtype}, expected {self.size[0]}x{self.size[1]}x4 uint8")
        buf = self._free.get()
        if self._broken.is_set():
            self._proc.wait()
            raise RenderError(f"ffmpeg stopped while encoding {self.name}: {self._message()}")
        np.copyto(buf, frame)
        self._full.put(buf)
        self.frames += 1

    def _feed(self) -> None:
        """The feeder thread: write queued frames to ffmpeg's stdin until None arrives or the pipe breaks."""
        while (buf := self._full.get()) is not None:
            if not self._broken.is_set():
                try:
                    self._proc.stdin.write(memoryview(buf).cast("B"))
                except Exception:  # a broken pipe, mostly: ffmpeg exited; write() and __exit__ report it
                    self._broken.set()
            self._free.put(buf)

    def _stop_feeder(self) -> None:
        if getattr(self, "_feeder", None) is not None:
            self._full.put(None)
            self._feeder.join()
            self._feeder = None

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None:
            self._cleanup()
            return False
        self._stop_feeder()
        with contextlib.suppress(BrokenPipeError, OSError):
            self._proc.stdin.close()
        code = self._proc.wait()
        try:
            if code != 0 or self._broken.is_set():
                raise RenderError(f"ffmpeg failed (exit {code}) writing {self.name}: {self._message()}")
            encoded = self._encoded_frames()
            if encoded != self.frames and (self.check_frames or encoded == 0):
                raise RenderError(f"ffmpeg encoded {encoded} of {self.frames} frames of {self.name}")
        except RenderError:
            self._cleanup()
            raise
        self._log.close()
        return False

    def _cleanup(self) -> None:
        if self._proc is not None and self._proc.poll() is None:  # (kill, then wait: it writes nothing more)
            self._proc.kill()
            self._proc.wait()
        if getattr(self, "_feeder", None) is not None:
            self._broken.set()
            self._stop_feeder()
        self._log.close()

    def _text(self) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def _encoded_frames(self) -> int:
        counts = re.findall(r"^frame=(\d+)", self._text(), flags=re.M)
        return int(counts[-1]) if counts else 0

    def _message(self) -> str:
        lines = [ln for ln in self._text().splitlines() if ln and "=" not in ln[:20]]
        return lines[-1] if lines else "no message"
