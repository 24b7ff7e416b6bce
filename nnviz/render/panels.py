"""Panels: one class per picture. setup() draws the static parts once; update(i) moves the artists for snapshot i.

A panel is registered by name in PANELS; the Scene lays panels out and owns the figure. Axis limits are
fixed in setup from the whole History (every snapshot is known before drawing), so a frame only redraws
the artists update() returns.
"""
from __future__ import annotations

import numpy as np
from matplotlib import ticker

from ..registry import Registry
from ..snapshots import History

PANELS: Registry[type] = Registry("panel")

# Colour-blind-safe (Okabe-Ito): data in blue-grey, the net's prediction in vermillion, loss in blue.
DATA = "#56606b"
PRED = "#d55e00"
LOSS = "#0072b2"
DIVERGED = "#c0392b"
VALUE_WIDTH = 8  # characters of a loss value in the label
PER_SAMPLE_MAX = 32  # up to this many targets: one column per sample, else predicted-vs-target scatter


def finite_range(*arrays, pad: float = 0.08) -> tuple[float, float]:
    """(lo, hi) over the finite values of arrays, padded by a fraction of the span; (-1, 1) when none."""
    vals = np.concatenate([np.ravel(a) for a in arrays])
    vals = vals[np.isfinite(vals)]
    if not vals.size:
        return -1.0, 1.0
    lo, hi = float(vals.min()), float(vals.max())
    span = hi - lo or max(abs(hi), 1.0)
    return lo - pad * span, hi + pad * span


def _plain(v: float, _pos=None) -> str:
    """A tick label without powers of ten: 0.001, 0.5, 20."""
    return f"{v:.10g}" if 1e-4 <= v < 1e5 else f"{v:.0e}".replace("e+", "e")


def _minor_label(lo: float, hi: float):
    """Label 2x and 5x minor ticks only when the axis spans less than two decades."""

    def label(v: float, _pos=None) -> str:
        if hi / lo > 100:
            return ""
        lead = round(v / 10 ** np.floor(np.log10(v)), 6)
        return _plain(v) if lead in (2.0, 5.0) else ""

    return label


def _value(v: float) -> str:
    """A loss value for the label: 4 significant digits, or what kind of non-finite it is."""
    if not np.isfinite(v):
        return "NaN" if np.isnan(v) else "∞"
    return f"{v:.4g}" if v == 0 or 1e-3 <= abs(v) < 1e5 else f"{v:.2e}".replace("e+", "e")  # at most 8 characters


def _count(v: float, _pos=None) -> str:
    """An iteration tick: 500, 2.5k, 10k, 1.2M."""
    v = int(round(v))
    if abs(v) >= 1_000_000:
        return f"{v / 1e6:g}M"
    return f"{v / 1000:g}k" if abs(v) >= 1000 else str(v)


def positive(loss: np.ndarray) -> np.ndarray:
    """The loss with what a log axis cannot show (non-finite, <= 0) as NaN."""
    return np.where(np.isfinite(loss) & (loss > 0), loss, np.nan)


def loss_axes(ax, losses: list[np.ndarray], last: int, name: str) -> None:
    """A log-scale loss axis whose limits hold `losses`, iterations 0 to `last` across."""
    pos = np.concatenate([l[np.isfinite(l)] for l in losses])
    lo, hi = (float(pos.min()), float(pos.max())) if pos.size else (1e-3, 1.0)
    if hi <= lo * 1.5:
        lo, hi = lo / 2, hi * 2
    bottom, top = max(lo / 1.6, 1e-200), min(hi * 1.6, 1e200)  # a diverging loss reaches 1e308; ticks need room
    ax.set_yscale("log")
    ax.set_ylim(bottom, top)
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(_plain))
    ax.yaxis.set_minor_formatter(ticker.FuncFormatter(_minor_label(bottom, top)))
    ax.set_xlim(0, max(last, 1) * 1.03)
    ax.xaxis.set_major_locator(ticker.MaxNLocator(5, integer=True))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(_count))
    ax.set_xlabel("iteration")
    ax.set_ylabel(f"{name} loss (log scale)")
    ax.set_title("training loss", loc="left")


