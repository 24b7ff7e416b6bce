"""No text collides, is cut off or is too small, read back from each figure's own artists, for every shipped
config and a matrix of panel combinations, at 640x360, 1280x720 and 1920x1080 (tests/layout.py)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from layout import scene_of, scene_problems
from nnviz.experiment import load_config
from nnviz.pipeline import prepare, run_training

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
SIZES = [(640, 360), (1280, 720), (1920, 1080)]
SHIPPED = sorted((ROOT / "configs").glob("*.yaml"))

pytestmark = pytest.mark.slow
_trained: dict = {}


def trained(path: Path, overrides=()):
    """(config, histories) of a config, trained once per test session."""
    from bench_pacing import histories_of

    key = (str(path), tuple(overrides))
    if key not in _trained:
        _trained[key] = histories_of(path, overrides)
    return _trained[key]


def assert_clean(cfg, histories, what: str, check=lambda scene: None) -> None:
    """No text problems in the scene of cfg at any of SIZES (and `check(scene)` holds)."""
    for size in SIZES:
        scene = scene_of(cfg, histories, size)
        try:
            assert scene_problems(scene) == [], f"{what} at {size}"
            check(scene)
        finally:
            scene.close()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_configs_have_no_text_problems(path):
    if "digits" in path.name:
        pytest.importorskip("sklearn")
    assert_clean(*trained(path), path.name)


MATRIX = {
    # data line, model/train lines, panels
    "sine": ("{name: sine, samples: 40, noise: 0.1, test_fraction: 0.25}", "hidden: [6]", "mse", "linear",
             ["[fit]", "[fit, loss]", "[fit, network, loss]", "[fit, neurons, landscape, loss]",
              "[network, neurons, loss, landscape]"]),
    "circle": ("{name: circle, samples: 120, noise: 0.2, test_fraction: 0.3}", "hidden: [8, 8]", "bce", "sigmoid",
               ["[boundary]", "[boundary, metrics]", "[boundary, network, loss, metrics]",
                "[neurons, boundary, network]", "[landscape, boundary, metrics, loss]"]),
    "spiral": ("{name: spiral, samples: 150, classes: 3, noise: 0.1}", "hidden: [12]", "cross_entropy", "softmax",
               ["[boundary, loss, metrics]", "[network, boundary, neurons, metrics]"]),
    "plane": ("{name: plane, samples: 80, noise: 0.1}", "hidden: [4]", "mse", "linear",
              ["[boundary, network, loss]"]),
    "xor3": ("{name: xor3}", "hidden: [4]", "sse", "sigmoid", ["[fit, network, loss]", "[landscape, fit, loss]"]),
    "linear": ("{name: linear, samples: 60, noise: 0.2}", "hidden: [3]", "mse", "linear",
               ["[fit, loss]", "[fit, network, landscape, loss]"]),
}


def cases():
    for data, (_, _, _, _, panels) in MATRIX.items():
        for p in panels:
            yield data, p


def matrix_config(write, data: str, panels: str, extra: str = "") -> Path:
    line, hidden, loss, output, _ = MATRIX[data]
    optimizer = "{name: adam, lr: 0.03}"
    return write(f"{data}.yaml", f"""\
title: {data} with {panels}, a title long enough to meet the counter at the smallest size there is
data: {line}
model: {{{hidden}, activation: tanh, output: {output}}}
train: {{loss: {loss}, optimizer: {optimizer}, iterations: 300}}
render: {{panels: {panels}, landscape: {{weights: ["w1[0,0]", "w1[1,0]"]}}{extra}}}
""")


@pytest.mark.parametrize("data,panels", list(cases()))
def test_panel_combinations_have_no_text_problems(write, data, panels):
    cfg = load_config(matrix_config(write, data, panels, ", captions: auto, theme: dark"))
    assert_clean(cfg, [run_training(prepare(cfg), "layout")[0]], f"{data} {panels}")


def test_captions_and_a_diverged_run_have_no_text_problems(write):
    path = write("d.yaml", """\
title: A run that diverges, with a caption as long as a caption may be
data: {name: sine, samples: 30}
model: {hidden: [6]}
train: {optimizer: {name: sgd, lr: 40}, iterations: 400}
render:
  panels: [fit, network, loss]
  captions: [{at: 0, text: "a caption of ninety characters, which is the longest one nnviz lets a config give."}]
""")
    cfg = load_config(path)
    histories = [run_training(prepare(cfg), "layout")[0]]
    assert histories[0].diverged_at >= 0
    assert_clean(cfg, histories, "a diverged run", lambda scene: scene.caption_of[0].startswith("a caption") or
                 pytest.fail("the caption is not shown on the first frame"))
