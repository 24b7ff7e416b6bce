"""The Scene: builds the figure once, lays out its panels, and yields one RGBA frame per snapshot.

Everything static (axes, ticks, labels, the data) is drawn once and kept as a background bitmap;
each frame restores that bitmap and draws only the moving artists (blitting), so a frame costs a few
milliseconds instead of a full redraw.
"""
from __future__ import annotations

from typing import Iterator

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..config import RenderConfig
from ..snapshots import History
from .panels import DIVERGED, PANELS, RUN_COLORS, RunsLossPanel

DPI = 100
HINTING = "no_hinting"  # FreeType's autohinter is 30% of a frame's cost; unhinted text looks as good in video
BASE_HEIGHT = 720  # font sizes are designed for 720 px and scale with the height
MIN_SCALE = 0.6


def _shrink_to(text, right: float, renderer, smallest: float = 0.6) -> bool:
    """Make `text` end left of pixel `right`: a smaller font (down to `smallest` of it), then an ellipsis."""
    box = text.get_window_extent(renderer)
    if box.x1 <= right:
        return False
    size = text.get_fontsize()
    factor = max(smallest, (right - box.x0) / box.width)
    text.set_fontsize(size * factor)
    words = text.get_text()
    box = text.get_window_extent(renderer)
    if box.x1 > right and box.width > 0:  # first cut to about what fits, so a very long text costs a few steps
        words = words[: max(1, int(len(words) * (right - box.x0) / box.width) + 1)]
        text.set_text(words.rstrip() + "…")
    while text.get_window_extent(renderer).x1 > right and len(words) > 1:
        words = words[:-1]
        text.set_text(words.rstrip() + "…")
    return True


def pick(iterations: np.ndarray, frames: int | None, spacing: str) -> np.ndarray:
    """About `frames` of the snapshot iterations, the first and last among them: evenly spaced in
    iterations (linear) or in log(1 + iteration) (log: more frames early, where learning is fast)."""
    if frames is None or frames >= len(iterations):
        return iterations
    last = float(iterations[-1])
    targets = np.linspace(0, last, frames) if spacing == "linear" else np.geomspace(1, last + 1, frames) - 1
    nearest = np.abs(iterations[None, :] - targets[:, None]).argmin(axis=1)
    return iterations[np.unique(np.concatenate([[0], nearest, [len(iterations) - 1]]))]