class Panel:
    title = ""
    label: str | None = None  # in a comparison: the run's label, drawn in its colour
    color: str | None = None  # the run's colour
    keep_legend = False

    def __init__(self, ax, history: History, scale: float):
        self.ax, self.h, self.scale = ax, history, scale

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
        self.value.set_text(f"loss {_value(self.h.loss[i])}")
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


@PANELS.register("fit")
class FitPanel(Panel):
    """The data and the net's prediction: a curve over x for 1-D input, else predicted vs target per sample."""

    def setup(self) -> list:
        h, ax = self.h, self.ax
        ms = 5 * self.scale
        if h.x.shape[1] == 1 and h.y.shape[1] == 1:
            self.mode = "curve"
            ax.plot(h.x[:, 0], h.y[:, 0], "o", ms=ms, color=DATA, alpha=0.55, mec="none", label="data")
            (self.line,) = ax.plot([], [], "-", lw=3 * self.scale, color=self.color or PRED, label="prediction")
            ax.set_xlim(float(h.grid_x[0, 0]), float(h.grid_x[-1, 0]))
            ax.set_ylim(*finite_range(h.y, pad=0.2))
            ax.set_xlabel(h.x_names[0])
            ax.set_ylabel(h.y_names[0])
            ax.set_title("data and prediction", loc="left")
            ax.legend(loc="best", frameon=False)
            return [self.line]
        target = h.y.ravel()
        lo, hi = finite_range(target, pad=0.25)
        if target.size <= PER_SAMPLE_MAX:
            self.mode = "samples"
            idx = np.arange(target.size)
            ax.plot(idx, target, "o", ms=14 * self.scale, mfc="none", mew=2 * self.scale, color=DATA, label="target")
            (self.line,) = ax.plot([], [], "o", ms=9 * self.scale, color=self.color or PRED, label="prediction")
            self.stems = ax.vlines(idx, target, target, color=self.color or PRED, lw=2 * self.scale, alpha=0.6)
            ax.set_xticks(idx, self._row_labels())
            ax.set_xlim(-0.6, target.size - 0.4)
            ax.set_ylim(lo, hi)
            ax.set_xlabel("sample (" + " ".join(h.x_names) + ")")
            ax.set_ylabel(", ".join(h.y_names))
            ax.set_title("prediction per sample", loc="left")
            ax.legend(loc="upper center", ncols=2, frameon=False)
            return [self.stems, self.line]
        self.mode = "scatter"
        ax.plot([lo, hi], [lo, hi], "--", color=DATA, lw=1.5 * self.scale, label="perfect")
        (self.line,) = ax.plot([], [], "o", ms=ms, color=self.color or PRED, alpha=0.6, mec="none", label="samples")
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_xlabel("target " + ", ".join(h.y_names))
        ax.set_ylabel("prediction")
        ax.set_title("prediction vs target", loc="left")
        ax.legend(loc="upper left", frameon=False)
        return [self.line]

    def _row_labels(self) -> list[str]:
        h = self.h
        if h.x.shape[0] * h.y.shape[1] > 12 or h.x.shape[1] > 4:
            return [str(i) for i in range(h.y.size)]
        rows = [" ".join(f"{v:g}" for v in r) for r in h.x]
        return [r if h.y.shape[1] == 1 else f"{r} [{j}]" for r in rows for j in range(h.y.shape[1])]

    def update(self, i: int) -> None:
        pred = self.h.grid_pred[i]
        if self.mode == "curve":
            self.line.set_data(self.h.grid_x[:, 0], pred[:, 0])
        elif self.mode == "samples":
            p = pred.ravel()
            t = self.h.y.ravel()
            self.line.set_data(np.arange(p.size), p)
            self.stems.set_segments([[(j, t[j]), (j, p[j])] for j in range(p.size)])
        else:
            self.line.set_data(self.h.y.ravel(), pred.ravel())


