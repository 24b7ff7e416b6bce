"""Text drawn every frame, from cached glyphs.

matplotlib 3.11 renders text one glyph at a time through FreeType, about 0.15 ms a glyph: a comparison's
counter and readouts (17 lines of a dozen characters for 16 runs) cost 30 ms a frame, more than all its
lines and points. Here each glyph is rendered once at each 1/8-pixel phase it lands on and kept, and a
line costs a few array copies. Where the glyphs go is matplotlib's own layout: in a fixed-pitch font
(the readouts) whole multiples of one advance, checked against that layout once a font; in any other,
the layout of each line, asked once and kept (labels redrawn every frame over moving lines). Rotated
text, math, text clipped to a path, and a matplotlib without the glyph API are drawn by matplotlib."""
from __future__ import annotations

import unicodedata
from collections import OrderedDict

import numpy as np
from matplotlib import ft2font
from matplotlib.backends.backend_agg import get_hinting_flag
from matplotlib.font_manager import FontProperties, fontManager, get_font

PHASES = 8  # subpixel positions a glyph is rendered at, each way
LINES = 4096  # laid-out lines of proportional text kept
_IDENTITY = [[0x10000, 0], [0, 0x10000]]  # FreeType's 16.16 unit matrix
_FAST = all(hasattr(ft2font.FT2Font, m) for m in ("_layout", "_render_glyph", "_set_transform")) and \
    hasattr(ft2font, "FaceFlags") and hasattr(ft2font, "RenderMode") and hasattr(fontManager, "_find_fonts_by_props")
# a line laid out by matplotlib and by us once a font: the same glyphs at the same places, or no shortcut
# (the pairs a programming font turns into ligatures among them)
_PROBE = "l -_.0|%Wg->!=<=>===fi ff www::..."


