"""What every panel shares: the registry, the base class, the colours and the axis helpers.

A panel is a class registered by name in PANELS: setup() draws the static parts once and returns the
artists update(i) moves for snapshot i. Axis limits are fixed in setup from the whole History (every
snapshot is known before drawing), so a frame only redraws those artists. A panel gets the History
(what was trained) and the RenderConfig being rendered (how to show it), never a config dict.
"""
from __future__ import annotations

import numpy as np
from matplotlib import ticker
from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D
from matplotlib.transforms import offset_copy

from ...config import RenderConfig
from ...registry import Registry
from ...snapshots import History
from ..theme import THEMES

MIN_TEXT = 9  # pixels: no text is drawn smaller
DPI = 100  # a frame's pixels per inch: a point is DPI / 72 pixels


def font(points: float, scale: float) -> float:
    """A font size in points: `points` at 720 px, scaled, never below MIN_TEXT pixels."""
    return max(points * scale, MIN_TEXT * 72 / DPI)

PANELS: Registry[type] = Registry("panel")
READOUT_GAP = 14  # pixels (at 720 px) kept free between a panel's title and its readout


def rgb(color: str) -> np.ndarray:
    return np.array(to_rgb(color))


def finite_range(*arrays, pad: float = 0.08) -> tuple[float, float]:
    """(lo, hi) over the finite values of arrays, padded by a fraction of the span; (-1, 1) when none."""
    vals = np.concatenate([np.ravel(a) for a in arrays])
    vals = vals[np.isfinite(vals)]
    if not vals.size:
        return -1.0, 1.0
    lo, hi = float(vals.min()), float(vals.max())
    span = hi - lo or max(abs(hi), 1.0)
    return lo - pad * span, hi + pad * span


def log_formatter(lo: float, hi: float):
    """Tick labels for a log axis from lo to hi, all in one format: plain decimals (0.001, 0.5, 20) when
    every tick is between 0.001 and 10,000, else powers of ten (1e-5, 1e3)."""
    first = 10 ** np.ceil(np.log10(lo) - 1e-9) / (5 if hi / lo <= 100 else 1)  # the smallest labelled tick
    decimal = first >= 1e-3 * 0.999 and hi < 1e5

    def label(v: float, _pos=None) -> str:
        return f"{v:.10g}" if decimal else f"{v:.0e}".replace("e+0", "e").replace("e-0", "e-").replace("e+", "e")

    return label


def _minor_label(lo: float, hi: float):
    """Label 2x and 5x minor ticks only when the axis spans less than two decades."""
    major = log_formatter(lo, hi)

    def label(v: float, _pos=None) -> str:
        if hi / lo > 100:
            return ""
        lead = round(v / 10 ** np.floor(np.log10(v)), 6)
        return major(v) if lead in (2.0, 5.0) else ""

    return label


def width(values) -> int:
    """The characters `value` needs for the widest of `values`: a readout padded to it never jitters."""
    return max((len(value(v)) for v in np.ravel(values)), default=1)


def value(v: float) -> str:
    """A loss value for a label: 4 significant digits, or what kind of non-finite it is."""
    if not np.isfinite(v):
        return "NaN" if np.isnan(v) else "∞"
    return f"{v:.4g}" if v == 0 or 1e-3 <= abs(v) < 1e5 else f"{v:.2e}".replace("e+", "e")  # at most 8 characters


def count(v: float, _pos=None) -> str:
    """An iteration tick: 500, 2.5k, 10k, 1.2M."""
    v = int(round(v))
    if abs(v) >= 1_000_000:
        return f"{v / 1e6:g}M"
    return f"{v / 1000:g}k" if abs(v) >= 1000 else str(v)


def positive(loss: np.ndarray) -> np.ndarray:
    """The loss with what a log axis cannot show (non-finite, <= 0) as NaN."""
    return np.where(np.isfinite(loss) & (loss > 0), loss, np.nan)


def iteration_ticks(last: int, most: int = 4) -> list[int]:
    """Round ticks from 0 (at most `most` + 1), the last iteration always among them and none close to it."""
    last = max(int(last), 1)
    loc = ticker.MaxNLocator(most, steps=[1, 2, 2.5, 5, 10], integer=True)
    return [int(t) for t in loc.tick_values(0, last) if 0 <= t <= last * 0.85] + [last]