@PANELS.register("loss")
class LossPanel(Panel):
    """The loss so far on a log scale, with the current value marked."""

    def setup(self) -> list:
        h, ax = self.h, self.ax
        self.loss = positive(h.loss)
        extra = [positive(h.test["loss"])] if h.test is not None else []
        loss_axes(ax, [self.loss, *extra], int(h.iteration[-1]), h.config["train"]["loss"])
        (self.line,) = ax.plot([], [], "-", lw=2.2 * self.scale, color=LOSS, label="train")
        (self.dot,) = ax.plot([], [], "o", ms=9 * self.scale, color=LOSS)
        self.test = None
        if h.test is not None:  # the held-out set's loss, dashed
            self.test_loss = positive(h.test["loss"])
            (self.test,) = ax.plot([], [], "--", lw=2.2 * self.scale, color=PRED, label="test")
            ax.legend(loc="lower left", frameon=False)
        # the words once, the numbers every frame; monospace and padded, so neither overlaps nor jitters
        style = dict(transform=ax.transAxes, ha="right", va="top", fontsize=13 * self.scale, color=LOSS,
                     family="monospace")
        pad = " " * (VALUE_WIDTH + 1)
        ax.text(0.97, 0.95, f"loss{pad}\nMAE {pad}", **style)
        self.label = ax.text(0.97, 0.95, "", **style)
        artists = [self.line, self.dot, self.label] + ([self.test] if self.test is not None else [])
        if h.diverged_at >= 0:
            ax.axvline(h.diverged_at, color=DIVERGED, ls="--", lw=1.5 * self.scale)
        return artists

    def update(self, i: int) -> None:
        it = self.h.iteration[: i + 1]
        self.line.set_data(it, self.loss[: i + 1])
        cur = self.loss[i]
        self.dot.set_data([it[-1]], [cur] if np.isfinite(cur) else [np.nan])
        if self.test is not None:
            self.test.set_data(it, self.test_loss[: i + 1])
        raw = self.h.loss[i]
        self.label.set_text(f"{_value(raw):>{VALUE_WIDTH}}\n{_value(self.h.mae[i]):>{VALUE_WIDTH}}")


RUN_COLORS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442")


class RunsLossPanel:
    """A comparison's shared loss panel: one line per run, log scale, a legend with the runs' labels."""

    def __init__(self, ax, histories: list[History], labels, colors, scale: float):
        self.ax, self.hs, self.labels, self.colors, self.scale = ax, histories, labels, colors, scale

    def setup(self) -> list:
        ax, s = self.ax, self.scale
        self.losses = [positive(h.loss) for h in self.hs]
        # the range of the runs that did not diverge: an exploding run leaves through the top
        kept = [l for h, l in zip(self.hs, self.losses) if h.diverged_at < 0] or self.losses
        loss_axes(ax, kept, max(int(h.iteration[-1]) for h in self.hs), self.hs[0].config["train"]["loss"])
        self.lines, self.dots = [], []
        for h, label, color in zip(self.hs, self.labels, self.colors):
            (line,) = ax.plot([], [], "-", lw=2 * s, color=color, label=label)
            (dot,) = ax.plot([], [], "o", ms=7 * s, color=color)
            self.lines.append(line)
            self.dots.append(dot)
            if h.diverged_at >= 0:
                ax.axvline(h.diverged_at, color=color, ls="--", lw=1.2 * s)
        ax.legend(handles=[plt_line(c, lb, s) for c, lb in zip(self.colors, self.labels)], loc="upper center",
                  bbox_to_anchor=(0.5, -0.13), frameon=False, fontsize=10.5 * s, ncols=2 if len(self.hs) > 3 else 1)
        return self.lines + self.dots

    def update(self, idx) -> None:
        for h, loss, line, dot, i in zip(self.hs, self.losses, self.lines, self.dots, idx):
            line.set_data(h.iteration[: i + 1], loss[: i + 1])
            dot.set_data([h.iteration[i]], [loss[i]])

    def fit(self, renderer) -> bool:
        return False


def plt_line(color, label, scale):
    """A legend entry: a short line in the run's colour."""
    from matplotlib.lines import Line2D

    return Line2D([], [], color=color, lw=2.5 * scale, label=label)


