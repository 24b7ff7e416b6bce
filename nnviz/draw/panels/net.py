"""The net itself: `network` (the diagram, each unit's own picture), `neurons` (each hidden unit's output)
and `weights` (image data: what each hidden unit looks for)."""
from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Ellipse, Rectangle

from ...model import unflatten
from ..compute import act_range, unit_outputs
from .base import BLUE, ORANGE, PANELS, RUN_COLORS, Panel, mosaic, two_colour_map

MAX_UNITS = 8  # a layer with more units shows this many, and says how many more there are


def net_of(panel: Panel, name: str):
    """The Net of the panel's History; ValueError when its parameters were not kept at every snapshot."""
    if panel.h.theta is None:
        raise ValueError(f"the {name} panel needs the parameters at every snapshot (nets of <= 10,000)")
    return panel.h.net


CELL = 24  # a unit's own heat map is CELL x CELL predictions


@PANELS.register("network")
class NetworkPanel(Panel):
    """The net as a diagram: edges coloured by the weight's sign (blue +, orange -), as wide as its size;
    each unit shows its own output over the input plane (2-D input) or its mean activation."""

    def setup(self) -> list:
        h, ax, s = self.h, self.ax, self.scale
        self.net = net_of(self, "network")
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
        self.heat = h.inputs == 2
        artists = [self.edges]
        self.units = []
        if self.heat:  # each unit's own picture: its output over a coarse mesh of the input plane
            lo, hi = h.grid_x.min(axis=0), h.grid_x.max(axis=0)
            g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], CELL), np.linspace(lo[1], hi[1], CELL))
            self.cell_x = np.stack([g0.ravel(), g1.ravel()], axis=1)
        self.cmap = two_colour_map()
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
        v = unflatten(self.net, self.h.theta[i])
        w = np.array([v[f"w{layer}"][a, b] for layer, a, b in self.edge_index])
        scale = np.array([self.wmax[layer] for layer, _, _ in self.edge_index])
        with np.errstate(invalid="ignore"):
            mag = np.nan_to_num(np.abs(w) / scale)
        self.edges.set_linewidths(0.3 * self.scale + 4.5 * self.scale * mag)
        self.edges.set_colors([BLUE if x >= 0 else ORANGE for x in w])
        x = self.cell_x if self.heat else self.h.x
        acts = unit_outputs(self.net, self.h.theta[i], x)
        for layer, unit, artist in self.units:
            a = acts[layer - 1][:, unit]
            lo, hi = act_range(self.net.activations[layer - 1])
            frac = np.clip((np.nan_to_num(a) - lo) / (hi - lo), 0, 1)
            if self.heat:
                artist.set_data(self.cmap(frac.reshape(CELL, CELL))[:, :, :3])
            else:
                artist.set_facecolor(self.cmap(float(frac.mean())))

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
        self.cmap = two_colour_map()
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
        h, ax, s = self.h, self.ax, self.scale
        self.net = net_of(self, "neurons")
        hidden = self.net.sizes[1:-1]
        self.units = [(layer, u) for layer, n in enumerate(hidden) for u in range(n)][:MAX_NEURONS]
        self.flat = h.x.shape[1] == 1
        ax.set_title(f"{len(self.units)} hidden units' outputs", loc="left")
        if self.flat:
            self.xs = h.grid_x
            lo = min(act_range(a)[0] for a in self.net.activations[:-1])
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
        self.cmap = two_colour_map()
        return [self.image]

    def update(self, i: int) -> None:
        acts = unit_outputs(self.net, self.h.theta[i], self.xs)
        if self.flat:
            for line, (layer, u) in zip(self.lines, self.units):
                line.set_data(self.xs[:, 0], acts[layer][:, u])
            return
        mosaic = np.ones(self.image.get_array().shape)
        for k, (layer, u) in enumerate(self.units):
            r, c = divmod(k, self.cols)
            lo, hi = act_range(self.net.activations[layer])
            frac = np.clip((np.nan_to_num(acts[layer][:, u]) - lo) / (hi - lo), 0, 1).reshape(CELL, CELL)
            mosaic[r * (CELL + 2) : r * (CELL + 2) + CELL, c * (CELL + 2) : c * (CELL + 2) + CELL] = \
                self.cmap(frac[::-1])[:, :, :3]  # rows from the top: flip so that x1 grows upwards
        self.image.set_data(mosaic)

    def fit(self, renderer) -> bool:
        return False
