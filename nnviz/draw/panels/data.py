"""The data and what the net makes of it: `fit` (1-D curve, per sample, or predicted vs target) and
`boundary` (2-D input: the output over the plane)."""
from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.transforms import blended_transform_factory

from ...model import layer_views, predict_columns
from ..pixels import Pixels, inner_box, lut, opaque, packed, pixel_mesh
from ..theme import REGION_FADE
from .base import PANELS, Panel, finite_range, font, value

PER_SAMPLE_MAX = 32  # up to this many targets: one column per sample, else predicted-vs-target scatter
PIXELS_A_SIDE = 300  # the boundary is computed for every pixel of a panel this tall, every other up to twice it, ...


@PANELS.register("fit")
class FitPanel(Panel):
    """The data and the net's prediction: a curve over x for 1-D input, else predicted vs target per sample.
    A prediction beyond the chart's edge is shown there as an arrow with its value."""

    def setup(self) -> list:
        h, ax, s, t = self.h, self.ax, self.scale, self.theme
        ms = 5 * s
        pred_color = self.color or t.prediction
        if h.x.shape[1] == 1 and h.y.shape[1] == 1:
            self.mode = "curve"
            ax.plot(h.x[:, 0], h.y[:, 0], "o", ms=ms, color=t.data, alpha=0.55, mec="none", label="data")
            (self.line,) = ax.plot([], [], "-", lw=3 * s, color=pred_color, label="prediction")
            ax.set_xlim(float(h.grid_x[0, 0]), float(h.grid_x[-1, 0]))
            ax.set_ylim(*finite_range(h.y, pad=0.2))
            ax.set_xlabel(h.x_names[0])
            ax.set_ylabel(h.y_names[0])
            self.head("data and prediction", readout=False)
            self.legend_above()
            return [self.line, *self._arrows()]
        target = h.y[: len(h.grid_x)].ravel()  # the samples whose predictions are kept
        lo, hi = finite_range(target, pad=0.25)
        if target.size <= PER_SAMPLE_MAX:
            self.mode = "samples"
            idx = np.arange(target.size)
            ax.plot(idx, target, "o", ms=14 * s, mfc="none", mew=2 * s, color=t.data, label="target")
            (self.line,) = ax.plot([], [], "o", ms=9 * s, color=pred_color, label="prediction")
            self.stems = ax.vlines(idx, target, target, color=pred_color, lw=2 * s, alpha=0.6)
            ax.set_xticks(idx, self._row_labels())
            ax.set_xlim(-0.6, target.size - 0.4)
            ax.set_ylim(lo, hi)
            ax.set_xlabel("sample (" + " ".join(h.x_names) + ")")
            ax.set_ylabel(", ".join(h.y_names))
            self.head("prediction per sample", readout=False)
            self.legend_above()
            return [self.stems, self.line, *self._arrows()]
        self.mode = "scatter"
        ax.plot([lo, hi], [lo, hi], "--", color=t.data, lw=1.5 * s, label="perfect")
        (self.line,) = ax.plot([], [], "o", ms=ms, color=pred_color, alpha=0.6, mec="none", label="samples")
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_xlabel("target " + ", ".join(h.y_names))
        ax.set_ylabel("prediction")
        self.head("prediction vs target", readout=False)
        self.legend_above()
        return [self.line, *self._arrows()]

    def _arrows(self) -> list:
        """Two texts, at the top and bottom edge, for a prediction beyond them (hidden while there is none)."""
        t, ax = self.theme, self.ax
        style = dict(transform=blended_transform_factory(ax.transData, ax.transAxes), fontsize=font(12, self.scale),
                     color=self.color or t.prediction, weight="bold", zorder=6, clip_on=False,
                     bbox=dict(boxstyle="round,pad=0.2", facecolor=t.background, edgecolor="none", alpha=0.85))
        self.above = ax.text(0, 0.985, "", va="top", **style)
        self.below = ax.text(0, 0.015, "", va="bottom", **style)
        return [self.above, self.below]

    def fit(self, renderer) -> bool:
        changed = super().fit(renderer)
        if self.mode == "samples":
            changed |= self._thin_sample_labels(renderer)
        return changed

    def _thin_sample_labels(self, renderer) -> bool:
        """Sample labels that still touch when turned: the samples' numbers, then every k-th of them."""
        labels = [t for t in self.ax.get_xticklabels() if t.get_text()]
        boxes = [t.get_window_extent(renderer) for t in labels]
        if not any(a.x1 + 2 > b.x0 for a, b in zip(boxes, boxes[1:])):
            return False
        ticks = list(self.ax.get_xticks())
        if not getattr(self, "numbered", False):
            self.numbered = True
            self.ax.set_xticks(ticks, [str(int(i)) for i in ticks], rotation=0)
            return True
        self.ax.set_xticks(ticks[::2], [str(int(i)) for i in ticks[::2]], rotation=0)
        return True

    def _row_labels(self) -> list[str]:
        h = self.h
        if h.x.shape[0] * h.y.shape[1] > 12 or h.x.shape[1] > 4:
            return [str(i) for i in range(h.y.size)]
        rows = [" ".join(f"{v:g}" for v in r) for r in h.x]
        return [r if h.y.shape[1] == 1 else f"{r} [{j}]" for r in rows for j in range(h.y.shape[1])]

    def update(self, i: int) -> None:
        pred = self.h.grid_pred[i]
        if self.mode == "curve":
            xs, ys = self.h.grid_x[:, 0], pred[:, 0]
            self.line.set_data(xs, ys)
        elif self.mode == "samples":
            ys = pred.ravel()
            xs = np.arange(ys.size)
            t = self.h.y.ravel()
            self.line.set_data(xs, ys)
            self.stems.set_segments([[(j, t[j]), (j, ys[j])] for j in range(ys.size)])
        else:
            xs, ys = self.h.y[: len(pred)].ravel(), pred.ravel()
            self.line.set_data(xs, ys)
        self._point_off_chart(xs, ys)

    def _point_off_chart(self, xs: np.ndarray, ys: np.ndarray) -> None:
        lo, hi = self.ax.get_ylim()
        x0, x1 = self.ax.get_xlim()
        with np.errstate(invalid="ignore"):
            for text, beyond, arrow, pick in ((self.above, ys > hi, "↑", np.argmax), (self.below, ys < lo, "↓", np.argmin)):
                if not beyond.any():
                    text.set_text("")
                    continue
                k = int(np.flatnonzero(beyond)[pick(ys[beyond])])
                where = (xs[k] - x0) / (x1 - x0)
                text.set_x(min(max(xs[k], x0), x1))
                text.set_horizontalalignment("left" if where < 0.25 else "right" if where > 0.75 else "center")
                text.set_text(f"{arrow} {value(ys[k])}")
                self._clear_of_legend(text)

    def _clear_of_legend(self, text) -> None:
        """An arrow that would sit on the panel's legend moves beside it."""
        legend = self.ax.get_legend()
        if legend is None or self.ax.figure.canvas is None:
            return
        renderer = self.ax.figure.canvas.get_renderer()
        box, lbox = text.get_window_extent(renderer), legend.get_window_extent(renderer)
        if box.x1 < lbox.x0 or box.x0 > lbox.x1 or box.y1 < lbox.y0 or box.y0 > lbox.y1:
            return
        axes = self.ax.get_window_extent(renderer)
        to_data = self.ax.transData.inverted()
        if lbox.x1 + 4 + box.width <= axes.x1:  # right of the legend
            text.set_x(to_data.transform((lbox.x1 + 4, 0))[0])
            text.set_horizontalalignment("left")
        elif lbox.x0 - 4 - box.width >= axes.x0:  # left of it
            text.set_x(to_data.transform((lbox.x0 - 4, 0))[0])
            text.set_horizontalalignment("right")