def iteration_axis(ax, last: int, most: int = 4, log: bool = False) -> None:
    """Iterations 0 to `last` across, round ticks like 2.5k and the last iteration labelled; `log`: on a
    log scale from 1 (0 at the left edge), for videos that spend most of their frames early in training."""
    last = max(int(last), 1)
    if log:
        ax.set_xscale("symlog", linthresh=1, linscale=0.3)
        ax.set_xlim(0, last * 1.15)
        decades = [10**k for k in range(0, int(np.log10(last)) + 1) if 10**k <= last / 3]
        ax.set_xticks([0, *decades, last])
        ax.xaxis.set_minor_locator(ticker.NullLocator())
        ax.set_xlabel("iteration (log scale)")
    else:
        ax.set_xlim(0, last * 1.03)
        ax.set_xticks(iteration_ticks(last, most))
        ax.set_xlabel("iteration")
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(count))


def loss_axes(ax, losses: list[np.ndarray], last: int, name: str, most: int = 4, log: bool = False) -> None:
    """A log-scale loss axis whose limits hold `losses`, iterations 0 to `last` across."""
    pos = np.concatenate([l[np.isfinite(l)] for l in losses])
    lo, hi = (float(pos.min()), float(pos.max())) if pos.size else (1e-3, 1.0)
    if hi <= lo * 1.5:
        lo, hi = lo / 2, hi * 2
    bottom, top = max(lo / 1.6, 1e-200), min(hi * 1.6, 1e200)  # a diverging loss reaches 1e308; ticks need room
    ax.set_yscale("log")
    ax.set_ylim(bottom, top)
    ax.yaxis.set_major_locator(ticker.LogLocator(numticks=6))
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(log_formatter(bottom, top)))
    ax.yaxis.set_minor_formatter(ticker.FuncFormatter(_minor_label(bottom, top)))
    iteration_axis(ax, last, most, log)
    ax.set_ylabel(f"{name} loss (log scale)")
    ax.yaxis.label.short = f"{name} (log)"  # what Panel.fit writes where the long label does not fit


def legend_line(color, label, scale, style: str = "-") -> Line2D:
    """A legend entry: a short line in the run's colour (and style)."""
    return Line2D([], [], color=color, lw=2.5 * scale, ls=style, label=label)


def mosaic(ax, n: int, h: int, w: int, gap: int, rows_first: bool = False):
    """An axes given over to one image of n pictures of h x w pixels in a near-square grid, `gap` white
    pixels apart: (rows, columns, the image artist)."""
    side = int(np.ceil(np.sqrt(n)))
    rows, cols = (side, int(np.ceil(n / side))) if rows_first else (int(np.ceil(n / side)), side)
    image = ax.imshow(np.ones((rows * (h + gap) - gap, cols * (w + gap) - gap, 3)), interpolation="nearest")
    no_frame(ax)
    return rows, cols, image


