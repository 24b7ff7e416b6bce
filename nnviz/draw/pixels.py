"""Pictures computed at their on-screen size and written straight into the canvas: no resampling, no
compositing. A heat map of a few hundred pixels a side, resampled by matplotlib every frame, costs
more than all the rest of a frame; written as pixels, it costs a copy."""
from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.colors import Colormap


class Pixels(Artist):
    """An opaque picture at a box of the canvas's pixels (x0, y0, x1, y1; the origin at the bottom left, as
    matplotlib's display coordinates): `rgba` (rows, cols, 4) uint8, its first row the top, each of its
    pixels a block of `step` x `step` canvas pixels from the box's top left, cut to the box (rows * step
    >= y1 - y0, cols * step >= x1 - x0). Written four bytes a pixel at once, enlarged as it is written."""

    def __init__(self, box: tuple[int, int, int, int], step: int = 1):
        super().__init__()
        self.box, self.step = box, step
        self.rgba: np.ndarray | None = None

    @property
    def rgb(self) -> np.ndarray | None:
        """(y1 - y0, x1 - x0, 3) uint8: the colours the picture paints in its box."""
        if self.rgba is None:
            return None
        x0, y0, x1, y1 = self.box
        return enlarge(self.rgba, self.step, (y1 - y0, x1 - x0))[..., :3]

    def draw(self, renderer) -> None:
        if not self.get_visible() or self.rgba is None:
            return
        canvas = packed(np.asarray(renderer.buffer_rgba()))
        x0, y0, x1, y1 = self.box
        top = canvas.shape[0]
        paint(canvas[top - y1 : top - y0, x0:x1], packed(self.rgba), self.step)
        self.stale = False


def paint(dst: np.ndarray, src: np.ndarray, step: int) -> None:
    """Write each value of src (rows, cols) as a step x step block of dst (H, W) from its top left, cut to
    dst (rows * step >= H, cols * step >= W): each row widened once, then written `step` times, whole rows
    at a time (four times faster than blocks)."""
    h, w = dst.shape
    wide = np.repeat(src, step, axis=1)[:, :w] if step > 1 else src[:, :w]  # (rows, W)
    whole = h // step  # rows of src whose block is whole
    r, c = dst.strides
    blocks = np.lib.stride_tricks.as_strided(dst, (whole, step, w), (r * step, r, c))
    blocks[...] = wide[:whole, None, :]
    if whole * step < h:  # the last row of blocks, cut
        dst[whole * step :] = wide[whole]


def packed(rgba: np.ndarray) -> np.ndarray:
    """(..., 4) uint8, C-contiguous -> (...) uint32: a pixel a number (a view)."""
    return rgba.view(np.uint32)[..., 0]


def opaque(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 -> (..., 4) uint8 with alpha 255."""
    return np.concatenate([rgb, np.full(rgb.shape[:-1] + (1,), 255, np.uint8)], axis=-1)


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


def enlarge(rgba: np.ndarray, step: int, shape: tuple[int, int]) -> np.ndarray:
    """(rows, cols, 4) uint8 -> each pixel repeated `step` times each way, cut to `shape` (height, width):
    what `paint` writes, as an array."""
    if step > 1:
        rgba = np.repeat(np.repeat(rgba, step, axis=0), step, axis=1)
    return rgba[: shape[0], : shape[1]]


def lut(cmap: Colormap, n: int = 1024) -> np.ndarray:
    """(n, 4) uint8: the colour map's opaque colours at n even steps from 0 to 1, for indexing."""
    return opaque(np.round(cmap(np.linspace(0, 1, n))[:, :3] * 255).astype(np.uint8))
