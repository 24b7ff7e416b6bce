"""What makes a video teach: captions (and their WebVTT file), themes, colours with one meaning, readouts,
arrows for predictions off the chart, a smooth boundary, round ticks."""
from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.colors import to_rgb
from matplotlib.image import imread

from nnviz.cli import main
from nnviz.config import THEME_NAMES, Caption
from nnviz.draw.captions import events, place, webvtt
from nnviz.draw.panels.base import iteration_ticks, log_formatter
from nnviz.draw.scene import Scene
from nnviz.draw.theme import THEMES
from nnviz.experiment import load_config
from nnviz.model import Net
from nnviz.pipeline import prepare, render, run_training
from nnviz.snapshots import History

SMALL = """\
title: Teach
data: {{name: sine, samples: 30, noise: 0.1}}
model: {{hidden: [6], activation: tanh}}
train: {{optimizer: {{name: adam, lr: 0.05}}, iterations: 300}}
render: {{size: [480, 360], fps: 10, hold: 0.5, preset: ultrafast{extra}}}
"""


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_every_theme_is_registered_and_its_colours_mean_one_thing():
    assert set(THEME_NAMES) == set(THEMES)
    for t in THEMES.values():
        classes = {to_rgb(c) for c in t.classes}
        signs = {to_rgb(t.positive), to_rgb(t.negative)}
        assert len(classes) == len(t.classes) and not classes & signs  # classes are never weight signs
        assert not {to_rgb(c) for c in t.runs[:5]} & {to_rgb(t.low), to_rgb(t.high)}  # nor a run's colour
        assert to_rgb(t.prediction) not in {to_rgb(t.low), to_rgb(t.high)} | signs


@pytest.mark.parametrize("bad,says", [
    ('[{at: 10}]', "caption 1: expected {at: ITERATION, text: TEXT}"),
    ('[{at: -1, text: hi}]', "caption 1: must be >= 0"),
    ('[{at: 5, text: "x", pause: 99}]', "caption 1:"),
    ('[{at: 50, text: a}, {at: 10, text: b}]', "in the order of their iterations"),
    ('[{at: 5, text: "' + "x" * 91 + '"}]', "one line of 1 to 90 characters"),
    ('[{at: 5, text: hi, color: red}]', "caption 1: expected"),
    ('sometimes', "expected 'auto' or a list"),
    ('[{at: 400, text: late}]', "after the last iteration (300)"),
])
def test_bad_captions_are_one_line_errors_naming_file_line_and_key(write, bad, says):
    path = write("c.yaml", SMALL.format(extra=f", captions: {bad}"))
    result = run("validate", path)
    assert result.exit_code == 1, result.output
    line = result.output.strip().splitlines()[-1]
    assert line.startswith(f"Error: {path}:5: render.captions: ") and says in line, line


def test_captions_are_shown_held_and_written_as_webvtt(write, tmp_path):
    path = write("c.yaml", SMALL.format(extra=', frames: 20, captions: [{at: 0, text: "start & <go>"}, '
                                              '{at: 150, text: "half way", pause: 1}]'))
    result = render(load_config(path), tmp_path)
    m = json.loads(result.outputs.manifest.read_text())
    assert m["frames"] == 20 + 10 + 5  # 20 animated, a 1 s pause at 10 fps, a 0.5 s hold
    vtt = (result.outputs.folder / m["files"]["captions"]).read_text()
    assert vtt.startswith("WEBVTT\n") and "start &amp; &lt;go&gt;" in vtt and "half way" in vtt
    cues = [line for line in vtt.splitlines() if "-->" in line]
    assert cues[0].startswith("00:00:00.000 --> ") and len(cues) == 2
    embed = (result.outputs.folder / "embed.html").read_text()
    assert f'<track kind="captions" src="{m["files"]["captions"]}"' in embed
    assert 'style="max-width: 100%; height: auto;"' in embed


def test_cues_follow_the_frames_and_the_pauses():
    timeline = np.arange(0, 100, 10)  # 10 frames at iterations 0, 10, ..., 90
    cues = place((Caption(0, "a"), Caption(25, "b", 0.5), Caption(1000, "c")), timeline, fps=10)
    assert [(c.frame, c.pause) for c in cues] == [(0, 0), (3, 5), (9, 0)]
    assert cues[0].start == 0 and cues[0].end == pytest.approx(0.3)
    assert cues[1].start == pytest.approx(0.3) and cues[2].start == pytest.approx(1.4)  # 9 frames + 5 held
    assert "00:00:00.300 --> " in webvtt(cues)


def _history(loss, accuracy=None, test=None, diverged_at=-1):
    n = len(loss)
    return History(iteration=np.arange(n) * 10, loss=np.asarray(loss, float), mae=np.zeros(n),
                   net=Net((1, 1), ("linear",), True), loss_name="mse", summary="", x_names=("x",),
                   y_names=("y",), config="{}", diverged_at=diverged_at, train_key="k",
                   accuracy=None if accuracy is None else np.asarray(accuracy, float),
                   test=None if test is None else {"loss": np.asarray(test, float)})


