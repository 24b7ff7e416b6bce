"""The panels, one module per family: curves (loss, metrics, a comparison's losses), data (fit, boundary),
net (network, neurons, weights), landscape. `choose` says which panels a run can show.

Adding a panel: a class in its family's module registered with @PANELS.register("name"), its name in
config.PANEL_NAMES, and a line in `choose` saying when it fits (see CONTRIBUTING.md).
"""
from __future__ import annotations

from ...model import Net
from ...snapshots import Keep
from . import curves, data, landscape, net  # noqa: F401  (each registers its panels)
from .base import PANELS, Panel
from .curves import RunsLossPanel

CLASSIFIERS = ("bce", "cross_entropy")


BIG = "the net has more than 10,000 parameters, which are not stored at every snapshot"


def choose(requested: tuple[str, ...] | None, net: Net, loss: str, image: bool, keep: Keep,
           no_theta: str = BIG) -> tuple[str, ...]:
    """The panels of a run's video: `requested`, or by task when None; ValueError naming the valid ones
    for a panel that does not fit this net and data. `keep` says what the snapshots hold, `no_theta` why
    they hold no parameters when they do not."""
    inputs, hidden = net.sizes[0], net.n_layers > 1
    fits = {"fit": inputs != 2 and not image, "boundary": inputs == 2, "network": keep.theta and not image,
            "neurons": keep.theta and inputs in (1, 2) and hidden, "landscape": keep.theta,
            "weights": keep.first_weights > 0, "loss": True, "metrics": loss in CLASSIFIERS}
    if requested is None:
        first = "weights" if fits["weights"] else "boundary" if inputs == 2 else "fit"
        return tuple(p for p in (first, "loss", "metrics") if fits[p])
    wrong = [p for p in requested if not fits[p]]
    if wrong:
        why = {"fit": "image data is drawn by `weights`" if image else "2-D input is drawn by `boundary`",
               "boundary": f"the data has {inputs} inputs, not 2",
               "metrics": "accuracy needs a classification loss (bce, cross_entropy)",
               "network": no_theta if not image else "image inputs are too many to draw",
               "weights": no_theta if image and not keep.theta else "hidden units' weights are pictures only for "
                                                                      "image data (digits, mnist) and a hidden layer",
               "neurons": "units' outputs are drawn over 1-D or 2-D input, for a net with hidden units and at "
                          "most 10,000 parameters",
               "landscape": no_theta}
        valid = ", ".join(p for p, ok in fits.items() if ok)
        raise ValueError(f"{wrong[0]} does not fit this data ({why[wrong[0]]}); valid here: {valid}")
    return requested


__all__ = ["PANELS", "Panel", "RunsLossPanel", "choose"]
