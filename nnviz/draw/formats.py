"""Output formats: name -> Format(extension, MIME type, ffmpeg output options). All of them play in browsers.

GIF is not here: it needs two passes (a palette first, see pipeline.draw); its frame rate must divide
100, because GIF counts frame delays in hundredths of a second.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..registry import Registry


@dataclass(frozen=True)
class Format:
    ext: str
    mime: str
    args: Callable[[object], list[str]]  # RenderConfig -> ffmpeg output options
    doc: str


FORMATS: Registry[Format] = Registry("format")

FORMATS.register("mp4")(Format("mp4", "video/mp4", lambda r: [
    "-an", "-c:v", "libx264", "-preset", r.preset, "-crf", str(r.crf),
    "-pix_fmt", "yuv420p",  # 4:2:0, the only pixel format every browser and QuickTime play
    "-movflags", "+faststart",  # the index first: playback starts before the download ends
    "-f", "mp4",
], "H.264 in MP4: plays everywhere"))

FORMATS.register("webm")(Format("webm", "video/webm", lambda r: [
    "-an", "-c:v", "libvpx-vp9", "-pix_fmt", "yuv420p",
    "-b:v", "0", "-crf", str(vp9_crf(r.crf)),  # constant quality, like x264's crf
    "-deadline", "good", "-cpu-used", "4", "-row-mt", "1",  # a fast setting of VP9's speed/size trade-off
    "-f", "webm",
], "VP9 in WebM: smaller files for the same quality"))

GIF_RATES = (100, 50, 25, 20, 10, 5, 4, 2, 1)  # frame rates GIF keeps exactly: 100 / whole hundredths


def vp9_crf(x264_crf: int) -> int:
    """VP9's crf (0-63) for about the quality of x264's crf (0-51): 20 -> 32."""
    return min(63, round(x264_crf * 1.6))


def gif_fps(fps: float) -> int:
    """The fastest frame rate GIF can keep that is not above `fps` (30 -> 25)."""
    return next((g for g in GIF_RATES if g <= fps), 1)


def gif_size(size: tuple[int, int], width: int) -> tuple[int, int]:
    """(width, height) of the GIF: at most `width` wide, the video's aspect ratio, even numbers."""
    w, h = size
    gw = min(width, w) // 2 * 2
    return gw, max(2, round(h * gw / w / 2) * 2)


def palette_args(fps: float, size: tuple[int, int]) -> list[str]:
    """Pass 1 of a GIF: one 256-colour palette made for all frames."""
    g, (w, h) = gif_fps(fps), size
    return ["-vf", f"fps={g},scale={w}:{h}:flags=lanczos,palettegen=stats_mode=diff", "-frames:v", "1",
            "-update", "1", "-f", "image2"]


def gif_args(fps: float, size: tuple[int, int]) -> list[str]:
    """Pass 2 of a GIF: the frames mapped onto the palette (input 1), looping forever."""
    g, (w, h) = gif_fps(fps), size
    return ["-lavfi", f"[0:v]fps={g},scale={w}:{h}:flags=lanczos[x];[x][1:v]paletteuse=dither=sierra2_4a",
            "-loop", "0", "-f", "gif"]
