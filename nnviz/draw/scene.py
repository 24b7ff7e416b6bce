"""The Scene: builds the figure once, lays out its panels, and yields one RGBA frame per snapshot.

Everything static (axes, ticks, labels, the data) is drawn once and kept as a background bitmap;
each frame restores that bitmap and draws only the moving artists (blitting), so a frame costs a few
milliseconds instead of a full redraw.
"""
from __future__ import annotations

import logging
import warnings
from typing import Iterator

import matplotlib
import numpy as np
from matplotlib import ticker
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..config import RenderConfig
from ..snapshots import History
from .captions import events, place
from .glyphs import GlyphRenderer, Glyphs
from .pacing import pick, progress
from .panels import PANELS, RunsLossPanel
from .panels.base import DPI, font, shrink_to
from .theme import THEMES

log = logging.getLogger(__name__)

HINTING = "no_hinting"  # FreeType's autohinter is 30% of a frame's cost; unhinted text looks as good in video
BASE_HEIGHT = 720  # font sizes are designed for 720 px and scale with the height
MIN_SCALE = 0.6
HEADER = 0.86  # the panels take the frame below this fraction of its height
CAPTION_BAND = 0.085  # with captions: the band at the bottom they are shown in
LOG_TIME = 0.05  # the middle frame before this fraction of training: iterations on a log axis
CELL_SHAPE = {"boundary": 1.0, "weights": 2.0}  # a comparison cell's best width / height (else 4:3)


def timeline(histories: list[History], settings: RenderConfig) -> np.ndarray:
    """The iteration each animated frame shows: picked from the union of the runs' snapshot iterations
    (a run that has ended holds its last picture) as `settings.frames` and `settings.spacing` say."""
    its = np.unique(np.concatenate([h.iteration for h in histories]))
    want = settings.animated
    if want is not None and len(its) < want and settings.frames != "auto":
        log.warning("render.frames asks for %d frames but training recorded %d snapshots: the video animates %d",
                    want, len(its), len(its))
    moved = progress(histories, its) if settings.spacing == "auto" and want is not None and want < len(its) else None
    return pick(its, want, settings.spacing, moved)