# Playground's colours: orange for class 0 (or low values), blue for class 1 (or high values)
ORANGE, BLUE = "#f59322", "#0877bd"


def _two_colour_map():
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("nnviz_orange_blue", [ORANGE, "#ffffff", BLUE])


@PANELS.register("boundary")
class BoundaryPanel(Panel):
    """2-D input: the net's output over the plane as a heat map (one colour per class, shaded by confidence),
    training points filled, test points hollow."""

    def setup(self) -> list:
        h, ax = self.h, self.ax
        g = int(round(np.sqrt(len(h.grid_x))))
        self.g = g
        x0, x1 = h.grid_x[:, 0], h.grid_x[:, 1]
        extent = (float(x0.min()), float(x0.max()), float(x1.min()), float(x1.max()))
        k = h.y.shape[1]
        loss = h.config["train"]["loss"]
        self.kind = "classes" if k > 1 else "binary" if loss == "bce" else "value"
        if self.kind == "value":  # regression: the output's value, centred on the targets' middle
            lo, hi = finite_range(h.y, pad=0.05)
            self.norm = (lo, hi)
        self.cmap = _two_colour_map()
        self.colors = np.array([_rgb(c) for c in RUN_COLORS])
        self.image = ax.imshow(np.zeros((g, g, 3)), origin="lower", extent=extent, aspect="auto",
                               interpolation="bilinear", zorder=0)
        pts = [self._points(h.x, h.y, filled=True)]
        if h.test is not None:
            pts.append(self._points(h.test["x"], h.test["y"], filled=False))
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_xlabel(h.x_names[0])
        ax.set_ylabel(h.x_names[1])
        ax.grid(False)
        what = {"classes": "class regions", "binary": "decision boundary", "value": "the net's output"}[self.kind]
        ax.set_title(what + (" · test points hollow" if h.test is not None else ""), loc="left")
        return [self.image, *pts]

    def _points(self, x, y, filled: bool):
        s = self.scale
        if self.kind == "value":
            c = self.cmap((y[:, 0] - self.norm[0]) / (self.norm[1] - self.norm[0]))
        elif self.kind == "binary":
            c = np.where(y[:, :1] > 0.5, _rgb(BLUE), _rgb(ORANGE))
        else:
            c = self.colors[np.argmax(y, axis=1) % len(self.colors)]
        if filled:  # the class's colour, darker than its region, with a white rim
            return self.ax.scatter(x[:, 0], x[:, 1], s=50 * s, c=0.7 * c, edgecolors="white",
                                   linewidths=0.5 * s, zorder=2)
        return self.ax.scatter(x[:, 0], x[:, 1], s=44 * s, facecolors="white", edgecolors=0.75 * c,
                               linewidths=2.0 * s, zorder=2)

    def update(self, i: int) -> None:
        pred = self.h.grid_pred[i]
        g = self.g
        with np.errstate(invalid="ignore"):
            if self.kind == "binary":
                rgb = self.cmap(np.clip(pred[:, 0], 0, 1))[:, :3]
            elif self.kind == "value":
                lo, hi = self.norm
                rgb = self.cmap(np.clip((pred[:, 0] - lo) / (hi - lo), 0, 1))[:, :3]
            else:  # the winning class's colour, faded towards white as its probability falls
                win = np.argmax(np.nan_to_num(pred), axis=1)
                conf = np.clip((np.max(pred, axis=1) - 1 / pred.shape[1]) / (1 - 1 / pred.shape[1]), 0, 1)
                base = self.colors[win % len(self.colors)]
                rgb = 1 - conf[:, None] * 0.75 * (1 - base)
        self.image.set_data(np.nan_to_num(rgb, nan=1.0).reshape(g, g, 3))

    def fit(self, renderer) -> bool:
        return False


def _rgb(color: str) -> np.ndarray:
    from matplotlib.colors import to_rgb

    return np.array(to_rgb(color))


