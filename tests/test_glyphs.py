"""Cached glyphs against matplotlib's own text: the same pixels, the same measures, and everything they
cannot draw left to matplotlib."""
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from nnviz.draw import glyphs
from nnviz.draw.glyphs import GlyphRenderer, Glyphs

pytestmark = pytest.mark.skipif(not glyphs._FAST, reason="this matplotlib has no glyph API: text is drawn by it")

rng = np.random.default_rng(7)
TEXTS = ["step 12,345", "lr=0.0031  loss 1.2e-05", "-_.0 |x|", "".join(rng.choice(list("0123456789.-+e%abcXYZ "), 23))]


def pictures(texts, **kw):
    """(matplotlib's pixels, ours) of the same figure of texts, drawn on a white canvas."""
    out = []
    for ours in (False, True):
        fig = Figure(figsize=(4, 2.5), dpi=100)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        draw = GlyphRenderer(renderer, Glyphs()) if ours else renderer
        for k, s in enumerate(texts):  # positions with every fraction of a pixel
            fig.text(0.03 + 0.0137 * k, 0.9 - 0.21 * k + 0.0031 * k, s, **kw).draw(draw)
        out.append(np.asarray(renderer.buffer_rgba()).astype(int))
    return out


@pytest.mark.filterwarnings("ignore:Glyph .* missing")  # (the emoji: matplotlib draws it, as a box)
@pytest.mark.parametrize("family", ["monospace", "sans-serif", "serif"])
def test_a_line_matches_matplotlibs_pixels(monkeypatch, family):
    monkeypatch.setattr(glyphs, "PHASES", 64)  # every 1/64 pixel, as FreeType places them: the same pixels
    # kerning, ligatures, accents as one character and as combining marks, symbols, a fallback font's glyphs
    hostile = ["AVAWAY Tj fi ÄÉ", "e\u0301te\u0301 nai\u0308ve -> != ↑ → ∞", "日本語 x 😀"]
    theirs, ours = pictures(TEXTS + hostile, family=family, fontsize=11, color="#1f3a93")
    assert (theirs != 255).any(axis=-1).sum() > 500  # there is text to compare
    diff = np.abs(theirs - ours).max(axis=-1)
    # where two glyphs touch, their coverages are merged (the larger) where matplotlib paints one over the
    # other: a pixel or two differ a little there
    assert (diff > 2).sum() <= 3 and diff.max() <= 16


def test_eighth_pixel_phases_stay_close_to_it():
    theirs, ours = pictures(TEXTS + ["two\nlines"], family="monospace", fontsize=9, color="black", alpha=0.6)
    diff = np.abs(theirs - ours)
    assert diff.max() <= 24  # a glyph moved at most 1/16 pixel: edges differ a little
    assert diff.mean() < 0.15


@pytest.mark.parametrize("kw", [dict(family="monospace", rotation=30), dict(family="sans-serif", rotation=90),
                                dict(family="monospace", text="$x^2$ step 3"),
                                dict(family="sans-serif", antialiased=False),
                                dict(family="sans-serif", fontfeatures=["-kern"])])
def test_what_it_cannot_draw_matplotlib_draws(kw):
    kw = dict(kw)
    texts = [kw.pop("text")] if "text" in kw else TEXTS
    theirs, ours = pictures(texts, fontsize=10, **kw)
    assert np.array_equal(theirs, ours)


def test_measures_are_the_renderers():
    fig = Figure(dpi=137)
    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    cache = Glyphs()
    ours = GlyphRenderer(renderer, cache)
    for size in (7, 9.5, 13):
        prop = FontProperties(family="monospace", size=size)
        assert cache.metrics("0", prop, renderer.dpi, renderer) is not None  # measured from the cache
        assert cache.metrics("0", FontProperties(size=size), renderer.dpi, renderer) is None  # proportional
        for s in TEXTS + ["".join(rng.choice(list("gjpqy()[]{}_^~'\"ÄÉ.,;: "), 15)) for _ in range(5)] + [" "]:
            assert ours.get_text_width_height_descent(s, prop, False) == \
                pytest.approx(renderer.get_text_width_height_descent(s, prop, False), abs=1e-9), s


FIRA = Path("/usr/share/fonts/truetype/firacode/FiraCode-Regular.ttf")  # Debian's fonts-firacode


@pytest.mark.skipif(not FIRA.is_file(), reason="Fira Code is not installed (apt-get install fonts-firacode)")
def test_a_fixed_pitch_font_with_ligatures_is_laid_out_by_matplotlib(monkeypatch):
    """`->` and `!=` are one glyph in Fira Code: no shortcut of advances, matplotlib's layout of each line."""
    monkeypatch.setattr(glyphs, "PHASES", 64)
    prop = FontProperties(fname=FIRA, size=12)
    assert Glyphs().face(prop, 100)[2] is False  # the probe found the ligatures
    theirs, ours = pictures(["a -> b != c == d", "0.125 loss", "www ::: fi"], fontproperties=prop)
    diff = np.abs(theirs - ours).max(axis=-1)
    assert (theirs != 255).any(axis=-1).sum() > 300 and (diff > 2).sum() <= 6 and diff.max() <= 24
