"""The net itself: `network` (the diagram, each unit's own picture), `neurons` (each hidden unit's output)
and `weights` (image data: what each hidden unit looks for)."""
from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.collections import LineCollection
from matplotlib.patches import Ellipse

from ...model import parameter_index, unflatten
from ..compute import act_range, mesh, unit_outputs
from ..pixels import Pixels, lut, opaque, packed
from .base import PANELS, Panel, font, legend_line, mosaic, no_frame

MAX_UNITS = 8  # a layer with more units shows this many, and says how many more there are


def net_of(panel: Panel, name: str):
    """The Net of the panel's History; ValueError when its parameters were not kept at every snapshot."""
    if panel.h.theta is None:
        raise ValueError(f"the {name} panel needs the parameters at every snapshot (nets of <= 10,000)")
    return panel.h.net


CELL = 24  # a unit's own heat map is CELL x CELL predictions


@PANELS.register("network")
class NetworkPanel(Panel):
    """The net as a diagram: edges coloured by the weight's sign, as wide as its size; each unit shows its
    own output over the input plane (2-D input, low to high in the class colours) or its mean activation.
    The nodes and their labels are drawn over the edges every frame."""

    def setup(self) -> list:
        h, ax, s = self.h, self.ax, self.scale
        self.net = net_of(self, "network")
        sizes = self.net.sizes
        shown = [min(n, MAX_UNITS) for n in sizes]
        cols = len(sizes)
        self.pos = []  # per layer, (units shown, 2) positions in axes units
        for c, n in enumerate(shown):
            ys = np.linspace(0.9, 0.12, n) if n > 1 else np.array([0.5])
            self.pos.append(np.stack([np.full(n, 0.06 + 0.88 * c / max(cols - 1, 1)), ys], axis=1))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        no_frame(ax)
        names = ["in"] + [f"h{k}" for k in range(1, cols - 1)] + ["out"]
        ax.set_xticks([p[0, 0] for p in self.pos], names)  # the layers' names under them
        ax.tick_params(axis="x", length=0)
        t = self.theme
        self.head("network", readout=False)
        ax.legend(handles=[legend_line(t.positive, "weight > 0", s), legend_line(t.negative, "weight < 0", s)])
        self.legend_above()
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
        wmax = [max(float(np.abs(v[f"w{k}"]).max()) for v in views) or 1.0 for k in range(cols - 1)]
        self.edge_at = np.array([parameter_index(self.net, f"w{k}[{a},{b}]") for k, a, b in self.edge_index], np.intp)
        self.edge_scale = np.array([wmax[k] for k, _, _ in self.edge_index])
        self.signs = np.array([to_rgba(t.positive), to_rgba(t.negative)])
        self.radius = min(0.07, 0.3 / max(shown))
        r = self.radius
        self.heat = h.inputs == 2
        artists = [self.edges]
        self.units = []
        if self.heat:  # each unit's own picture: its output over a coarse mesh of the input plane
            lo, hi = h.grid_x.min(axis=0), h.grid_x.max(axis=0)
            self.cell_x = mesh((lo[0], hi[0], lo[1], hi[1]), CELL)
        self.cmap = t.output_map()
        self.table = packed(lut(self.cmap))  # (1024,) its opaque colours, four bytes each
        self.shapes = []  # (ring, centre) to make round once the axes' aspect is known (fit)
        self.squares = []  # (layer, unit, centre, Pixels): the units drawn as their own pictures (2-D input)
        for layer, pts in enumerate(self.pos):
            for i, (px, py) in enumerate(pts):
                if self.heat and layer > 0:  # a square of the canvas's pixels, written unscaled each frame
                    self.squares.append((layer, i, (px, py), Pixels((0, 0, 0, 0))))
                    artists.append(self.squares[-1][3])
                    continue
                ring = Ellipse((px, py), 2 * r, 2 * r, facecolor=t.background, edgecolor=t.muted, lw=1.0 * s,
                               zorder=2)
                ax.add_patch(ring)
                self.shapes.append((ring, (px, py)))
                artists.append(ring)
                if layer > 0:
                    self.units.append((layer, i, ring))
            if sizes[layer] > shown[layer]:
                ax.text(pts[-1, 0], pts[-1, 1] - 1.3 * r, f"+{sizes[layer] - shown[layer]} more", ha="center",
                        va="top", fontsize=font(10, s), color=t.muted)
        for i, (px, py) in enumerate(self.pos[0]):  # over the edges: drawn each frame after them
            label = h.x_names[i] if i < len(h.x_names) else ""
            artists.append(ax.text(px, py, label, ha="center", va="center", fontsize=font(10, s), zorder=4, color=t.ink,
                                   clip_on=False))
        return artists

    def update(self, i: int) -> None:
        theta = self.h.theta[i]
        with np.errstate(invalid="ignore"):
            mag = np.nan_to_num(np.abs(theta[self.edge_at]) / self.edge_scale)
        self.edges.set_linewidths(0.3 * self.scale + 4.5 * self.scale * mag)
        self.edges.set_colors(np.where((theta[self.edge_at] >= 0)[:, None], self.signs[0], self.signs[1]))
        acts = unit_outputs(self.net, theta, self.cell_x if self.heat else self.h.x)

        def frac(layer: int, unit: int) -> np.ndarray:
            lo, hi = act_range(self.net.activations[layer - 1])
            return np.clip((np.nan_to_num(acts[layer - 1][:, unit]) - lo) / (hi - lo), 0, 1)

        for layer, unit, ring in self.units:
            ring.set_facecolor(self.cmap(float(frac(layer, unit).mean())))
        n = len(self.table) - 1
        for layer, unit, _, square in self.squares:
            if square.rgba is not None:  # laid out: the picture inside the square's one-pixel frame
                picture = self.table[(frac(layer, unit) * n + 0.5).astype(np.intp)].reshape(CELL, CELL)
                packed(square.rgba)[-2:0:-1, 1:-1] = picture[self.pick][:, self.pick]  # (first row the top)

    def fit(self, renderer) -> bool:
        """Round nodes (widths in axes units scaled by the axes' height / width), and each unit's square of
        pixels where the axes now are."""
        box = self.ax.get_window_extent(renderer)
        size = (int(round(box.width)), int(round(box.height)))
        if min(size) < 2:
            return super().fit(renderer)
        w, h = size
        side = max(3, int(round(2 * self.radius * h)))
        inner = np.arange(side - 2)  # the CELL x CELL picture's nearest cell at each inner pixel
        self.pick = np.minimum(((inner + 0.5) / (side - 2) * CELL).astype(int), CELL - 1)
        frame = opaque((np.array(to_rgb(self.theme.muted)) * 255).astype(np.uint8))
        ox, oy = int(round(box.x0)), int(round(box.y0))
        for _, _, (px, py), square in self.squares:
            x0, y0 = int(round(px * w - side / 2)), int(round(py * h - side / 2))
            x0, y0 = ox + min(max(x0, 0), w - side), oy + min(max(y0, 0), h - side)
            square.box = (x0, y0, x0 + side, y0 + side)
            if square.rgba is None or square.rgba.shape[0] != side:
                square.rgba = np.broadcast_to(frame, (side, side, 4)).copy()
        for ring, _ in self.shapes:  # (drawn where the layout put them: no new layout for this)
            ring.set_width(2 * self.radius * h / w)
        return super().fit(renderer)


