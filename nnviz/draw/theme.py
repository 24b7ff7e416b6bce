"""Themes: every colour a picture uses, each with one meaning, in a light and a dark version.

Colours come from Okabe and Ito's colour-blind-safe set. Within a frame each carries one meaning:
orange and blue are the two classes (and low and high output, which is what decides them), further
classes take vermillion, sky blue and yellow; a weight's sign is bluish green (+) or reddish purple (−);
the net's prediction of a 1-D curve is vermillion; loss and accuracy curves are in the ink colour,
training solid and test dashed; a comparison's runs take their own colours, none of them a class colour.
"""
from __future__ import annotations

from dataclasses import dataclass

from matplotlib.colors import LinearSegmentedColormap, to_rgb

from ..registry import Registry

THEMES: Registry["Theme"] = Registry("theme")
REGION_FADE = 0.3  # a region's colour is its class's, this much of the way to the background


def mix(color: str, other: str, amount: float) -> tuple[float, float, float]:
    """`color` moved `amount` of the way towards `other`."""
    a, b = to_rgb(color), to_rgb(other)
    return tuple((1 - amount) * x + amount * y for x, y in zip(a, b))


@dataclass(frozen=True)
class Theme:
    name: str
    background: str  # the frame and the panels
    ink: str  # titles, the counter, training curves
    muted: str  # subtitles, secondary labels, test curves
    grid: str  # grid lines, the timeline's track
    data: str  # data points
    prediction: str  # the net's prediction (fit)
    low: str  # class 0, low output
    high: str  # class 1, high output
    more_classes: tuple[str, ...]  # classes 2, 3, ...
    positive: str  # a weight > 0
    negative: str  # a weight < 0
    diverged: str  # a run that diverged
    runs: tuple[str, ...]  # a comparison's runs, in order

    @property
    def classes(self) -> tuple[str, ...]:
        return (self.low, self.high, *self.more_classes)

    def output_map(self) -> LinearSegmentedColormap:
        """Low output -> high output: class 0's colour, the background, class 1's colour, each end a little
        faded, so that points in the full class colours stand out on their own region."""
        ends = [mix(c, self.background, REGION_FADE) for c in (self.low, self.high)]
        return LinearSegmentedColormap.from_list(f"nnviz_{self.name}_output", [ends[0], self.background, ends[1]])

    def weight_map(self) -> LinearSegmentedColormap:
        """Negative weight -> positive weight through the background."""
        return LinearSegmentedColormap.from_list(f"nnviz_{self.name}_weights",
                                                 [self.negative, self.background, self.positive])


THEMES.register("light")(Theme(
    name="light", background="#ffffff", ink="#222222", muted="#6b6b6b", grid="#e6e6e6", data="#56606b",
    prediction="#d55e00", low="#e69f00", high="#0072b2", more_classes=("#d55e00", "#56b4e9", "#f0e442", "#000000"),
    positive="#009e73", negative="#cc79a7", diverged="#c0392b",
    runs=("#222222", "#d55e00", "#009e73", "#cc79a7", "#56b4e9", "#999999", "#e69f00", "#0072b2"),
))

THEMES.register("dark")(Theme(
    name="dark", background="#1b1d21", ink="#ececec", muted="#a3a3a3", grid="#34373d", data="#a9b2bc",
    prediction="#ff7b3a", low="#e69f00", high="#56b4e9", more_classes=("#ff7b3a", "#2e8bd0", "#f0e442", "#ffffff"),
    positive="#1fc99a", negative="#e08fc0", diverged="#ff6b5b",
    runs=("#ececec", "#ff7b3a", "#1fc99a", "#e08fc0", "#f0e442", "#8c8c8c", "#e69f00", "#56b4e9"),
))
