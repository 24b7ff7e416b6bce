"""Curves over iterations: the loss, the accuracy, and a comparison's shared loss panel."""
from __future__ import annotations

import numpy as np
from matplotlib import ticker

from ...snapshots import History
from .base import DIVERGED, LOSS, PANELS, PRED, VALUE_WIDTH, Panel, iteration_axis, legend_line, loss_axes, positive
from .base import value


@PANELS.register("loss")
class LossPanel(Panel):
    """The loss so far on a log scale, with the current value marked."""

    def setup(self) -> list:
        h, ax = self.h, self.ax
        self.loss = positive(h.loss)
        extra = [positive(h.test["loss"])] if h.test is not None else []
        loss_axes(ax, [self.loss, *extra], int(h.iteration[-1]), h.loss_name)
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
        self.label.set_text(f"{value(self.h.loss[i]):>{VALUE_WIDTH}}\n{value(self.h.mae[i]):>{VALUE_WIDTH}}")


@PANELS.register("metrics")
class MetricsPanel(Panel):
    """Classification: the accuracy on the training set (and the test set) so far."""

    def setup(self) -> list:
        h, ax, s = self.h, self.ax, self.scale
        ax.set_ylim(0, 1.04)
        iteration_axis(ax, int(h.iteration[-1]))
        ax.yaxis.set_major_formatter(ticker.PercentFormatter(1.0, decimals=0))
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


class RunsLossPanel:
    """A comparison's shared loss panel: one line per run, log scale, a legend with the runs' labels."""

    def __init__(self, ax, histories: list[History], labels, colors, scale: float):
        self.ax, self.hs, self.labels, self.colors, self.scale = ax, histories, labels, colors, scale

    def setup(self) -> list:
        ax, s = self.ax, self.scale
        self.losses = [positive(h.loss) for h in self.hs]
        # the range of the runs that did not diverge: an exploding run leaves through the top
        kept = [l for h, l in zip(self.hs, self.losses) if h.diverged_at < 0] or self.losses
        loss_axes(ax, kept, max(int(h.iteration[-1]) for h in self.hs), self.hs[0].loss_name)
        self.lines, self.dots = [], []
        for h, label, color in zip(self.hs, self.labels, self.colors):
            (line,) = ax.plot([], [], "-", lw=2 * s, color=color, label=label)
            (dot,) = ax.plot([], [], "o", ms=7 * s, color=color)
            self.lines.append(line)
            self.dots.append(dot)
            if h.diverged_at >= 0:
                ax.axvline(h.diverged_at, color=color, ls="--", lw=1.2 * s)
        ax.legend(handles=[legend_line(c, lb, s) for c, lb in zip(self.colors, self.labels)], loc="upper center",
                  bbox_to_anchor=(0.5, -0.13), frameon=False, fontsize=10.5 * s, ncols=2 if len(self.hs) > 3 else 1)
        return self.lines + self.dots

    def update(self, idx) -> None:
        for h, loss, line, dot, i in zip(self.hs, self.losses, self.lines, self.dots, idx):
            line.set_data(h.iteration[: i + 1], loss[: i + 1])
            dot.set_data([h.iteration[i]], [loss[i]])

    def fit(self, renderer) -> bool:
        return False