@PANELS.register("metrics")
class MetricsPanel(Panel):
    """Classification: the accuracy on the training set (and the test set) so far."""

    def setup(self) -> list:
        h, ax, s = self.h, self.ax, self.scale
        ax.set_ylim(0, 1.04)
        ax.set_xlim(0, max(int(h.iteration[-1]), 1) * 1.03)
        ax.xaxis.set_major_locator(ticker.MaxNLocator(5, integer=True))
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(_count))
        ax.yaxis.set_major_formatter(ticker.PercentFormatter(1.0, decimals=0))
        ax.set_xlabel("iteration")
        ax.set_ylabel("accuracy")
        ax.set_title("accuracy", loc="left")
        (self.train,) = ax.plot([], [], "-", lw=2.2 * s, color=LOSS, label="train")
        artists = [self.train]
        self.test = None
        if h.test is not None:
            (self.test,) = ax.plot([], [], "--", lw=2.2 * s, color=PRED, label="test")
            artists.append(self.test)
        ax.legend(loc="lower right", frameon=False)
        style = dict(transform=ax.transAxes, ha="right", va="bottom", fontsize=12 * s, family="monospace")
        self.value = ax.text(0.97, 0.32, "", color=LOSS, **style)
        return artists + [self.value]

    def update(self, i: int) -> None:
        it = self.h.iteration[: i + 1]
        self.train.set_data(it, self.h.accuracy[: i + 1])
        text = f"train {self.h.accuracy[i]:6.1%}"
        if self.test is not None:
            self.test.set_data(it, self.h.test["accuracy"][: i + 1])
            text += f"\ntest  {self.h.test['accuracy'][i]:6.1%}"
        self.value.set_text(text)


MAX_UNITS = 8  # a layer with more units shows this many, and says how many more there are


def net_of(h: History, panel: str):
    """The Net a History was trained with; ValueError when its parameters were not kept at every snapshot."""
    from ..model import Net

    if h.theta is None:
        raise ValueError(f"the {panel} panel needs the parameters at every snapshot (nets of <= 10,000)")
    m = h.config["model"]
    return Net((h.x.shape[1], *m["hidden"], h.y.shape[1]), (*m["activation"], m["output"]), m["bias"])
CELL = 24  # a unit's own heat map is CELL x CELL predictions