def _grid(n: int, aspect: float, shape: float = 4 / 3) -> tuple[int, int]:
    """(rows, columns) for n cells in a region of width/height `aspect`: cells close to `shape` (width /
    height), few left empty."""
    best = None
    for cols in range(1, n + 1):
        rows = -(-n // cols)
        cell = (aspect / cols) * rows  # a cell's width / height
        score = abs(np.log(cell / shape)) + 0.3 * (rows * cols - n)
        if best is None or score < best[0]:
            best = (score, rows, cols)
    return best[1], best[2]


def use_video_text() -> None:
    """Draw text unhinted in this process (Agg reads the setting when it draws text, not per figure).

    Set once per process, never toggled per frame: a toggle races with any other thread drawing."""
    matplotlib.rcParams["text.hinting"] = HINTING


RUN_STYLES = ("-", "--", ":", "-.")  # a comparison's 9th run has the 1st's colour, dashed; the 17th, dotted


class Scene:
    """One run: its panels side by side. A comparison (`labels` given, one per run, even for a single
    run): a grid of cells, one per run and labelled, each drawn by the `cell` panel, beside one loss panel
    with a line per run, all at the same iteration per frame.

    `settings` are the render settings being rendered; `note` the subtitle (default: the run's summary).
    Frame i shows iteration timeline[i]; `pauses[i]` more copies of it follow (a caption's pause)."""

    def __init__(self, histories, title: str, settings: RenderConfig, labels=None, note: str | None = None,
                 panels=("fit", "loss"), cell: str = "fit"):
        histories = [histories] if isinstance(histories, History) else list(histories)
        self.hs = histories
        self.h = histories[0]
        self.comparison = labels is not None
        self.settings = settings
        self.theme = t = THEMES.lookup(settings.theme)
        size = settings.size
        use_video_text()
        self.timeline = timeline(histories, settings)
        self.index = [np.maximum(np.searchsorted(h.iteration, self.timeline, side="right") - 1, 0) for h in histories]
        self.n = len(self.timeline)
        # most frames early in a long run: curves over iterations on a log scale, so they are seen growing
        self.log_time = bool(self.timeline[self.n // 2] < LOG_TIME * self.timeline[-1] and self.timeline[-1] >= 100)
        captions = events(histories, labels) if settings.captions == "auto" else settings.captions
        self.cues = place(captions, self.timeline, settings.fps) if captions else []
        self.pauses = np.zeros(self.n, dtype=int)
        self.caption_of = [""] * self.n
        for cue in self.cues:
            self.pauses[cue.frame] = cue.pause
            for i in range(cue.frame, cue.last + 1):
                self.caption_of[i] = cue.text
        w, h = size
        self.size = size
        # fonts scale with the height, but not below what a small embedded video can still show
        s = self.scale = max(h / BASE_HEIGHT, MIN_SCALE)
        rc = {
            "font.size": font(13, s), "axes.titlesize": font(15, s), "axes.labelsize": font(14, s),
            "xtick.labelsize": font(12, s), "ytick.labelsize": font(12, s), "legend.fontsize": font(12, s),
            "axes.linewidth": 1.0 * s, "xtick.major.width": 1.0 * s, "ytick.major.width": 1.0 * s,
            "xtick.major.size": 4 * s, "ytick.major.size": 4 * s, "xtick.minor.size": 2 * s, "ytick.minor.size": 2 * s,
            "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.color": t.grid,
            "grid.linewidth": 0.8 * s, "axes.titlepad": 8 * s, "axes.labelpad": 5 * s,
            "figure.facecolor": t.background, "axes.facecolor": t.background, "text.color": t.ink,
            "axes.labelcolor": t.ink, "axes.edgecolor": t.muted, "xtick.color": t.muted, "ytick.color": t.muted,
            "xtick.labelcolor": t.ink, "ytick.labelcolor": t.ink, "legend.labelcolor": t.ink,
            "text.hinting": HINTING,
            "text.parse_math": False,  # titles, labels and column names are the user's text, never TeX
        }
        if self.comparison:  # small multiples: smaller type in the cells
            c = s * (0.8 if len(histories) <= 4 else 0.7)
            rc.update({"axes.titlesize": font(13, c), "axes.labelsize": font(12, c), "xtick.labelsize": font(11, c),
                       "ytick.labelsize": font(11, c), "legend.fontsize": font(11, c), "axes.titlepad": 5 * c})
        self.rc = rc  # matplotlib reads some of these when it lays out ticks, so a re-layout needs them again
        self.bottom = bottom = CAPTION_BAND if self.cues else 0.0
        self.top = HEADER
        with matplotlib.rc_context(rc):
            # +0.01 px: Agg truncates the pixel size, and w / DPI is not always exact in binary
            self.fig = Figure(figsize=((w + 0.01) / DPI, (h + 0.01) / DPI), dpi=DPI, layout="constrained")
            self.fig.get_layout_engine().set(rect=(0.0, bottom, 1.0, HEADER - bottom), w_pad=12 * s / DPI,
                                             h_pad=10 * s / DPI)
            self.canvas = FigureCanvasAgg(self.fig)
            if self.canvas.get_width_height() != (w, h):
                raise RuntimeError(f"canvas is {self.canvas.get_width_height()}, wanted {size}")
            if not self.comparison:
                self.panels = [PANELS.lookup(name)(ax, self.h, s, settings)
                               for name, ax in zip(panels, self._axes(len(panels)))]
                for p in self.panels:
                    p.siblings, p.log_time = tuple(panels), self.log_time
            else:
                self.panels = self._grid_panels(labels, s * (0.8 if len(histories) <= 4 else 0.7), w / h, cell)
            self.artists = [a for p in self.panels for a in p.setup()]
            if self.comparison:
                self.artists += [a for c in self.cells for a in c.decorate()]
                self._share_axes()
            self._header(title, note)
            for a in self.artists:
                a.set_animated(True)
            with warnings.catch_warnings():  # long labels can squeeze the first layout; _fit shortens them
                warnings.filterwarnings("ignore", "constrained_layout not applied", UserWarning)
                # laid out without drawing until everything fits, then drawn once as laid out
                self._fit_header()  # (before any layout: it moves the panels' top)
                self.fig.draw_without_rendering()
                for _ in range(3):  # something did not fit at this size: lay out again
                    if not self._fit():
                        break
                    self.fig.draw_without_rendering()
                engine = self.fig.get_layout_engine()
                self.fig.set_layout_engine("none")
                self.canvas.draw()
                self.fig.set_layout_engine(engine)
            if any(ax.get_window_extent().width < 2 or ax.get_window_extent().height < 2 for ax in self.fig.axes):
                log.warning("%dx%d is too small for these panels: some are squeezed to nothing", w, h)
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.glyphs = GlyphRenderer(self.canvas.get_renderer(), Glyphs())

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
        shape = CELL_SHAPE.get(cell_panel, 4 / 3)
        share = 2.0 if shape != 4 / 3 and len(self.hs) <= 3 else 1.8
        outer = self.fig.add_gridspec(1, 2, width_ratios=[share, 1])
        rows, cols = _grid(len(self.hs), aspect * share / (share + 1) / HEADER, shape)
        inner = outer[0].subgridspec(rows, cols)
        runs = self.theme.runs  # past their number, colours come again with another line style
        colors = [runs[k % len(runs)] for k in range(len(self.hs))]
        styles = [RUN_STYLES[k // len(runs) % len(RUN_STYLES)] for k in range(len(self.hs))]
        cells = []
        for k, (h, label) in enumerate(zip(self.hs, labels)):
            cell = PANELS[cell_panel](self.fig.add_subplot(inner[k // cols, k % cols]), h, cell_scale, self.settings)
            cell.label, cell.color, cell.keep_legend = label, colors[k], k == 0
            cell.place = (k // cols, k % cols, rows, cols, len(self.hs))
            cells.append(cell)
        self.cells = cells
        return cells + [RunsLossPanel(self.fig.add_subplot(outer[1]), self.hs, labels, colors, self.scale,
                                      self.settings.theme, self.log_time, styles)]

    def _share_axes(self) -> None:
        """Small multiples: axis labels only on the outer cells, and fewer ticks."""
        for cell in self.cells:
            r, c, rows, cols, n = cell.place
            below = (r + 1) * cols + c < n  # another cell under this one
            if below:
                cell.ax.set_xlabel("")
            if c > 0:
                cell.ax.set_ylabel("")
            for axis in (cell.ax.xaxis, cell.ax.yaxis):
                if not isinstance(axis.get_major_locator(), ticker.FixedLocator):
                    axis.set_major_locator(ticker.MaxNLocator(3))

    def _header(self, title: str, note: str | None) -> None:
        s, fig, t = self.scale, self.fig, self.theme
        self.title = fig.text(0.02, 0.965, title, ha="left", va="top", fontsize=font(22, s), weight="bold",
                              color=t.ink)
        self.subtitle = fig.text(0.02, 0.895, note or self.h.summary, ha="left", va="top", fontsize=font(13, s),
                                 color=t.muted)
        # monospace and padded to the widest number, so the digits never shift
        self.width = len(f"{int(self.timeline[-1]):,}")
        self.counter = fig.text(0.98, 0.965, f"iteration {int(self.timeline[-1]):>{self.width},}", ha="right",
                                va="top", fontsize=font(20, s), color=t.ink, family="monospace")
        # the timeline: how far through training the frame is (frames are not evenly spaced in iterations)
        self.track = Rectangle((0, 0), 0, 0, transform=None, facecolor=t.grid, edgecolor="none")
        self.done = Rectangle((0, 0), 0, 0, transform=None, facecolor=t.muted, edgecolor="none")
        fig.add_artist(self.track)
        fig.add_artist(self.done)
        self.artists += [self.counter, self.done]
        self.diverged = None
        if not self.comparison and self.h.diverged_at >= 0:
            self.diverged = fig.text(0.98, 0.88, f"diverged at iteration {self.h.diverged_at:,}", ha="right",
                                     va="top", fontsize=font(14, s), color=t.diverged, weight="bold")
        self.caption = None
        if self.cues:
            self.caption = fig.text(0.5, CAPTION_BAND / 2, "", ha="center", va="center", fontsize=font(17, s),
                                    color=t.background, bbox=dict(boxstyle="round,pad=0.35", facecolor=t.ink,
                                                                  edgecolor="none", alpha=0.92))
            self.artists.append(self.caption)

    def _fit_header(self) -> bool:
        """Place the timeline under the counter; shrink header text that runs into the text on its right;
        fit the longest caption to the width; start the panels just under the header. The header and the
        caption are the figure's own text, outside the layout: this needs no layout, only a renderer.
        Returns whether the panels' top moved (they must be laid out again)."""
        renderer = self.canvas.get_renderer()
        s = self.scale
        box = self.counter.get_window_extent(renderer)
        bar = (box.x0, box.y0 - 9 * s, box.width, max(3.0, 4 * s))
        self.track.set_bounds(*bar)
        self.done.set_bounds(*bar)
        if self.diverged is not None:
            self.diverged.set_y((bar[1] - 8 * s) / self.size[1])
        for left, right in ((self.title, self.counter), (self.subtitle, self.diverged)):
            limit = right.get_window_extent(renderer).x0 if right is not None else self.size[0]
            shrink_to(left, limit - 12 * s, renderer, smallest=0.6, least=0)
        if self.diverged is None:  # the subtitle clear of the timeline's bar
            sub = self.subtitle.get_window_extent(renderer)
            if sub.y1 > bar[1] and sub.x1 > bar[0] - 12 * s:
                shrink_to(self.subtitle, bar[0] - 12 * s, renderer, smallest=0.6, least=0)
        if self.caption is not None:  # the longest caption fits the frame's width
            widest = max((c.text for c in self.cues), key=len)
            self.caption.set_text(widest)
            while self.caption.get_window_extent(renderer).width > self.size[0] * 0.96 and \
                    self.caption.get_fontsize() > font(0, 0) + 0.01:
                self.caption.set_fontsize(max(font(0, 0), self.caption.get_fontsize() * 0.92))
            self.caption.set_text("")
        lowest = min(t.get_window_extent(renderer).y0 for t in (self.subtitle, self.diverged, self.title)
                     if t is not None and t.get_text())
        top = min(bar[1], lowest) / self.size[1] - 0.012
        if abs(top - self.top) * self.size[1] <= 1:
            return False
        self.top = top
        self.fig.get_layout_engine().set(rect=(0.0, self.bottom, 1.0, top - self.bottom))
        return True

    def _fit(self) -> bool:
        """After a layout: let the panels fix their overlaps, and the header its own. Returns whether the
        panels must be laid out again."""
        changed = self._fit_header()
        for panel in self.panels:
            changed |= panel.fit(self.canvas.get_renderer())
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
        it = int(self.timeline[i])
        self.counter.set_text(f"iteration {it:>{self.width},}")
        self.done.set_width(self.track.get_width() * it / max(int(self.timeline[-1]), 1))
        if self.caption is not None:
            self.caption.set_text(self.caption_of[i])
            self.caption.set_visible(bool(self.caption_of[i]))
        if not self.glyphs.wraps(self.canvas.get_renderer()):  # (a canvas resized makes a new renderer)
            self.glyphs = GlyphRenderer(self.canvas.get_renderer(), self.glyphs.glyphs)
        for a in self.artists:  # the readouts' text from cached glyphs
            a.draw(self.glyphs)
        return np.asarray(self.canvas.buffer_rgba())

    def frames(self) -> Iterator[np.ndarray]:
        """Every frame of the animated part, a caption's pause included (the hold at the end is encode's)."""
        for i in range(self.n):
            frame = self.frame(i)
            for _ in range(1 + int(self.pauses[i])):
                yield frame

    @property
    def total(self) -> int:
        """Frames of the animated part, pauses included."""
        return self.n + int(self.pauses.sum())

    def close(self) -> None:
        self.fig.clear()
        self.canvas = None
        self.fig = None