def _grid(n: int, aspect: float) -> tuple[int, int]:
    """(rows, columns) for n cells in a region of width/height `aspect`: cells close to 4:3, few left empty."""
    best = None
    for cols in range(1, n + 1):
        rows = -(-n // cols)
        cell = (aspect / cols) * rows  # a cell's width / height
        score = abs(np.log(cell / (4 / 3))) + 0.3 * (rows * cols - n)
        if best is None or score < best[0]:
            best = (score, rows, cols)
    return best[1], best[2]


def use_video_text() -> None:
    """Draw text unhinted in this process (Agg reads the setting when it draws text, not per figure).

    Set once per process, never toggled per frame: a toggle races with any other thread drawing."""
    matplotlib.rcParams["text.hinting"] = HINTING


class Scene:
    """One run: its panels side by side. A comparison (`labels` given, one per run, even for a single
    run): a grid of cells, one per run and labelled, each drawn by the `cell` panel, beside one loss panel
    with a line per run, all at the same iteration per frame.

    `settings` are the render settings being rendered; `note` the subtitle (default: the run's summary)."""

    def __init__(self, histories, title: str, settings: RenderConfig, labels=None, note: str | None = None,
                 panels=("fit", "loss"), cell: str = "fit"):
        histories = [histories] if isinstance(histories, History) else list(histories)
        self.hs = histories
        self.h = histories[0]
        self.comparison = labels is not None
        self.settings = settings
        size = settings.size
        use_video_text()
        # frames follow the union of all runs' snapshot iterations; a run that has ended holds its last frame
        self.timeline = pick(np.unique(np.concatenate([h.iteration for h in histories])), settings.frames,
                             settings.spacing)
        self.index = [np.maximum(np.searchsorted(h.iteration, self.timeline, side="right") - 1, 0) for h in histories]
        self.n = len(self.timeline)
        w, h = size
        self.size = size
        # fonts scale with the height, but not below what a small embedded video can still show
        s = self.scale = max(h / BASE_HEIGHT, MIN_SCALE)
        rc = {
            "font.size": 13 * s, "axes.titlesize": 15 * s, "axes.labelsize": 14 * s, "xtick.labelsize": 12 * s,
            "ytick.labelsize": 12 * s, "legend.fontsize": 12 * s, "axes.linewidth": 1.0 * s,
            "xtick.major.width": 1.0 * s, "ytick.major.width": 1.0 * s, "xtick.major.size": 4 * s,
            "ytick.major.size": 4 * s, "xtick.minor.size": 2 * s, "ytick.minor.size": 2 * s,
            "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.color": "#e6e6e6",
            "grid.linewidth": 0.8 * s, "axes.titlepad": 8 * s, "axes.labelpad": 5 * s,
            "text.hinting": HINTING,
            "text.parse_math": False,  # titles, labels and column names are the user's text, never TeX
        }
        if self.comparison:  # small multiples: smaller type in the cells
            c = s * (0.8 if len(histories) <= 4 else 0.65)
            rc.update({"axes.titlesize": 13 * c, "axes.labelsize": 12 * c, "xtick.labelsize": 10.5 * c,
                       "ytick.labelsize": 10.5 * c, "legend.fontsize": 10.5 * c, "axes.titlepad": 5 * c})
        with matplotlib.rc_context(rc):
            # +0.01 px: Agg truncates the pixel size, and w / DPI is not always exact in binary
            self.fig = Figure(figsize=((w + 0.01) / DPI, (h + 0.01) / DPI), dpi=DPI, layout="constrained")
            self.fig.get_layout_engine().set(rect=(0.0, 0.0, 1.0, 0.86), w_pad=12 * s / DPI, h_pad=10 * s / DPI)
            self.canvas = FigureCanvasAgg(self.fig)
            if self.canvas.get_width_height() != (w, h):
                raise RuntimeError(f"canvas is {self.canvas.get_width_height()}, wanted {size}")
            if not self.comparison:
                self.panels = [PANELS.lookup(name)(ax, self.h, s, settings)
                               for name, ax in zip(panels, self._axes(len(panels)))]
            else:
                self.panels = self._grid_panels(labels, s * (0.8 if len(histories) <= 4 else 0.65), w / h, cell)
            self.artists = [a for p in self.panels for a in p.setup()]
            if self.comparison:
                self.artists += [a for c in self.cells for a in c.decorate()]
            self._header(title, note)
            for a in self.artists:
                a.set_animated(True)
            self.canvas.draw()
            if self._fit():  # something did not fit at this size: lay out and draw again
                self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)

    def _axes(self, n: int) -> list:
        """The first panel large on the left; the others in a column on its right."""
        if n == 1:
            return [self.fig.add_subplot()]
        if n == 2:
            return list(self.fig.subplots(1, 2, width_ratios=[1.35, 1]))
        outer = self.fig.add_gridspec(1, 2, width_ratios=[1.2, 1])
        inner = outer[1].subgridspec(n - 1, 1)
        return [self.fig.add_subplot(outer[0])] + [self.fig.add_subplot(inner[k, 0]) for k in range(n - 1)]

    def _grid_panels(self, labels, cell_scale: float, aspect: float, cell_panel: str) -> list:
        outer = self.fig.add_gridspec(1, 2, width_ratios=[1.8, 1])
        rows, cols = _grid(len(self.hs), aspect * 1.8 / 2.8 / 0.86)
        inner = outer[0].subgridspec(rows, cols)
        colors = [RUN_COLORS[k % len(RUN_COLORS)] for k in range(len(self.hs))]
        cells = []
        for k, (h, label) in enumerate(zip(self.hs, labels)):
            cell = PANELS[cell_panel](self.fig.add_subplot(inner[k // cols, k % cols]), h, cell_scale, self.settings)
            cell.label, cell.color, cell.keep_legend = label, colors[k], k == 0
            cells.append(cell)
        self.cells = cells
        return cells + [RunsLossPanel(self.fig.add_subplot(outer[1]), self.hs, labels, colors, self.scale)]

    def _header(self, title: str, note: str | None) -> None:
        s, fig = self.scale, self.fig
        self.title = fig.text(0.02, 0.965, title, ha="left", va="top", fontsize=22 * s, weight="bold",
                              color="#222222")
        self.subtitle = fig.text(0.02, 0.895, note or self.h.summary, ha="left", va="top", fontsize=13 * s,
                                 color="#555555")
        # "iteration" is drawn once; only the number is redrawn each frame (text is most of a frame's cost).
        # Monospace and padded to the widest number, so the number's digits never shift.
        self.width = len(f"{int(self.timeline[-1]):,}")
        style = dict(ha="right", va="top", fontsize=20 * s, color="#222222", family="monospace")
        fig.text(0.98, 0.965, "iteration " + " " * self.width, **style)
        self.counter = fig.text(0.98, 0.965, "", **style)
        self.counter_box = fig.text(0.98, 0.965, "iteration " + "0" * self.width, alpha=0, **style)  # its extent
        self.artists.append(self.counter)
        self.diverged = None
        if not self.comparison and self.h.diverged_at >= 0:
            self.diverged = fig.text(0.98, 0.895, f"diverged at iteration {self.h.diverged_at:,}", ha="right",
                                     va="top", fontsize=14 * s, color=DIVERGED, weight="bold")

    def _fit(self) -> bool:
        """Shrink header text that runs into the text on its right, and let panels fix their overlaps.

        Returns whether anything changed (the figure must then be drawn again)."""
        renderer = self.canvas.get_renderer()
        changed = False
        for left, right in ((self.title, self.counter_box), (self.subtitle, self.diverged)):
            limit = right.get_window_extent(renderer).x0 if right is not None else self.size[0]
            changed |= _shrink_to(left, limit - 12 * self.scale, renderer)
        for panel in self.panels:
            changed |= panel.fit(renderer)
        return changed

    def frame(self, i: int) -> np.ndarray:
        """The (H, W, 4) uint8 RGBA picture of frame i (a view of the canvas: copy it to keep it)."""
        self.canvas.restore_region(self.background)
        idx = [int(ix[i]) for ix in self.index]
        if not self.comparison:
            for p in self.panels:
                p.update(idx[0])
        else:
            for cell, j in zip(self.cells, idx):
                cell.update(j)
                cell.update_label(j)
            self.panels[-1].update(idx)
        self.counter.set_text(f"{int(self.timeline[i]):>{self.width},}")
        for a in self.artists:
            self.fig.draw_artist(a)
        return np.asarray(self.canvas.buffer_rgba())

    def frames(self) -> Iterator[np.ndarray]:
        for i in range(self.n):
            yield self.frame(i)

    def close(self) -> None:
        self.fig.clear()
        self.canvas = None
        self.fig = None
