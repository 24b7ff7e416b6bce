"""Reading a drawn Scene's texts back from its figure: what collides, what is cut off, what is too small.

Used by tests/test_layout.py; `python tests/layout.py CONFIG WIDTH HEIGHT` prints the problems of one
shipped config at one size.
"""
from __future__ import annotations

import sys
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.legend import Legend
from matplotlib.text import Text

ROOT = Path(__file__).resolve().parent.parent
MIN_PIXELS = 9
SLACK = 1.0  # pixels two boxes may share (anti-aliased edges)


def _drawn_tick_labels(fig) -> set:
    """The tick labels drawn at the current limits (an axis keeps labels of ticks it does not draw)."""
    drawn = set()
    for ax in fig.findobj(lambda a: hasattr(a, "xaxis") and hasattr(a, "yaxis")):
        for axis in (ax.xaxis, ax.yaxis):
            if ax.axison and axis.get_visible():
                for tick in axis._update_ticks():
                    drawn.update(t for t in (tick.label1, tick.label2) if t.get_visible())
    return drawn


def texts(fig, renderer) -> list[tuple[str, object, Text]]:
    """(text, box in pixels, artist) of every text a viewer sees in the figure as drawn now."""
    ticks = _drawn_tick_labels(fig)
    every_tick = set()
    for ax in fig.findobj(lambda a: hasattr(a, "xaxis") and hasattr(a, "yaxis")):
        for axis in (ax.xaxis, ax.yaxis):
            every_tick.update(axis.get_ticklabels(minor=False) + axis.get_ticklabels(minor=True))
    out = []
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip() or (t.get_alpha() is not None and t.get_alpha() == 0):
            continue
        if t in every_tick and t not in ticks:
            continue
        parent_axes = t.axes
        if parent_axes is not None and (not parent_axes.get_visible() or
                                        (not parent_axes.axison and t in every_tick)):
            continue
        if not _shown_by_parents(t):
            continue
        out.append((t.get_text(), t.get_window_extent(renderer), t))
    return out


def _shown_by_parents(t) -> bool:
    legend = _legend_of(t)
    return legend is None or legend.get_visible()


def _legend_of(t):
    fig = t.figure
    for legend in fig.findobj(Legend):
        if t in legend.get_texts() or t is legend.get_title():
            return legend
    return None


def problems(fig, renderer, size) -> list[str]:
    """What is wrong with the figure's texts as drawn now: overlaps, cut off by the frame, too small."""
    w, h = size
    found = []
    items = texts(fig, renderer)
    dpi = fig.dpi
    for text, box, artist in items:
        px = artist.get_fontsize() * dpi / 72
        if px < MIN_PIXELS - 0.01:
            found.append(f"too small ({px:.1f} px): {text!r}")
        if box.x0 < -SLACK or box.y0 < -SLACK or box.x1 > w + SLACK or box.y1 > h + SLACK:
            found.append(f"cut off by the frame: {text!r} at {tuple(np.round(box.extents))}")
    for i, (ta, a, _) in enumerate(items):
        for tb, b, _ in items[i + 1 :]:
            if _overlap(a, b):
                found.append(f"overlap: {ta!r} and {tb!r}")
    legends = [lg for lg in fig.findobj(Legend) if lg.get_visible()]
    for lg in legends:
        lbox = lg.get_window_extent(renderer)
        own = set(lg.get_texts())
        for text, box, artist in items:
            if artist not in own and _overlap(lbox, box):
                found.append(f"legend ({', '.join(t.get_text() for t in lg.get_texts())}) on {text!r}")
    return found


def _overlap(a, b) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0)) > SLACK and (min(a.y1, b.y1) - max(a.y0, b.y0)) > SLACK


def scene_problems(scene, frames=None) -> list[str]:
    """problems() after drawing each of `frames` (default: first, 10 %, 30 %, 60 %, last) of a Scene."""
    n = scene.n
    frames = frames if frames is not None else sorted({0, n // 10, 3 * n // 10, 6 * n // 10, n - 1})
    found = []
    for i in frames:
        scene.frame(i)
        renderer = scene.canvas.get_renderer()
        with matplotlib.rc_context(scene.rc):  # ticks are laid out with the scene's font sizes
            found += [f"frame {i}: {p}" for p in problems(scene.fig, renderer, scene.size)]
    return sorted(set(found))


def scene_of(cfg, histories, size):
    """The Scene `nnviz render` would draw for cfg, at `size`."""
    import dataclasses

    from nnviz.draw.panels import choose
    from nnviz.draw.scene import Scene
    from nnviz.experiment import Comparison
    from nnviz.pipeline import subtitle
    from nnviz.snapshots import keep_for

    h = histories[0]
    image = h.image_shape is not None
    settings = dataclasses.replace(cfg.render, size=size)
    panels = choose(settings.panels, h.net, h.loss_name, image, keep_for(h.net, image))
    if isinstance(cfg, Comparison):
        return Scene(histories, cfg.title, settings, labels=cfg.labels, note=subtitle(cfg, histories), cell=panels[0])
    return Scene(h, cfg.title, settings, panels=panels)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_pacing import histories_of

    cfg, hs = histories_of(Path(sys.argv[1]), sys.argv[4:])
    scene = scene_of(cfg, hs, (int(sys.argv[2]), int(sys.argv[3])))
    for p in scene_problems(scene):
        print(p)
    scene.frame(scene.n * 6 // 10)
    from matplotlib.image import imsave

    imsave("/tmp/layout.png", np.asarray(scene.canvas.buffer_rgba()))