@PANELS.register("network")
class NetworkPanel(Panel):
    """The net as a diagram: edges coloured by the weight's sign (blue +, orange -), as wide as its size;
    each unit shows its own output over the input plane (2-D input) or its mean activation."""

    def setup(self) -> list:
        from matplotlib.collections import LineCollection

        from ..model import layer_views, unflatten

        h, ax, s = self.h, self.ax, self.scale
        self.net = net_of(h, "network")
        self.unflatten, self.layer_views = unflatten, layer_views
        sizes = self.net.sizes
        shown = [min(n, MAX_UNITS) for n in sizes]
        cols = len(sizes)
        self.pos = []  # per layer, (units shown, 2) positions in axes units
        for c, n in enumerate(shown):
            ys = np.linspace(0.84, 0.08, n) if n > 1 else np.array([0.46])
            self.pos.append(np.stack([np.full(n, 0.06 + 0.88 * c / max(cols - 1, 1)), ys], axis=1))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.axis("off")
        ax.set_title("network: weights blue +, orange −", loc="left")
        segs, self.edge_index = [], []
        for layer in range(cols - 1):
            for i in range(shown[layer]):
                for j in range(shown[layer + 1]):
                    segs.append([self.pos[layer][i], self.pos[layer + 1][j]])
                    self.edge_index.append((layer, i, j))
        self.edges = LineCollection(segs, zorder=1)
        ax.add_collection(self.edges)
        # edge widths: |w| relative to the largest weight of its layer over the whole run
        views = [unflatten(self.net, th) for th in h.theta]
        self.wmax = [max(float(np.abs(v[f"w{k}"]).max()) for v in views) or 1.0 for k in range(cols - 1)]
        self.radius = min(0.07, 0.4 / max(shown))
        r = self.radius
        self.heat = 2 in (h.x.shape[1],) and h.grid_x.shape[1] == 2
        artists = [self.edges]
        self.units = []
        if self.heat:  # each unit's own picture: its output over a coarse mesh of the input plane
            lo, hi = h.grid_x.min(axis=0), h.grid_x.max(axis=0)
            g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], CELL), np.linspace(lo[1], hi[1], CELL))
            self.cell_x = np.stack([g0.ravel(), g1.ravel()], axis=1)
            self.cmap = _two_colour_map()
        from matplotlib.patches import Ellipse, Rectangle

        self.shapes = []  # (artist, centre, kind) to make round once the axes' aspect is known (fit)
        for layer, pts in enumerate(self.pos):
            for i, (px, py) in enumerate(pts):
                if self.heat and layer > 0:  # a square of the unit's own picture, framed
                    frame = Rectangle((px - r, py - r), 2 * r, 2 * r, facecolor="white", edgecolor="#555555",
                                      lw=1.0 * s, zorder=2)
                    ax.add_patch(frame)
                    img = ax.imshow(np.ones((CELL, CELL, 3)), extent=(px - r, px + r, py - r, py + r),
                                    origin="lower", zorder=3, interpolation="bilinear")
                    ax.set_aspect("auto")
                    self.units.append((layer, i, img))
                    artists.append(img)
                    self.shapes += [(frame, (px, py), "frame"), (img, (px, py), "image")]
                else:
                    ring = Ellipse((px, py), 2 * r, 2 * r, facecolor="white", edgecolor="#555555", lw=1.0 * s,
                                   zorder=2)
                    ax.add_patch(ring)
                    self.shapes.append((ring, (px, py), "ring"))
                    if layer > 0:
                        self.units.append((layer, i, ring))
                        artists.append(ring)
            if sizes[layer] > shown[layer]:
                ax.text(pts[-1, 0], pts[-1, 1] - 2.2 * r, f"+{sizes[layer] - shown[layer]} more", ha="center",
                        va="top", fontsize=10 * s, color="#555555")
            name = "in" if layer == 0 else "out" if layer == cols - 1 else f"h{layer}"
            ax.text(pts[0, 0], 1.0, name, ha="center", va="top", fontsize=11 * s, color="#333333")
        for i, (px, py) in enumerate(self.pos[0]):
            label = h.x_names[i] if i < len(h.x_names) else ""
            ax.text(px, py, label, ha="center", va="center", fontsize=10 * s, zorder=4)
        return artists

    def update(self, i: int) -> None:
        v = self.unflatten(self.net, self.h.theta[i])
        w = np.array([v[f"w{layer}"][a, b] for layer, a, b in self.edge_index])
        scale = np.array([self.wmax[layer] for layer, _, _ in self.edge_index])
        with np.errstate(invalid="ignore"):
            mag = np.nan_to_num(np.abs(w) / scale)
        self.edges.set_linewidths(0.3 * self.scale + 4.5 * self.scale * mag)
        self.edges.set_colors([BLUE if x >= 0 else ORANGE for x in w])
        layers = self.layer_views(self.net, self.h.theta[i])
        x = self.cell_x if self.heat else self.h.x
        acts = _activations(self.net, layers, x)
        for layer, unit, artist in self.units:
            a = acts[layer - 1][:, unit]
            lo, hi = _act_range(self.net.activations[layer - 1])
            frac = np.clip((np.nan_to_num(a) - lo) / (hi - lo), 0, 1)
            if self.heat:
                artist.set_data(self.cmap(frac.reshape(CELL, CELL))[:, :, :3])
            else:
                artist.set_facecolor(self.cmap(float(frac.mean())) if hasattr(self, "cmap") else
                                     _two_colour_map()(float(frac.mean())))

    def fit(self, renderer) -> bool:
        """Round nodes and square pictures: widths in axes units scaled by the axes' height / width."""
        box = self.ax.get_window_extent(renderer)
        k = box.height / box.width if box.width else 1.0
        r = self.radius
        for artist, (px, py), kind in self.shapes:
            if kind == "ring":
                artist.set_width(2 * r * k)
            elif kind == "frame":
                artist.set_bounds(px - r * k, py - r, 2 * r * k, 2 * r)
            else:
                artist.set_extent((px - r * k, px + r * k, py - r, py + r))
        return True