def no_frame(ax) -> None:
    """An axes that is a picture, not a chart: no ticks, grid or spines."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)


def overlap(a, b, pad: float = 0.0) -> bool:
    """Whether two display boxes overlap (closer than `pad` pixels)."""
    return a.x0 < b.x1 + pad and b.x0 < a.x1 + pad and a.y0 < b.y1 + pad and b.y0 < a.y1 + pad


class Panel:
    """A picture of one run. In a comparison it is a cell: `label` and `color` are the run's.

    The readout (the numbers of the current snapshot) sits in the title row, right of the title, where no
    curve or point can pass behind it; in a comparison's cell it is a line under the run's label."""

    label: str | None = None  # in a comparison: the run's label, drawn in its colour
    color: str | None = None  # the run's colour
    keep_legend = False
    heading = None  # the title on the left of the title row (a Text)
    two_lines = False  # a comparison's cell: its numbers on two lines (a narrow cell)
    narrow_legend = False  # a comparison's cell: its legend in one column
    siblings: tuple[str, ...] = ()  # the names of the other panels of the same frame
    legend_outside = False  # the legend sits outside the picture (under it), not in the title row
    log_time = False  # the video's frames are mostly early in training: iterations across on a log scale

    def __init__(self, ax, history: History, scale: float, settings: RenderConfig):
        self.ax, self.h, self.scale, self.settings = ax, history, scale, settings
        self.theme = THEMES.lookup(settings.theme)
        self.readout = None

    # --- the title row and the readout -------------------------------------------------------------
    def head(self, title: str, readout: bool = True) -> None:
        """The title on the left and, when `readout`, an empty readout on the right of the title row."""
        ax = self.ax
        self.heading = ax.set_title(title, loc="left")
        if readout:
            self.readout = ax.set_title(self.numbers(self.h.n - 1), loc="right", family="monospace",
                                        color=self.theme.ink, fontsize=font(12, self.scale))

    def legend_above(self) -> None:
        """The legend (of the artists' labels, or the one already made) in the title row, on the right: no
        curve or point passes behind it there."""
        old = self.ax.get_legend()
        handles, labels = (old.legend_handles, [t.get_text() for t in old.get_texts()]) if old else \
            self.ax.get_legend_handles_labels()
        if old:
            old.remove()
        self.ax.legend(handles, labels, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, frameon=False,
                       borderaxespad=0.2, handlelength=1.6, columnspacing=1.2)

    def numbers(self, i: int) -> str:
        """The readout's text at snapshot i: padded to the same width at every snapshot."""
        return ""

    def read(self, i: int) -> None:
        if self.readout is not None:
            self.readout.set_text(self.numbers(i))

    def cell_numbers(self, i: int) -> str:
        """A comparison's cell: the run's numbers at snapshot i (its loss; test loss and accuracy when kept)."""
        h = self.h
        if not hasattr(self, "widths"):  # padded to the widest of the run, so the numbers never jitter
            self.widths = (width(h.loss), width(h.test["loss"]) if h.test is not None else 0)
        loss = f"loss {value(h.loss[i]):>{self.widths[0]}}" + \
            (f" test {value(h.test['loss'][i]):>{self.widths[1]}}" if h.test is not None else "")
        if h.accuracy is None:
            return loss
        acc = f"acc {h.accuracy[i]:.0%}" + (f" test {h.test['accuracy'][i]:.0%}" if h.test is not None else "")
        return loss + ("\n" if self.two_lines else "  ") + acc

    def decorate(self) -> list:
        """A comparison's cell: the run's label as the title, its numbers on a line under it, and at the
        end its divergence. Returns the artists update_label changes."""
        ax, s = self.ax, self.scale
        if ax.get_legend() is not None and self.legend_outside:  # (under the picture): the first cell keeps it
            if not self.keep_legend:
                ax.get_legend().remove()
        elif ax.get_legend() is not None:  # the title row is the run's: a legend goes inside, in the first cell only
            legend = ax.get_legend()
            handles, labels = legend.legend_handles, [t.get_text() for t in legend.get_texts()]
            legend.remove()
            if self.keep_legend:
                ax.legend(handles, labels, loc="best", frameon=True, framealpha=0.85, edgecolor="none",
                          facecolor=self.theme.background)
        size = max(font(0, 0), ax.title.get_fontsize() * 0.9)
        ax.set_title("", loc="right")
        self.heading = ax.set_title(self.label, loc="left", color=self.color, weight="bold", pad=size * 1.5 + 4 * s)
        self.readout = None
        # a Text 3 points above the axes' top left corner (an annotation there draws four times slower)
        above = offset_copy(ax.transAxes, fig=ax.figure, x=0, y=3 * s, units="points")
        self.value = ax.text(0, 1, self.cell_numbers(self.h.n - 1), transform=above, ha="left", va="bottom",
                             fontsize=size, family="monospace", color=self.theme.ink, clip_on=False)
        self.value.set_in_layout(False)  # the title's pad leaves its room
        t = self.theme
        self.stop = ax.text(0.5, 0.5, f"diverged at iteration {self.h.diverged_at:,}", transform=ax.transAxes,
                            ha="center", va="center", fontsize=size * 1.1, color=t.diverged, weight="bold",
                            bbox=dict(facecolor=t.background, edgecolor=t.diverged, alpha=0.9), zorder=5,
                            wrap=True)
        self.stop.set_visible(False)
        return [self.value, self.stop]

    def update_label(self, i: int) -> None:
        self.value.set_text(self.cell_numbers(i))
        self.stop.set_visible(self.h.diverged_at >= 0 and i == self.h.n - 1)

    def setup(self) -> list:
        """Draw what never changes; return the artists update() will change."""
        raise NotImplementedError

    def update(self, i: int) -> None:
        """Move the artists to snapshot i."""
        raise NotImplementedError

    def fit(self, renderer) -> bool:
        """After the first full draw: fix what does not fit at this size; True when something changed.

        Tick labels that touch are turned; a title that runs into the readout is shortened."""
        changed = False
        labels = [t for t in self.ax.get_xticklabels() if t.get_text()]
        boxes = [t.get_window_extent(renderer) for t in labels]
        if any(a.x1 + 2 > b.x0 for a, b in zip(boxes, boxes[1:])):
            for t in labels:
                t.set_rotation(35)
                t.set_horizontalalignment("right")
                t.set_rotation_mode("anchor")
            changed = True
        changed |= fit_ylabel(self.ax, renderer)
        changed |= thin_yticks(self.ax, renderer)
        if self.readout is not None:
            changed |= self._fit_readout(renderer)
            if self.heading is not None:
                right = self.readout.get_window_extent(renderer).x0 - READOUT_GAP * self.scale
                changed |= shrink_to(self.heading, right, renderer)
        if self.heading is not None and self.label is None:  # a heading never runs past its panel's right edge
            changed |= shrink_to(self.heading, self.right_edge(renderer), renderer)
        legend = self.ax.get_legend()
        if self.label is None and legend is not None and self.heading is not None and self.readout is None:
            right = legend.get_window_extent(renderer).x0 - READOUT_GAP * self.scale
            if self.heading.get_window_extent(renderer).x1 > right:  # above: the title makes way for it
                changed |= shrink_to(self.heading, right, renderer)
        if self.label is None and legend is not None and self.readout is not None:  # a legend inside, in a small panel
            lbox, axbox = legend.get_window_extent(renderer), self.ax.get_window_extent(renderer)
            if overlap(lbox, self.readout.get_window_extent(renderer)) or \
                    lbox.width * lbox.height > 0.2 * axbox.width * axbox.height:
                legend.remove()
                changed = True
        if self.label is not None:
            changed |= self._fit_cell(renderer)
        return changed

    def _fit_cell(self, renderer) -> bool:
        """A comparison's cell: its numbers and its legend within its width (smaller, on two lines, or
        for the legend one column, then none)."""
        changed = False
        room = self.ax.get_window_extent(renderer).width
        box = self.value.get_window_extent(renderer)
        if box.width > room:
            if not self.two_lines:
                self.two_lines = True
                self.value.set_text(self.cell_numbers(self.h.n - 1))
                lines = self.cell_numbers(self.h.n - 1).count("\n") + 1
                self.ax.set_title(self.label, loc="left", color=self.color, weight="bold",
                                  pad=self.value.get_fontsize() * 1.25 * lines + 5 * self.scale)
            else:
                self.value.set_fontsize(max(font(0, 0), self.value.get_fontsize() * room / box.width))
            changed = True
        changed |= shrink_to(self.heading, self.ax.get_window_extent(renderer).x1, renderer)
        legend = self.ax.get_legend()
        if legend is not None and not self.legend_outside:  # a legend that would cover much of a small cell: none
            lbox, axbox = legend.get_window_extent(renderer), self.ax.get_window_extent(renderer)
            if lbox.width * lbox.height > 0.15 * axbox.width * axbox.height:
                legend.remove()
                legend = None
                changed = True
        if legend is not None and self.h.diverged_at >= 0:  # the divergence label goes where the legend is not
            self.stop.set_visible(True)
            lbox, sbox = legend.get_window_extent(renderer), self.stop.get_window_extent(renderer)
            self.stop.set_visible(False)
            if overlap(lbox, sbox, 4):
                upper = (lbox.y0 + lbox.y1) / 2 > self.ax.get_window_extent(renderer).y0 + self.ax.bbox.height / 2
                self.stop.set_y(0.08 if upper else 0.92)
                self.stop.set_verticalalignment("bottom" if upper else "top")
                changed = True
        if legend is not None:
            lbox = legend.get_window_extent(renderer)
            axbox = self.ax.get_window_extent(renderer)
            if lbox.width > axbox.width + 1:
                if not self.narrow_legend:
                    legend.set_ncols(1)
                    self.narrow_legend = True
                else:
                    legend.remove()
                changed = True
        return changed

    def right_edge(self, renderer) -> float:
        """The pixel the panel's room ends at on the right (its heading ends there too): the layout's box,
        wider than a picture of fixed aspect drawn in it."""
        return self.ax.get_position(original=True).x1 * self.ax.figure.bbox.width

    def _fit_readout(self, renderer) -> bool:
        """A readout wider than its panel: a smaller font (not below MIN_TEXT pixels)."""
        room = self.ax.get_window_extent(renderer).width
        width = self.readout.get_window_extent(renderer).width
        if width <= room:
            return False
        self.readout.set_fontsize(max(font(0, 0), self.readout.get_fontsize() * room / width))
        return True


def fit_ylabel(ax, renderer) -> bool:
    """A y label taller than its axes: its short form (a `short` attribute, when it has one), then a smaller
    font (not below MIN_TEXT pixels). True when it changed."""
    label = ax.yaxis.label
    room = ax.get_window_extent(renderer).height
    if not label.get_text() or label.get_window_extent(renderer).height <= room:
        return False
    short = getattr(label, "short", None)
    if short and label.get_text() != short:
        label.set_text(short)
    if label.get_window_extent(renderer).height > room:
        label.set_fontsize(max(font(0, 0), label.get_fontsize() * room / label.get_window_extent(renderer).height))
    return True


def thin_yticks(ax, renderer) -> bool:
    """Y tick labels that touch (a short panel): fewer ticks, and no labelled minor ticks. True when changed."""
    labels = [t for t in ax.get_yticklabels() + ax.get_yticklabels(minor=True) if t.get_text() and t.get_visible()]
    lo, hi = ax.get_ylim()
    boxes = sorted((t.get_window_extent(renderer) for t in labels
                    if lo <= t.get_position()[1] <= hi or hi <= t.get_position()[1] <= lo), key=lambda b: b.y0)
    if not any(a.y1 + 1 > b.y0 for a, b in zip(boxes, boxes[1:])):
        return False
    shown = len(ax.get_yticks())
    if ax.get_yscale() == "log":
        ax.yaxis.set_major_locator(ticker.LogLocator(numticks=max(2, shown // 2)))
        ax.yaxis.set_minor_formatter(ticker.NullFormatter())
    else:
        ax.yaxis.set_major_locator(ticker.MaxNLocator(max(2, shown // 2)))
    return True


def shrink_to(text, right: float, renderer, smallest: float = 0.75, least: float = 0.6) -> bool:
    """Make `text` end left of pixel `right`: a smaller font (down to `smallest` of it, never below
    MIN_TEXT pixels), then cut with an ellipsis — to nothing when less than `least` of it would be left.
    True when it changed."""
    box = text.get_window_extent(renderer)
    if box.x1 <= right or not text.get_text():
        return False
    size, whole = text.get_fontsize(), text.get_text()
    floor = max(smallest * size, font(0, 0))
    text.set_fontsize(max(floor, size * (right - box.x0) / box.width))
    words = text.get_text()
    box = text.get_window_extent(renderer)
    if box.x1 > right and box.width > 0:  # first cut to about what fits, so a very long text costs a few steps
        words = words[: max(1, int(len(words) * (right - box.x0) / box.width) + 1)]
        text.set_text(words.rstrip() + "…")
    while text.get_window_extent(renderer).x1 > right and len(words) > 1:
        words = words[:-1]
        text.set_text(words.rstrip() + "…")
    if text.get_window_extent(renderer).x1 > right or len(words) < least * len(whole):
        text.set_text("")  # a stump like "lo…" says nothing
    return True
