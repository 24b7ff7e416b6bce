"""What every panel shares: the registry, the base class, the colours and the axis helpers.

A panel is a class registered by name in PANELS: setup() draws the static parts once and returns the
artists update(i) moves for snapshot i. Axis limits are fixed in setup from the whole History (every
snapshot is known before drawing), so a frame only redraws those artists. A panel gets the History
(what was trained) and the RenderConfig being rendered (how to show it), never a config dict.
"""
from __future__ import annotations

import numpy as np
from matplotlib import ticker
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.lines import Line2D

from ...config import RenderConfig
from ...registry import Registry
from ...snapshots import History

PANELS: Registry[type] = Registry("panel")

# Colour-blind-safe (Okabe-Ito): data in blue-grey, the net's prediction in vermillion, loss in blue.
DATA = "#56606b"
PRED = "#d55e00"
LOSS = "#0072b2"
DIVERGED = "#c0392b"
RUN_COLORS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442")
# Playground's colours: orange for class 0 (or low values), blue for class 1 (or high values)
ORANGE, BLUE = "#f59322", "#0877bd"
VALUE_WIDTH = 8  # characters of a loss value in the label


def two_colour_map():
    return LinearSegmentedColormap.from_list("nnviz_orange_blue", [ORANGE, "#ffffff", BLUE])


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


def plain(v: float, _pos=None) -> str:
    """A tick label without powers of ten: 0.001, 0.5, 20."""
    return f"{v:.10g}" if 1e-4 <= v < 1e5 else f"{v:.0e}".replace("e+", "e")


def _minor_label(lo: float, hi: float):
    """Label 2x and 5x minor ticks only when the axis spans less than two decades."""

    def label(v: float, _pos=None) -> str:
        if hi / lo > 100:
            return ""
        lead = round(v / 10 ** np.floor(np.log10(v)), 6)
        return plain(v) if lead in (2.0, 5.0) else ""

    return label


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


def iteration_axis(ax, last: int) -> None:
    """Iterations 0 to `last` across, ticks like 2.5k."""
    ax.set_xlim(0, max(last, 1) * 1.03)
    ax.xaxis.set_major_locator(ticker.MaxNLocator(5, integer=True))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(count))
    ax.set_xlabel("iteration")


def loss_axes(ax, losses: list[np.ndarray], last: int, name: str) -> None:
    """A log-scale loss axis whose limits hold `losses`, iterations 0 to `last` across."""
    pos = np.concatenate([l[np.isfinite(l)] for l in losses])
    lo, hi = (float(pos.min()), float(pos.max())) if pos.size else (1e-3, 1.0)
    if hi <= lo * 1.5:
        lo, hi = lo / 2, hi * 2
    bottom, top = max(lo / 1.6, 1e-200), min(hi * 1.6, 1e200)  # a diverging loss reaches 1e308; ticks need room
    ax.set_yscale("log")
    ax.set_ylim(bottom, top)
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(plain))
    ax.yaxis.set_minor_formatter(ticker.FuncFormatter(_minor_label(bottom, top)))
    iteration_axis(ax, last)
    ax.set_ylabel(f"{name} loss (log scale)")
    ax.set_title("training loss", loc="left")


def legend_line(color, label, scale) -> Line2D:
    """A legend entry: a short line in the run's colour."""
    return Line2D([], [], color=color, lw=2.5 * scale, label=label)


def mosaic(ax, n: int, h: int, w: int, gap: int, rows_first: bool = False):
    """An axes given over to one image of n pictures of h x w pixels in a near-square grid, `gap` white
    pixels apart: (rows, columns, the image artist)."""
    side = int(np.ceil(np.sqrt(n)))
    rows, cols = (side, int(np.ceil(n / side))) if rows_first else (int(np.ceil(n / side)), side)
    image = ax.imshow(np.ones((rows * (h + gap) - gap, cols * (w + gap) - gap, 3)), interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return rows, cols, image


class Panel:
    """A picture of one run. In a comparison it is a cell: `label` and `color` are the run's."""

    label: str | None = None  # in a comparison: the run's label, drawn in its colour
    color: str | None = None  # the run's colour
    keep_legend = False

    def __init__(self, ax, history: History, scale: float, settings: RenderConfig):
        self.ax, self.h, self.scale, self.settings = ax, history, scale, settings

    def decorate(self) -> list:
        """A comparison's cell: the run's label as the title, its loss each frame and, at the end, its
        divergence. Returns the artists update_label changes."""
        ax, s = self.ax, self.scale
        ax.set_title(self.label, loc="left", color=self.color, weight="bold")
        if ax.get_legend() is not None and not self.keep_legend:
            ax.get_legend().remove()
        self.value = ax.set_title("", loc="right", color=self.color, family="monospace")
        self.stop = ax.text(0.5, 0.5, f"diverged at iteration {self.h.diverged_at:,}", transform=ax.transAxes,
                            ha="center", va="center", fontsize=14 * s, color=DIVERGED, weight="bold",
                            bbox=dict(facecolor="white", edgecolor=DIVERGED, alpha=0.9), zorder=5)
        self.stop.set_visible(False)
        return [self.value, self.stop]

    def update_label(self, i: int) -> None:
        self.value.set_text(f"loss {value(self.h.loss[i])}")
        self.stop.set_visible(self.h.diverged_at >= 0 and i == self.h.n - 1)

    def setup(self) -> list:
        """Draw what never changes; return the artists update() will change."""
        raise NotImplementedError

    def update(self, i: int) -> None:
        """Move the artists to snapshot i."""
        raise NotImplementedError

    def fit(self, renderer) -> bool:
        """After the first full draw: fix what does not fit at this size; True when something changed."""
        labels = [t for t in self.ax.get_xticklabels() if t.get_text()]
        boxes = [t.get_window_extent(renderer) for t in labels]
        if any(a.x1 + 2 > b.x0 for a, b in zip(boxes, boxes[1:])):
            for t in labels:
                t.set_rotation(35)
                t.set_horizontalalignment("right")
                t.set_rotation_mode("anchor")
            return True
        return False