def _activations(net, layers, x) -> list[np.ndarray]:
    """Each layer's output (N, units) for input x."""
    from ..model import forward

    with np.errstate(over="ignore", invalid="ignore"):
        _, cache = forward(net, layers, x)
    return [c[2] for c in cache]


def _act_range(name: str) -> tuple[float, float]:
    """The range a unit's output is coloured over: (-1, 1) for tanh-like, (0, 1) for sigmoid-like."""
    return (0.0, 1.0) if name in ("sigmoid", "softmax", "relu", "softplus", "gaussian") else (-1.0, 1.0)


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


@PANELS.register("weights")
class WeightsPanel(Panel):
    """Image data: the input weights of up to 16 hidden units, each drawn as an image (blue +, orange -)."""

    def setup(self) -> list:
        h, ax = self.h, self.ax
        if h.first_weights is None or h.image_shape is None:
            raise ValueError("the weights panel needs image data and the hidden units' weights in the snapshots")
        u = h.first_weights.shape[1]
        ih, iw = h.image_shape
        self.tile = (ih + 1, iw + 1)  # a one-pixel white gap between the pictures
        self.rows, self.cols, self.image = mosaic(ax, u, ih, iw, gap=1, rows_first=True)
        self.cmap = _two_colour_map()
        ax.set_title(f"input weights of {u} hidden units (blue +, orange −)", loc="left")
        return [self.image]

    def update(self, i: int) -> None:
        w = self.h.first_weights[i]
        ih, iw = self.h.image_shape
        th, tw = self.tile
        scale = np.nanmax(np.abs(w)) or 1.0
        mosaic = np.ones((self.rows * th - 1, self.cols * tw - 1, 3))
        for k in range(w.shape[0]):
            r, c = divmod(k, self.cols)
            pic = self.cmap(np.clip(0.5 + 0.5 * np.nan_to_num(w[k]) / scale, 0, 1))[:, :3]
            mosaic[r * th : r * th + ih, c * tw : c * tw + iw] = pic.reshape(ih, iw, 3)
        self.image.set_data(mosaic)

    def fit(self, renderer) -> bool:
        return False


MAX_NEURONS = 16


@PANELS.register("neurons")
class NeuronsPanel(Panel):
    """Each hidden unit's output over the input (up to 16, layer by layer): curves for 1-D input, small
    heat maps for 2-D input, as ConvNetJS and Playground show them."""

    def setup(self) -> list:
        from ..model import layer_views

        h, ax, s = self.h, self.ax, self.scale
        self.net = net_of(h, "neurons")
        m = h.config["model"]
        self.layer_views = layer_views
        self.units = [(layer, u) for layer, n in enumerate(m["hidden"]) for u in range(n)][:MAX_NEURONS]
        self.flat = h.x.shape[1] == 1
        ax.set_title(f"{len(self.units)} hidden units' outputs", loc="left")
        if self.flat:
            self.xs = h.grid_x
            lo = min(_act_range(a)[0] for a in m["activation"])
            ax.set_xlim(float(self.xs[0, 0]), float(self.xs[-1, 0]))
            ax.set_ylim(lo - 0.1, 1.1)
            ax.set_xlabel(h.x_names[0])
            ax.set_ylabel("unit output")
            colors = [RUN_COLORS[k % len(RUN_COLORS)] for k in range(len(self.units))]
            self.lines = [ax.plot([], [], "-", lw=1.6 * s, color=c, alpha=0.85)[0] for c in colors]
            return list(self.lines)
        lo, hi = h.grid_x.min(axis=0), h.grid_x.max(axis=0)
        g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], CELL), np.linspace(lo[1], hi[1], CELL))
        self.xs = np.stack([g0.ravel(), g1.ravel()], axis=1)
        self.rows, self.cols, self.image = mosaic(ax, len(self.units), CELL, CELL, gap=2)
        self.cmap = _two_colour_map()
        return [self.image]

    def update(self, i: int) -> None:
        acts = _activations(self.net, self.layer_views(self.net, self.h.theta[i]), self.xs)
        if self.flat:
            for line, (layer, u) in zip(self.lines, self.units):
                line.set_data(self.xs[:, 0], acts[layer][:, u])
            return
        mosaic = np.ones(self.image.get_array().shape)
        for k, (layer, u) in enumerate(self.units):
            r, c = divmod(k, self.cols)
            lo, hi = _act_range(self.net.activations[layer])
            frac = np.clip((np.nan_to_num(acts[layer][:, u]) - lo) / (hi - lo), 0, 1).reshape(CELL, CELL)
            mosaic[r * (CELL + 2) : r * (CELL + 2) + CELL, c * (CELL + 2) : c * (CELL + 2) + CELL] = \
                self.cmap(frac[::-1])[:, :, :3]  # rows from the top: flip so that x1 grows upwards
        self.image.set_data(mosaic)

    def fit(self, renderer) -> bool:
        return False