def test_auto_captions_find_what_happened():
    plateau = np.concatenate([np.full(60, 1.0), np.geomspace(1.0, 1e-3, 40), np.full(101, 1e-3)])
    found = events([_history(plateau)])
    assert len(found) == 1 and abs(found[0].at - 600) <= 20 and "plateau" in found[0].text
    acc = np.minimum(np.arange(50) / 30, 1.0)
    assert [c.at for c in events([_history(np.geomspace(1, 0.1, 50), accuracy=acc)])] == [300]
    test = np.concatenate([np.geomspace(1, 0.2, 20), np.linspace(0.2, 0.5, 30)])
    found = events([_history(np.geomspace(1, 0.01, 50), test=test)])
    assert [c.at for c in found] == [190] and "overfitting" in found[0].text
    smooth = events([_history(np.geomspace(1, 0.01, 50))])
    assert smooth == ()  # nothing happened that deserves a caption
    gone = events([_history([1.0, 2.0, np.inf], diverged_at=20)])
    assert [c.at for c in gone] == [20] and "diverged" in gone[0].text


def test_the_dark_theme_is_dark_and_the_light_one_light(write, tmp_path):
    light = render(load_config(write("l.yaml", SMALL.format(extra=""))), tmp_path)
    dark = render(load_config(write("d.yaml", SMALL.format(extra=", theme: dark"))), tmp_path)
    assert imread(light.outputs.poster)[:, :, :3].mean() > 0.8
    assert imread(dark.outputs.poster)[:, :, :3].mean() < 0.3


def test_readouts_say_accuracy_for_classification_and_the_test_loss(write):
    path = write("b.yaml", """\
data: {name: circle, samples: 80, test_fraction: 0.25}
model: {hidden: [4], output: sigmoid}
train: {loss: bce, iterations: 100}
render: {size: [640, 360], panels: [boundary, loss]}
""")
    cfg = load_config(path)
    h = run_training(prepare(cfg), "k")[0]
    scene = Scene(h, "t", cfg.render, panels=("boundary", "loss"))
    scene.frame(scene.n - 1)
    text = scene.panels[1].readout.get_text()
    assert "test" in text and "acc" in text and "MAE" not in text
    # the boundary is computed for the panel's own pixels (every other one at most), far finer than the
    # stored 60 x 60 mesh: no staircase at video size
    boundary = scene.panels[0]
    x0, y0, x1, y1 = boundary.image.box
    assert boundary.image.rgb.shape == (y1 - y0, x1 - x0, 3) and boundary.image.rgba.shape[0] > 60 and boundary.image.step <= 2
    scene.close()


def test_a_prediction_off_the_chart_is_an_arrow_with_its_value(write):
    path = write("o.yaml", SMALL.format(extra=", panels: [fit, loss], frames: all").replace(
        "{name: adam, lr: 0.05}", "{name: sgd, lr: 0.5}"))
    cfg = load_config(path)
    h = run_training(prepare(cfg), "k")[0]
    h.grid_pred[3] += 50.0  # a frame whose prediction is far above the chart
    scene = Scene(h, "t", cfg.render, panels=("fit", "loss"))
    fit = scene.panels[0]
    index = int(np.flatnonzero(scene.index[0] == 3)[0])
    scene.frame(index)
    assert fit.above.get_text().startswith("↑ ") and float(fit.above.get_text()[2:]) > 40
    scene.frame(scene.n - 1)
    assert fit.above.get_text() == ""
    scene.close()


def test_iteration_ticks_are_round_and_end_at_the_last_iteration():
    assert iteration_ticks(3000) == [0, 1000, 2000, 3000]
    assert iteration_ticks(1234) == [0, 500, 1000, 1234]
    assert iteration_ticks(60000)[-1] == 60000 and all(t % 1000 == 0 for t in iteration_ticks(60000))


def test_log_ticks_have_one_format():
    assert [log_formatter(1e-3, 1.0)(v) for v in (1e-3, 0.01, 1)] == ["0.001", "0.01", "1"]
    assert [log_formatter(1e-6, 1.0)(v) for v in (1e-5, 1e-4, 0.1, 1)] == ["1e-5", "1e-4", "1e-1", "1e0"]


def test_the_boundary_is_the_nets_output_at_each_pixel(write):
    """Pixel (row, column) of the panel, from the top left, shows the net's output where the axes put it."""
    from nnviz.model import layer_views, predict

    path = write("p.yaml", """\
data: {name: xor, samples: 60}
model: {hidden: [4], output: sigmoid}
train: {loss: bce, iterations: 50}
render: {size: [640, 360], panels: [boundary, loss]}
""")
    cfg = load_config(path)
    h = run_training(prepare(cfg), "k")[0]
    scene = Scene(h, "t", cfg.render, panels=("boundary", "loss"))
    frame = scene.frame(scene.n - 1)
    panel = scene.panels[0]
    x0, y0, x1, y1 = panel.image.box
    step = panel.image.step
    top = frame.shape[0] - y1  # the box's first row in the frame
    for row, col in ((0, 0), (y1 - y0 - 1, 0), (0, x1 - x0 - 1), ((y1 - y0) // 2, (x1 - x0) // 3),
                     (y1 - y0 - 1, x1 - x0 - 1)):
        block = (row // step * step, col // step * step)  # the computed pixel it repeats
        centre = (x0 + block[1] + step / 2, y1 - block[0] - step / 2)
        where = panel.ax.transData.inverted().transform([centre])
        p = float(predict(h.net, layer_views(h.net, h.theta[-1]), where)[0, 0])
        want = np.array(panel.cmap(p)[:3]) * 255
        assert np.abs(panel.image.rgb[row, col] - want).max() <= 3, (row, col, p)
        assert np.array_equal(frame[top + row, x0 + col, :3], panel.image.rgb[row, col])  # painted there
    scene.close()
