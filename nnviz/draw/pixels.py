"""Pictures computed at their on-screen size and written straight into the canvas: no resampling, no
compositing. A heat map of a few hundred pixels a side, resampled by matplotlib every frame, costs
more than all the rest of a frame; written as pixels, it costs a copy."""
from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.colors import Colormap


class Pixels(Artist):
    """An opaque picture at a box of the canvas's pixels (x0, y0, x1, y1; the origin at the bottom left, as
    matplotlib's display coordinates): `rgb` (y1 - y0, x1 - x0, 3) uint8, its first row the top."""

    def __init__(self, box: tuple[int, int, int, int]):
        super().__init__()
        self.box = box
        self.rgb: np.ndarray | None = None

    def draw(self, renderer) -> None:
        if not self.get_visible() or self.rgb is None:
            return
        buf = np.asarray(renderer.buffer_rgba())
        x0, y0, x1, y1 = self.box
        top = buf.shape[0]
        buf[top - y1 : top - y0, x0:x1, :3] = self.rgb
        buf[top - y1 : top - y0, x0:x1, 3] = 255
        self.stale = False


def inner_box(ax, renderer) -> tuple[int, int, int, int]:
    """The whole pixels inside an axes' frame (its spines' lines stay visible)."""
    b = ax.get_window_extent(renderer)
    return int(np.ceil(b.x0)) + 1, int(np.ceil(b.y0)) + 1, int(np.floor(b.x1)), int(np.floor(b.y1))


def pixel_mesh(ax, box, step: int) -> tuple[np.ndarray, tuple[int, int]]:
    """(points (rows * cols, 2), (rows, cols)): the data coordinates of the centres of `box`'s blocks of
    step x step pixels, in rows from the top, so that repeating each value `step` times each way fills it."""
    x0, y0, x1, y1 = box
    cols, rows = -(-(x1 - x0) // step), -(-(y1 - y0) // step)
    px = x0 + step * np.arange(cols) + step / 2  # display coordinates of the blocks' centres
    py = y1 - step * np.arange(rows) - step / 2  # from the top down
    g0, g1 = np.meshgrid(px, py)
    points = ax.transData.inverted().transform(np.stack([g0.ravel(), g1.ravel()], axis=1))
    return points, (rows, cols)


def enlarge(rgb: np.ndarray, step: int, shape: tuple[int, int]) -> np.ndarray:
    """(rows, cols, 3) -> each value repeated `step` times each way, cut to `shape` (height, width)."""
    if step > 1:
        rgb = np.repeat(np.repeat(rgb, step, axis=0), step, axis=1)
    return rgb[: shape[0], : shape[1]]


def lut(cmap: Colormap, n: int = 1024) -> np.ndarray:
    """(n, 3) uint8: the colour map's colours at n even steps from 0 to 1, for indexing."""
    return np.round(cmap(np.linspace(0, 1, n))[:, :3] * 255).astype(np.uint8)