@PANELS.register("landscape")
class LandscapePanel(Panel):
    """The exact loss over two chosen parameters, the others held at their final values, as contours,
    with the path the optimizer took and where it is now (seed 002's error surface)."""

    def setup(self) -> list:
        from ..losses import LOSSES
        from ..model import forward, layer_views, parameter_index

        h, ax, s = self.h, self.ax, self.scale
        net = net_of(h, "landscape")
        names, span, res = h.config["render"]["landscape"] or (("w0[0,0]", "w0[1,0]"), 4.0, 40)
        self.ia, self.ib = (parameter_index(net, n) for n in names)
        path = h.theta[:, [self.ia, self.ib]]
        final = h.theta[-1].copy()
        good = np.isfinite(path).all(axis=1)
        lo = np.minimum(path[good].min(axis=0), final[[self.ia, self.ib]] - span / 2)
        hi = np.maximum(path[good].max(axis=0), final[[self.ia, self.ib]] + span / 2)
        pad = 0.05 * (hi - lo)
        a = np.linspace(lo[0] - pad[0], hi[0] + pad[0], res)
        b = np.linspace(lo[1] - pad[1], hi[1] + pad[1], res)
        loss = LOSSES[h.config["train"]["loss"]]
        x = h.x.astype(float)
        surface = np.empty((res, res))
        theta = np.tile(final, (res, 1))  # one row of the grid at a time
        with np.errstate(all="ignore"):
            for row, bv in enumerate(b):
                theta[:, self.ia], theta[:, self.ib] = a, bv
                for col in range(res):
                    pred, cache = forward(net, layer_views(net, theta[col]), x)
                    out = cache[-1][1] if loss.logits else pred
                    surface[row, col] = loss.value(out, h.y)
        surface = np.where(np.isfinite(surface) & (surface > 0), surface, np.nan)
        levels = np.geomspace(np.nanmin(surface), np.nanmax(surface), 14) if np.nanmax(surface) > 0 else 14
        ax.contourf(a, b, surface, levels=levels, cmap="viridis", norm=_lognorm(surface), zorder=0)
        ax.contour(a, b, surface, levels=levels, colors="white", linewidths=0.5 * s, alpha=0.6, zorder=1)
        ax.set_xlim(a[0], a[-1])
        ax.set_ylim(b[0], b[-1])
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])
        ax.grid(False)
        ax.set_title(f"{h.config['train']['loss']} over {names[0]}, {names[1]} (others at final values)", loc="left")
        self.path = path
        (self.trail,) = ax.plot([], [], "-", color="white", lw=2.0 * s, zorder=3)
        (self.now,) = ax.plot([], [], "o", color=PRED, ms=9 * s, mec="white", mew=1.5 * s, zorder=4)
        return [self.trail, self.now]

    def update(self, i: int) -> None:
        self.trail.set_data(self.path[: i + 1, 0], self.path[: i + 1, 1])
        self.now.set_data([self.path[i, 0]], [self.path[i, 1]])

    def fit(self, renderer) -> bool:
        return False


def _lognorm(surface: np.ndarray):
    from matplotlib.colors import LogNorm

    return LogNorm(vmin=np.nanmin(surface), vmax=np.nanmax(surface))