@PANELS.register("weights")
class WeightsPanel(Panel):
    """Image data: the input weights of up to 16 hidden units, each drawn as an image in the weight-sign colours."""

    legend_outside = True

    def setup(self) -> list:
        h, ax = self.h, self.ax
        if h.first_weights is None or h.image_shape is None:
            raise ValueError("the weights panel needs image data and the hidden units' weights in the snapshots")
        u = h.first_weights.shape[1]
        ih, iw = h.image_shape
        self.tile = (ih + 1, iw + 1)  # a one-pixel white gap between the pictures
        self.rows, self.cols, self.image = mosaic(ax, u, ih, iw, gap=1, rows_first=True)
        self.cmap = self.theme.weight_map()
        self.paper = np.array(to_rgb(self.theme.background))
        self.head(f"input weights of {u} hidden units", readout=False)
        t, s = self.theme, self.scale
        ax.legend(handles=[legend_line(t.positive, "weight > 0", s), legend_line(t.negative, "weight < 0", s)],
                  loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=2, frameon=False)
        return [self.image]

    def fit(self, renderer) -> bool:
        """Tiles in the rows and columns that best fill the panel's box (4 x 4 in a square, 2 x 8 in a wide one)."""
        changed = super().fit(renderer)
        box = self.ax.get_position(original=True)
        aspect = box.width * self.ax.figure.bbox.width / (box.height * self.ax.figure.bbox.height)
        u = self.h.first_weights.shape[1]
        th, tw = self.tile

        def misfit(rows: int) -> float:
            cols = -(-u // rows)
            return abs(np.log(cols * tw / (rows * th) / aspect)) + 0.5 * (rows * cols - u) / u

        rows = min(range(1, u + 1), key=misfit)
        cols = -(-u // rows)
        if (rows, cols) != (self.rows, self.cols):
            self.rows, self.cols = rows, cols
            height, width = rows * th - 1, cols * tw - 1
            self.image.set_data(np.ones((height, width, 3)))
            self.image.set_extent((-0.5, width - 0.5, height - 0.5, -0.5))
            self.ax.set_xlim(-0.5, width - 0.5)
            self.ax.set_ylim(height - 0.5, -0.5)
            changed = True
        return changed

    def update(self, i: int) -> None:
        w = self.h.first_weights[i]
        ih, iw = self.h.image_shape
        th, tw = self.tile
        scale = np.nanmax(np.abs(w)) or 1.0
        mosaic = np.empty((self.rows * th - 1, self.cols * tw - 1, 3))
        mosaic[:] = self.paper
        for k in range(w.shape[0]):
            r, c = divmod(k, self.cols)
            pic = self.cmap(np.clip(0.5 + 0.5 * np.nan_to_num(w[k]) / scale, 0, 1))[:, :3]
            mosaic[r * th : r * th + ih, c * tw : c * tw + iw] = pic.reshape(ih, iw, 3)
        self.image.set_data(mosaic)


MAX_NEURONS = 16


@PANELS.register("neurons")
class NeuronsPanel(Panel):
    """Each hidden unit's output over the input (up to 16, layer by layer) as small multiples, one small
    chart per unit labelled with its layer and number: curves for 1-D input, heat maps (low to high in the
    class colours) for 2-D input, as ConvNetJS and Playground show them."""

    def setup(self) -> list:
        h, ax, s, t = self.h, self.ax, self.scale, self.theme
        self.net = net_of(self, "neurons")
        hidden = self.net.sizes[1:-1]
        self.units = [(layer, u) for layer, n in enumerate(hidden) for u in range(n)][:MAX_NEURONS]
        self.flat = h.x.shape[1] == 1
        total = sum(hidden)
        more = f" (the first {len(self.units)} of {total})" if total > len(self.units) else ""
        self.head(f"hidden units' outputs{more}", readout=False)
        no_frame(ax)
        n = len(self.units)
        cols = int(np.ceil(np.sqrt(n * 1.4)))
        rows = int(np.ceil(n / cols))
        self.cells = []
        gap_x, gap_y = 0.04, 0.05
        w, hgt = (1 - gap_x * (cols - 1)) / cols, (1 - gap_y * (rows - 1)) / rows
        for k, (layer, u) in enumerate(self.units):
            r, c = divmod(k, cols)
            cell = ax.inset_axes((c * (w + gap_x), 1 - (r + 1) * hgt - r * gap_y, w, hgt))
            no_frame(cell)
            for spine in cell.spines.values():
                spine.set_visible(True)
                spine.set_color(t.grid)
            self.cells.append(cell)
        # each unit's name in its top left corner, drawn after its picture, on a patch of background
        self.names = [cell.text(0.03, 0.96, f"h{layer + 1}.{u + 1}", transform=cell.transAxes, ha="left", va="top",
                                fontsize=font(9, s), color=t.ink, zorder=5,
                                bbox=dict(boxstyle="square,pad=0.1", facecolor=t.background, edgecolor="none",
                                          alpha=0.75))
                      for cell, (layer, u) in zip(self.cells, self.units)]
        if self.flat:
            self.xs = h.grid_x
            lo = min(act_range(a)[0] for a in self.net.activations[:-1])
            self.lines = []
            for cell in self.cells:
                cell.set_xlim(float(self.xs[0, 0]), float(self.xs[-1, 0]))
                cell.set_ylim(lo - 0.15, 1.15)
                cell.axhline(0, color=t.grid, lw=1.0 * s)
                self.lines.append(cell.plot([], [], "-", lw=1.8 * s, color=t.ink)[0])
            return list(self.lines) + self.names
        lo, hi = h.grid_x.min(axis=0), h.grid_x.max(axis=0)
        self.xs = mesh((lo[0], hi[0], lo[1], hi[1]), CELL)
        self.cmap = t.output_map()
        self.images = [cell.imshow(np.ones((CELL, CELL, 3)), origin="lower", aspect="auto", interpolation="bilinear")
                       for cell in self.cells]
        return list(self.images) + self.names

    def update(self, i: int) -> None:
        acts = unit_outputs(self.net, self.h.theta[i], self.xs)
        if self.flat:
            for line, (layer, u) in zip(self.lines, self.units):
                line.set_data(self.xs[:, 0], acts[layer][:, u])
            return
        for image, (layer, u) in zip(self.images, self.units):
            lo, hi = act_range(self.net.activations[layer])
            frac = np.clip((np.nan_to_num(acts[layer][:, u]) - lo) / (hi - lo), 0, 1).reshape(CELL, CELL)
            image.set_data(self.cmap(frac)[:, :, :3])

