"""Curves over iterations: the loss, the accuracy, and a comparison's shared loss panel.

Training is drawn solid and the test set dashed, both in the theme's ink: colour in these panels is
left to what the other panels of the frame mean by it (classes, the prediction, a comparison's runs).
"""
from __future__ import annotations

import numpy as np
from matplotlib import ticker
from matplotlib.collections import LineCollection

from ...snapshots import History
from ..theme import THEMES
from .base import PANELS, Panel, fit_ylabel, iteration_axis, legend_line, loss_axes, positive, value, width


LINESTYLES = {"-": "solid", "--": "dashed", ":": "dotted", "-.": "dashdot"}  # format strings' names


def _percent(v: float) -> str:
    return f"{v:.1%}".rjust(6) if np.isfinite(v) else "–".rjust(6)


class _Curves(Panel):
    """Training solid and test dashed in the ink colour; a legend when there is a test set."""

    def lines(self, legend_at: str) -> list:
        ax, s, t = self.ax, self.scale, self.theme
        (self.train,) = ax.plot([], [], "-", lw=2.4 * s, color=t.ink, label="training set")
        self.test = None
        if self.h.test is not None:
            (self.test,) = ax.plot([], [], "--", lw=2.2 * s, color=t.muted, label="test set")
            ax.legend(loc=legend_at, frameon=True, framealpha=0.85, edgecolor="none", facecolor=t.background)
        return [self.train] + ([self.test] if self.test is not None else [])


@PANELS.register("loss")
class LossPanel(_Curves):
    """The loss so far on a log scale, with the current value marked. The readout: the training loss, the
    test loss when there is a test set, and the accuracy (classification, unless a metrics panel shows
    it) or the mean absolute error (regression)."""

    def setup(self) -> list:
        h, ax = self.h, self.ax
        self.loss = positive(h.loss)
        self.test_loss = positive(h.test["loss"]) if h.test is not None else None
        loss_axes(ax, [self.loss] + ([self.test_loss] if h.test is not None else []), int(h.iteration[-1]),
                  h.loss_name, log=self.log_time)
        self.w = {"loss": width(h.loss), "mae": width(h.mae)}
        if h.test is not None:
            self.w["test"] = width(h.test["loss"])
        artists = self.lines("lower left")
        (self.dot,) = ax.plot([], [], "o", ms=8 * self.scale, color=self.theme.ink)
        if h.diverged_at >= 0:
            ax.axvline(h.diverged_at, color=self.theme.diverged, ls="--", lw=1.5 * self.scale)
        self.head("loss")
        return artists + [self.dot, self.readout]

    def numbers(self, i: int) -> str:
        h = self.h
        w = self.w
        text = f"train {value(h.loss[i]):>{w['loss']}}"
        if h.test is not None:
            text += f"  test {value(h.test['loss'][i]):>{w['test']}}"
        if h.accuracy is not None:
            if "metrics" not in self.siblings:
                text += f"  acc {_percent(h.accuracy[i])}"
        elif h.test is None:
            text += f"  MAE {value(h.mae[i]):>{w['mae']}}"
        return text

    def update(self, i: int) -> None:
        it = self.h.iteration[: i + 1]
        self.train.set_data(it, self.loss[: i + 1])
        cur = self.loss[i]
        self.dot.set_data([it[-1]], [cur] if np.isfinite(cur) else [np.nan])
        if self.test is not None:
            self.test.set_data(it, self.test_loss[: i + 1])
        self.read(i)


@PANELS.register("metrics")
class MetricsPanel(_Curves):
    """Classification: the accuracy on the training set (and the test set) so far."""

    def setup(self) -> list:
        h, ax = self.h, self.ax
        ax.set_ylim(0, 1.04)
        iteration_axis(ax, int(h.iteration[-1]), log=self.log_time)
        ax.yaxis.set_major_formatter(ticker.PercentFormatter(1.0, decimals=0))
        ax.set_ylabel("accuracy")
        artists = self.lines("lower right")
        self.head("accuracy")
        return artists + [self.readout]

    def numbers(self, i: int) -> str:
        text = f"train {_percent(self.h.accuracy[i])}"
        if self.h.test is not None:
            text += f"  test {_percent(self.h.test['accuracy'][i])}"
        return text

    def update(self, i: int) -> None:
        it = self.h.iteration[: i + 1]
        self.train.set_data(it, self.h.accuracy[: i + 1])
        if self.test is not None:
            self.test.set_data(it, self.h.test["accuracy"][: i + 1])
        self.read(i)


class RunsLossPanel:
    """A comparison's shared loss panel: one line per run, log scale, a legend with the runs' labels (a run
    that diverged says so there, and a dashed line in its colour marks where)."""

    def __init__(self, ax, histories: list[History], labels, colors, scale: float, theme: str = "light",
                 log_time: bool = False, styles=None):
        self.ax, self.hs, self.labels, self.colors, self.scale = ax, histories, labels, colors, scale
        self.styles = styles or ["-"] * len(histories)  # more runs than colours: the same colour, another style
        self.theme, self.log_time = THEMES.lookup(theme), log_time

    def setup(self) -> list:
        ax, s = self.ax, self.scale
        self.losses = [positive(h.loss) for h in self.hs]
        # the range of the runs that did not diverge: an exploding run leaves through the top
        kept = [l for h, l in zip(self.hs, self.losses) if h.diverged_at < 0] or self.losses
        loss_axes(ax, kept, max(int(h.iteration[-1]) for h in self.hs), self.hs[0].loss_name, log=self.log_time)
        ax.set_title("training loss", loc="left")
        # all runs' curves one collection and their end points another: two artists a frame, not 2 a run
        self.xy = [np.column_stack([h.iteration, l]) for h, l in zip(self.hs, self.losses)]
        self.curves = LineCollection([], linewidths=2 * s, colors=self.colors, capstyle="projecting",
                                     linestyles=[LINESTYLES[st] for st in self.styles], joinstyle="round", zorder=2)
        ax.add_collection(self.curves, autolim=False)
        nowhere = np.full(len(self.hs), np.nan)
        self.dots = ax.scatter(nowhere, nowhere, s=(7 * s) ** 2, c=self.colors, linewidths=1.0,
                               edgecolors=self.colors, zorder=3)
        names = []
        for h, label, color in zip(self.hs, self.labels, self.colors):
            names.append(label)
            if h.diverged_at >= 0:
                ax.axvline(h.diverged_at, color=color, ls="--", lw=1.4 * s)
                names[-1] = f"{label} (diverged at {h.diverged_at:,})"
        ax.legend(handles=[legend_line(c, lb, s, st) for c, lb, st in zip(self.colors, names, self.styles)],
                  loc="upper center",
                  bbox_to_anchor=(0.5, -0.16), frameon=False, ncols=2 if len(self.hs) > 3 else 1)
        return [self.curves, self.dots]

    def update(self, idx) -> None:
        self.curves.set_segments([xy[: i + 1] for xy, i in zip(self.xy, idx)])
        self.dots.set_offsets([xy[i] for xy, i in zip(self.xy, idx)])

    def fit(self, renderer) -> bool:
        return fit_ylabel(self.ax, renderer)