class Glyphs:
    """Glyph masks by font, size, glyph and subpixel phase, and where a line's glyphs go."""

    def __init__(self):
        self.faces: dict = {}   # (FontProperties, dpi) -> (FT2Font, size in points, fixed pitch) or None
        self.glyphs: dict = {}  # (font file, size, dpi, glyph index, phase x, phase y) -> (mask, left, top)
        self.inks: dict = {}    # (font file, size, dpi, char) -> (glyph index, advance, bottom, top) or None
        self.lines: OrderedDict = OrderedDict()  # (text, font file, size, dpi) -> places, the newest last
        self.measures: dict = {}  # (FontProperties, dpi) -> whether `metrics` agrees with the renderer's

    def face(self, prop: FontProperties, dpi: float):
        """(FT2Font, size in points, fixed) of the font matplotlib draws `prop` with (its fallbacks
        included); fixed when its lines are glyphs side by side at their advances, as matplotlib lays them
        out; None when this matplotlib has no glyph API."""
        key = (prop, dpi)
        if key not in self.faces:
            face = None
            if _FAST:
                font = get_font(fontManager._find_fonts_by_props(prop))
                size = prop.get_size_in_points()
                fixed = ft2font.FaceFlags.FIXED_WIDTH in font.face_flags
                if fixed:
                    font.set_size(size, dpi)
                    theirs = [(it.glyph_index, round(64 * it.x)) for it in font._layout(_PROBE, flags=get_hinting_flag())]
                    inks = [self.ink(font, size, dpi, c) for c in _PROBE]
                    fixed = None not in inks and theirs == list(zip(
                        [i[0] for i in inks], np.cumsum([0] + [i[1] for i in inks[:-1]]).tolist()))
                face = (font, size, fixed)
            self.faces[key] = face
        return self.faces[key]

    def ink(self, font, size: float, dpi: float, char: str):
        """(glyph index, advance, bottom, top) of `char` in a fixed-pitch font, in 1/64 px: the step
        matplotlib's layout takes after it, and its outline box up and down; None when the font lacks it
        (or joins two of it into one glyph)."""
        key = (font.fname, size, dpi, char)
        if key not in self.inks:
            index = font.get_char_index(ord(char))
            found = None
            if index:
                flags = get_hinting_flag()
                font.set_size(size, dpi)
                pair = font._layout(char * 2, flags=flags)
                g = font.load_glyph(index, flags)
                if len(pair) == 2:  # (one glyph: a ligature of the two, which the shortcut cannot place)
                    found = (index, round(64 * (pair[1].x - pair[0].x)), g.bbox[1], g.bbox[3])
            self.inks[key] = found
        return self.inks[key]

    def places(self, s: str, face, dpi: float):
        """[(FT2Font, glyph index, x, y)] of each glyph of the line, from its origin in 1/64 px (y upwards),
        as matplotlib lays it out; None when a glyph is missing."""
        font, size, fixed = face
        if fixed and all(unicodedata.category(c)[0] != "M" for c in s):  # no combining marks to place
            inks = [self.ink(font, size, dpi, c) for c in s]
            if None in inks:
                return None
            xs = np.cumsum([0] + [i[1] for i in inks[:-1]])
            return [(font, i[0], int(x), 0) for i, x in zip(inks, xs)]
        key = (s, font.fname, size, dpi)
        found = self.lines.get(key)
        if found is None:
            font.set_size(size, dpi)
            items = font._layout(s, flags=get_hinting_flag())
            found = [(it.ft_object, it.glyph_index, round(64 * it.x), round(64 * it.y)) for it in items]
            if any(index == 0 for _, index, _, _ in found):
                found = ()
            self.lines[key] = found
            if len(self.lines) > LINES:
                self.lines.popitem(last=False)
        else:
            self.lines.move_to_end(key)
        return found or None

    def glyph(self, font, size: float, dpi: float, index: int, qx: int, qy: int):
        """(mask (rows, cols) uint8, left, top) of a glyph with its origin at (qx, qy) / PHASES pixels;
        left and top from the origin (top upwards)."""
        key = (font.fname, size, dpi, index, qx, qy)
        found = self.glyphs.get(key)
        if found is None:
            font.set_size(size, dpi)
            font._set_transform(_IDENTITY, [qx * 64 // PHASES, qy * 64 // PHASES])
            bitmap = font._render_glyph(index, get_hinting_flag(), ft2font.RenderMode.NORMAL)
            font._set_transform(_IDENTITY, [0, 0])
            found = self.glyphs[key] = (np.array(bitmap.buffer, dtype=np.uint8), bitmap.left, bitmap.top)
        return found

    def metrics(self, s: str, prop: FontProperties, dpi: float, renderer):
        """(width, height, descent) in pixels of a line of fixed-pitch text, as Agg's
        get_text_width_height_descent measures it (the advances across, the glyphs' outline boxes up and
        down), or None when it cannot say. Checked against the renderer once a font: a matplotlib that
        measures otherwise is asked."""
        face = self.face(prop, dpi)
        if face is None or not face[2] or not s or not s.isprintable():
            return None
        key = (prop, dpi)
        if key not in self.measures:
            probe = "l -_.0"
            ours = self._measure(probe, face, dpi)
            self.measures[key] = ours is not None and \
                np.allclose(ours, renderer.get_text_width_height_descent(probe, prop, False), atol=1e-6)
        return self._measure(s, face, dpi) if self.measures[key] else None

    def _measure(self, s: str, face, dpi: float):
        inks = [self.ink(face[0], face[1], dpi, c) for c in s]
        if None in inks:
            return None
        bottom, top = min(i[2] for i in inks), max(i[3] for i in inks)
        return sum(i[1] for i in inks) / 64, (top - bottom) / 64, -bottom / 64

    def line(self, s: str, prop: FontProperties, dpi: float, x: float, y: float):
        """(coverage (rows, cols) uint8, left column, top row) of one line of text whose baseline starts at
        (x, y) (pixels, y upwards), or None when it cannot be drawn from the cache."""
        face = self.face(prop, dpi)
        places = None if face is None or not s.isprintable() else self.places(s, face, dpi)
        if not places:
            return None
        size = face[1]
        parts = []
        for font, index, dx, dy in places:
            ix, qx = divmod((round(64 * x + dx) * PHASES + 32) // 64, PHASES)  # to the nearest phase
            iy, qy = divmod((round(64 * y + dy) * PHASES + 32) // 64, PHASES)
            mask, left, top = self.glyph(font, size, dpi, index, qx, qy)
            if mask.size:
                parts.append((mask, ix + left, iy + top))
        if not parts:
            return np.zeros((0, 0), np.uint8), 0, 0
        x0 = min(p[1] for p in parts)
        x1 = max(p[1] + p[0].shape[1] for p in parts)
        top = max(p[2] for p in parts)
        bottom = min(p[2] - p[0].shape[0] for p in parts)
        out = np.zeros((top - bottom, x1 - x0), np.uint8)
        for mask, left, t in parts:
            r, c = top - t, left - x0
            np.maximum(out[r : r + mask.shape[0], c : c + mask.shape[1]], mask,
                       out=out[r : r + mask.shape[0], c : c + mask.shape[1]])
        return out, x0, top


def blend(buf: np.ndarray, coverage: np.ndarray, col: int, row: int, rgba, clip=None) -> None:
    """Paint colour `rgba` (floats 0..1) through `coverage` (rows, cols) uint8 onto the (H, W, 4) uint8
    canvas `buf` with its top left at (row, col), cut to the canvas and to `clip` (x0, y0, x1, y1 in
    rows/columns from the top left)."""
    height, width = buf.shape[:2]
    r0, c0, r1, c1 = row, col, row + coverage.shape[0], col + coverage.shape[1]
    lo_r, lo_c, hi_r, hi_c = 0, 0, height, width
    if clip is not None:
        lo_c, lo_r, hi_c, hi_r = max(clip[0], 0), max(clip[1], 0), min(clip[2], width), min(clip[3], height)
    cr0, cc0, cr1, cc1 = max(r0, lo_r), max(c0, lo_c), min(r1, hi_r), min(c1, hi_c)
    if cr0 >= cr1 or cc0 >= cc1:
        return
    a = coverage[cr0 - r0 : cr1 - r0, cc0 - c0 : cc1 - c0, None] * np.float32(rgba[3] / 255)
    dst = buf[cr0:cr1, cc0:cc1]
    color = np.asarray(rgba[:3], np.float32) * 255
    if dst[..., 3].min() == 255:  # an opaque canvas (every frame): stays opaque
        rgb = dst[..., :3].astype(np.float32)
        rgb += (color - rgb) * a
        dst[..., :3] = rgb + 0.5
        return
    under = dst[..., 3:].astype(np.float32) / 255
    out_a = a + under * (1 - a)
    rgb = (color * a + dst[..., :3] * (under * (1 - a))) / np.maximum(out_a, 1e-6)
    dst[..., :3] = np.rint(np.where(out_a > 0, rgb, dst[..., :3]))
    dst[..., 3:] = np.rint(out_a * 255)


class GlyphRenderer:
    """An Agg renderer's stand-in for drawing animated artists: one-line, unrotated text comes from
    `glyphs`; everything else goes to the renderer."""

    def __init__(self, renderer, glyphs: Glyphs):
        self._renderer, self.glyphs = renderer, glyphs

    def __getattr__(self, name):
        return getattr(self._renderer, name)

    def wraps(self, renderer) -> bool:
        return renderer is self._renderer

    def get_text_width_height_descent(self, s, prop, ismath):
        r = self._renderer
        found = None if ismath else self.glyphs.metrics(s, prop, r.dpi, r)
        return found if found is not None else r.get_text_width_height_descent(s, prop, ismath)

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        r = self._renderer
        path, _ = gc.get_clip_path()
        shaped = mtext is not None and (getattr(mtext, "get_fontfeatures", lambda: None)() or
                                        getattr(mtext, "get_language", lambda: None)())
        plain = not (angle or ismath or shaped or path is not None or "\n" in s) and gc.get_antialiased()
        placed = None if not plain else \
            self.glyphs.line(s, prop, r.dpi, x, r.height - y)
        if placed is None:
            return r.draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        coverage, left, top = placed
        rgba = list(gc.get_rgb())
        alpha = gc.get_alpha() if len(rgba) == 3 or gc.get_forced_alpha() else rgba[3]
        clip = gc.get_clip_rectangle()
        box = None if clip is None else (int(round(clip.x0)), int(round(r.height - clip.y1)),
                                         int(round(clip.x1)), int(round(r.height - clip.y0)))
        blend(np.asarray(r.buffer_rgba()), coverage, left, int(r.height) - top, rgba[:3] + [alpha], box)
