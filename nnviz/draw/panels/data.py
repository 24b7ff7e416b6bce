"""The data and what the net makes of it: `fit` (1-D curve, per sample, or predicted vs target) and
`boundary` (2-D input: the output over the plane)."""
from __future__ import annotations

import numpy as np

from .base import BLUE, DATA, ORANGE, PANELS, PRED, RUN_COLORS, Panel, finite_range, rgb, two_colour_map

PER_SAMPLE_MAX = 32  # up to this many targets: one column per sample, else predicted-vs-target scatter


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
        target = h.y[: len(h.grid_x)].ravel()  # the samples whose predictions are kept
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
            self.line.set_data(self.h.y[: len(pred)].ravel(), pred.ravel())


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
        k = h.outputs
        self.kind = "classes" if k > 1 else "binary" if h.loss_name == "bce" else "value"
        if self.kind == "value":  # regression: the output's value, centred on the targets' middle
            lo, hi = finite_range(h.y, pad=0.05)
            self.norm = (lo, hi)
        self.cmap = two_colour_map()
        self.colors = np.array([rgb(c) for c in RUN_COLORS])
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
            c = np.where(y[:, :1] > 0.5, rgb(BLUE), rgb(ORANGE))
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
