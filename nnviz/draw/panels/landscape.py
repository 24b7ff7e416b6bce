"""`landscape`: the exact loss over two chosen parameters, the optimizer's path across it (seed 002)."""
from __future__ import annotations

import numpy as np
from matplotlib import ticker
from matplotlib.colors import LogNorm

from ..compute import loss_surface
from ...model import parameter_index
from .base import PANELS, Panel, fit_ylabel, log_formatter, thin_yticks
from .net import net_of


@PANELS.register("landscape")
class LandscapePanel(Panel):
    """The exact loss over two chosen parameters, the others held at their final values, as contours,
    with the path the optimizer took and where it is now (seed 002's error surface)."""

    def setup(self) -> list:
        h, ax, s = self.h, self.ax, self.scale
        net = net_of(self, "landscape")
        land = self.settings.landscape
        names, span, res = land.weights, land.span, land.resolution
        self.ia, self.ib = (parameter_index(net, n) for n in names)
        path = h.theta[:, [self.ia, self.ib]]
        final = h.theta[-1]
        good = np.isfinite(path).all(axis=1)
        lo = np.minimum(path[good].min(axis=0), final[[self.ia, self.ib]] - span / 2)
        hi = np.maximum(path[good].max(axis=0), final[[self.ia, self.ib]] + span / 2)
        pad = 0.05 * (hi - lo)
        self.a = np.linspace(lo[0] - pad[0], hi[0] + pad[0], res)
        self.b = np.linspace(lo[1] - pad[1], hi[1] + pad[1], res)
        surface = loss_surface(net, h.loss_name, final, names, self.a, self.b, h.x.astype(float), h.y)
        self.surface = surface = np.where(np.isfinite(surface) & (surface > 0), surface, np.nan)
        levels = np.geomspace(np.nanmin(surface), np.nanmax(surface), 14) if np.nanmax(surface) > 0 else 14
        norm = LogNorm(vmin=np.nanmin(surface), vmax=np.nanmax(surface))
        filled = ax.contourf(self.a, self.b, surface, levels=levels, cmap="viridis", norm=norm, zorder=0)
        bar = ax.figure.colorbar(filled, ax=ax, fraction=0.06, pad=0.02, format=ticker.FuncFormatter(log_formatter(norm.vmin, norm.vmax)))
        self.bar = bar
        bar.set_label(f"{h.loss_name} loss (log scale)")
        bar.ax.yaxis.label.short = f"{h.loss_name} (log)"
        bar.ax.yaxis.set_major_locator(ticker.LogLocator(numticks=6))
        bar.ax.minorticks_off()
        ax.contour(self.a, self.b, surface, levels=levels, colors="white", linewidths=0.5 * s, alpha=0.6, zorder=1)
        ax.set_xlim(self.a[0], self.a[-1])
        ax.set_ylim(self.b[0], self.b[-1])
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])
        ax.grid(False)
        self.head(f"loss over {names[0]}, {names[1]}, the rest at their final values", readout=False)
        self.path = path
        (self.trail,) = ax.plot([], [], "-", color="white", lw=2.0 * s, zorder=3)
        (self.now,) = ax.plot([], [], "o", color="white", ms=10 * s, mec="black", mew=1.8 * s, zorder=4)
        return [self.trail, self.now]

    def fit(self, renderer) -> bool:
        return fit_ylabel(self.bar.ax, renderer) | thin_yticks(self.bar.ax, renderer) | super().fit(renderer)

    def right_edge(self, renderer) -> float:
        return self.bar.ax.get_tightbbox(renderer).x1

    def update(self, i: int) -> None:
        self.trail.set_data(self.path[: i + 1, 0], self.path[: i + 1, 1])
        self.now.set_data([self.path[i, 0]], [self.path[i, 1]])