@PANELS.register("boundary")
class BoundaryPanel(Panel):
    """2-D input: the net's output over the plane as a heat map (one colour per class, shaded by confidence),
    training points filled, test points hollow. With the parameters kept, the output is computed at draw
    time for every other pixel of the panel and written into the frame as pixels (draw/pixels.py); else
    the stored mesh is shown, resampled by matplotlib."""

    def setup(self) -> list:
        h, ax, t = self.h, self.ax, self.theme
        x0, x1 = h.grid_x[:, 0], h.grid_x[:, 1]
        self.extent = (float(x0.min()), float(x0.max()), float(x1.min()), float(x1.max()))
        k = h.outputs
        self.kind = "classes" if k > 1 else "binary" if h.loss_name == "bce" else "value"
        if self.kind == "value":  # regression: the output's value, centred on the targets' middle
            lo, hi = finite_range(h.y, pad=0.05)
            self.norm = (lo, hi)
        self.cmap = t.output_map()
        self.table = packed(lut(self.cmap))  # (1024,) opaque colours, four bytes each
        self.colors = np.array([to_rgb(c) for c in t.classes])
        self.paper = np.array(to_rgb(t.background))
        self.g = int(round(np.sqrt(len(h.grid_x))))
        self.points = None  # the data coordinates of the panel's pixels (every `step`-th), once laid out
        if h.theta is not None:
            self.image = Pixels((0, 0, 0, 0))
        else:
            self.image = ax.imshow(np.zeros((self.g, self.g, 3)), origin="lower", extent=self.extent,
                                   aspect="auto", interpolation="bilinear", zorder=0)
        pts = self._points(h.x, h.y, filled=True)
        if h.test is not None:
            pts += self._points(h.test["x"], h.test["y"], filled=False)
        ax.set_xlim(self.extent[0], self.extent[1])
        ax.set_ylim(self.extent[2], self.extent[3])
        ax.set_xlabel(h.x_names[0])
        ax.set_ylabel(h.x_names[1])
        ax.grid(False)
        what = {"classes": "class regions", "binary": "decision boundary", "value": "the net's output"}[self.kind]
        self.head(what + (" · test points hollow" if h.test is not None else ""), readout=False)
        return [self.image, *pts]

    def _points(self, x, y, filled: bool) -> list:
        """The samples over the regions, redrawn each frame: one marker line a class (Agg draws a marker
        once and stamps it, five times faster than a scatter of per-point colours), a scatter for values."""
        s, t = self.scale, self.theme
        if filled:  # the class's full colour on its faded region, with a rim in the background's colour
            look = dict(size=46 * s, edge=t.background, width=0.7 * s)
        else:
            look = dict(size=42 * s, face=t.background, width=2.0 * s)
        if self.kind == "value":
            c = self.cmap((y[:, 0] - self.norm[0]) / (self.norm[1] - self.norm[0]))[:, :3]
            return [self.ax.scatter(x[:, 0], x[:, 1], s=look["size"], c=c if filled else look["face"],
                                    edgecolors=look.get("edge", c), linewidths=look["width"], zorder=2)]
        if self.kind == "binary":
            label, colours = (y[:, 0] > 0.5).astype(int), [to_rgb(t.low), to_rgb(t.high)]
        else:
            label, colours = np.argmax(y, axis=1) % len(self.colors), list(self.colors)
        return [self.ax.plot(x[label == k, 0], x[label == k, 1], "o", ms=np.sqrt(look["size"]), zorder=2,
                             mfc=look.get("face", c), mec=look.get("edge", c), mew=look["width"])[0]
                for k, c in enumerate(colours) if (label == k).any()]

    def update(self, i: int) -> None:
        if self.h.theta is None:
            self.image.set_data(self.colour(self.h.grid_pred[i]).reshape(self.g, self.g, 3))
            return
        if self.points is None:  # (the layout is final by the first frame)
            box = inner_box(self.ax, self.ax.figure.canvas.get_renderer())
            self.image.step = max(1, round((box[3] - box[1]) / PIXELS_A_SIDE))
            self.image.box = box
            points, rows_cols = pixel_mesh(self.ax, box, self.image.step)
            self.points = np.ascontiguousarray(points.T, dtype=np.float32)  # (2, pixels)
            self.buffers = []  # each layer's output, written again each frame
            self.image.rgba = np.empty((*rows_cols, 4), np.uint8)
            self.at = np.empty(len(points), np.float32)  # where in the colour table each pixel is
        net = self.h.net  # (in float32: colours need no more, and it is twice as fast)
        pred = predict_columns(net, layer_views(net, self.h.theta[i].astype(np.float32)), self.points, self.buffers)
        out = packed(self.image.rgba).reshape(-1)
        if self.kind == "classes":
            out[:] = packed(opaque((self.colour(pred) * 255 + 0.5).astype(np.uint8)))
            return
        n = len(self.table) - 1  # one output: its colour looked up in the colour map's table
        at = self.at
        if self.kind == "binary":
            np.multiply(pred[:, 0], n, out=at)
        else:
            np.multiply(pred[:, 0] - self.norm[0], n / (self.norm[1] - self.norm[0]), out=at)
        np.nan_to_num(at, copy=False, nan=n / 2)
        np.clip(at, 0, n, out=at)
        at += 0.5
        np.take(self.table, at.astype(np.intp), out=out)

    def colour(self, pred: np.ndarray) -> np.ndarray:
        """(G, 3) the colour of each prediction (G, k)."""
        with np.errstate(invalid="ignore"):
            if self.kind == "binary":
                rgb = self.cmap(np.clip(pred[:, 0], 0, 1))[:, :3]
            elif self.kind == "value":
                lo, hi = self.norm
                rgb = self.cmap(np.clip((pred[:, 0] - lo) / (hi - lo), 0, 1))[:, :3]
            else:  # the winning class's colour, faded towards the background as its probability falls
                win = np.argmax(np.nan_to_num(pred), axis=1)
                conf = np.clip((np.max(pred, axis=1) - 1 / pred.shape[1]) / (1 - 1 / pred.shape[1]), 0, 1)
                base = self.colors[win % len(self.colors)]
                rgb = self.paper + conf[:, None] * (1 - REGION_FADE) * (base - self.paper)
        return np.nan_to_num(rgb, nan=1.0)
