"""Captions: texts shown from a training iteration on, the events nnviz finds by itself, and WebVTT.

A caption is shown from the first animated frame at or after its iteration, for SHOWN seconds of video
or until the next caption, whichever is sooner; a `pause` holds its first frame that long. The same
cues are written as a WebVTT file beside the video, so players, screen readers and search engines get
the text too. Pure NumPy and strings, no drawing.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Caption
from ..snapshots import History

SHOWN = 4.0  # seconds a caption stays on screen (less when the next one comes sooner)
MOST_AUTO = 3  # `captions: auto` marks at most this many events


@dataclass(frozen=True)
class Cue:
    """A caption placed in the video."""

    frame: int  # the first animated frame that shows it
    last: int  # the last animated frame that shows it
    text: str
    pause: int  # extra copies of its first frame (the pause, in frames)
    start: float  # seconds into the video
    end: float


def _at_least(values: np.ndarray, bar: float) -> int:
    """The first index where values >= bar, or -1."""
    hits = np.flatnonzero(values >= bar)
    return int(hits[0]) if hits.size else -1


def _plateau_end(h: History) -> int:
    """The iteration at which a plateau of the training loss ends in a fall, or -1.

    On the loss in decades, resampled evenly over the iterations: a stretch of at least a tenth of training
    over which it moves less than a twentieth of its whole range, then a fall of at least a quarter of that
    range (and 0.3 decades) within the next tenth."""
    ok = np.isfinite(h.loss) & (h.loss > 0)
    if ok.sum() < 10 or h.iteration[-1] < 20:
        return -1
    its = h.iteration[ok].astype(float)
    grid = np.linspace(its[0], its[-1], 201)
    level = np.interp(grid, its, np.log10(h.loss[ok]))
    span = level.max() - level.min()
    w = 20  # a tenth of training
    if span < 0.3:
        return -1
    flat = np.abs(level[w:] - level[:-w]) < span / 20  # flat[j]: little change from j to j + w
    for j in range(len(flat) - w):
        if flat[j] and not flat[j + 1] and level[j + w] - level[min(j + 2 * w, 200)] >= max(0.3, span / 4):
            return int(grid[j + w])
    return -1


def events(histories: list[History], labels=None) -> tuple[Caption, ...]:
    """`captions: auto`: what nnviz finds in training by itself, in order of iteration (at most MOST_AUTO).

    A comparison (labels given) gets its runs' divergences; a single run also a plateau ending, accuracy
    reaching 100 % and the test loss starting to rise."""
    found: list[Caption] = []
    if labels is not None:
        for h, label in zip(histories, labels):
            if h.diverged_at >= 0:
                found.append(Caption(h.diverged_at, f"{label}: the loss is no longer finite, training diverged"))
        return tuple(sorted(found, key=lambda c: c.at)[:MOST_AUTO])
    h = histories[0]
    if (end := _plateau_end(h)) >= 0:
        found.append(Caption(end, "the net escapes the plateau: the loss starts to fall again", 1.0))
    if h.accuracy is not None and (k := _at_least(h.accuracy, 1.0)) > 0:
        found.append(Caption(int(h.iteration[k]), "every training point is classified right (100 %)", 1.0))
    if h.test is not None and h.diverged_at < 0:
        test = np.where(np.isfinite(h.test["loss"]), h.test["loss"], np.inf)
        low = int(np.argmin(test))
        if 0 < low < h.n - 1 and np.isfinite(test[-1]) and test[-1] > 1.15 * test[low]:
            found.append(Caption(int(h.iteration[low]), "the test loss starts to rise while the training loss "
                                                         "falls: overfitting", 1.0))
    if h.diverged_at >= 0:
        found.append(Caption(h.diverged_at, "the loss is no longer finite: training diverged", 1.0))
    found.sort(key=lambda c: c.at)
    return tuple(found[:MOST_AUTO])


def place(captions: tuple[Caption, ...], timeline: np.ndarray, fps: float) -> list[Cue]:
    """Where each caption shows in a video whose animated frames show `timeline` (T,) at `fps`: from its
    first frame at or after its iteration; a caption after the last frame shows on the last. Two captions
    on one frame: the later one."""
    firsts = [min(int(np.searchsorted(timeline, c.at, side="left")), len(timeline) - 1) for c in captions]
    chosen = {f: c for f, c in zip(firsts, captions)}  # the later caption of a frame wins
    frames = sorted(chosen)
    pauses = {f: int(round(chosen[f].pause * fps)) for f in frames}
    held = np.zeros(len(timeline) + 1, dtype=int)  # held[i]: frames of pause before frame i
    for f, p in pauses.items():
        held[f + 1 :] += p

    def seconds(frame: int) -> float:  # when frame `frame` first appears
        return (frame + held[frame]) / fps

    cues = []
    for k, f in enumerate(frames):
        start = seconds(f)
        stop = seconds(frames[k + 1]) if k + 1 < len(frames) else seconds(len(timeline))
        end = min(start + SHOWN + pauses[f] / fps, stop)
        last = f
        while last + 1 < len(timeline) and seconds(last + 1) < end:
            last += 1
        cues.append(Cue(f, last, chosen[f].text, pauses[f], start, max(end, seconds(last) + 1 / fps)))
    return cues


def _stamp(t: float) -> str:
    ms = int(round(t * 1000))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def webvtt(cues: list[Cue]) -> str:
    """The cues as a WebVTT file's text (a caption's text is escaped for it: & < > and no "-->")."""
    out = ["WEBVTT", ""]
    for k, c in enumerate(cues, start=1):
        text = c.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("-->", "→")
        out += [str(k), f"{_stamp(c.start)} --> {_stamp(c.end)}", text, ""]
    return "\n".join(out)
