"""The panels of 2-D and classification data: boundary, metrics; which panels fit which data."""
import imageio_ffmpeg
import numpy as np
import pytest
from matplotlib.image import imread

from nnviz.config import PANEL_NAMES, load_config
from nnviz.errors import ConfigError
from nnviz.pipeline import prepare, render
from nnviz.render.panels import PANELS

BASE = """\
title: Panels
data: {{name: {data}, samples: 120, noise: 0.2, {extra}test_fraction: 0.25}}
model: {{hidden: [6], activation: tanh, output: {output}}}
train: {{loss: {loss}, optimizer: {{name: adam, lr: 0.05}}, iterations: 300, snapshot_every: 30}}
render: {{size: [640, 360], fps: 10, hold: 0, preset: ultrafast{panels}}}
"""


def config(write, data="circle", loss="bce", output="sigmoid", extra="", panels=""):
    return write(f"{data}.yaml", BASE.format(data=data, loss=loss, output=output, extra=extra, panels=panels))


def test_every_panel_name_is_registered():
    assert set(PANEL_NAMES) == set(PANELS)


@pytest.mark.parametrize("data,loss,output,extra", [
    ("circle", "bce", "sigmoid", ""),
    ("spiral", "cross_entropy", "softmax", "classes: 3, "),
    ("plane", "mse", "linear", ""),
])
def test_two_d_data_renders_a_boundary(write, tmp_path, data, loss, output, extra):
    result = render(load_config(config(write, data, loss, output, extra)), tmp_path)
    assert imageio_ffmpeg.count_frames_and_secs(str(result.outputs.video))[0] == 11
    poster = imread(result.outputs.poster)[:, :, :3]
    left = poster[60:330, 20:330]  # the boundary panel: mostly the heat map's colours, not white
    assert (left.mean(axis=2) < 0.95).mean() > 0.5


def test_default_panels_by_task(write):
    from nnviz.pipeline import panels_for

    assert panels_for(load_config(config(write)), 2) == ("boundary", "loss", "metrics")
    assert panels_for(load_config(config(write, "plane", "mse", "linear")), 2) == ("boundary", "loss")
    assert panels_for(load_config(write("s.yaml", "data: {name: sine}\n")), 1) == ("fit", "loss")


@pytest.mark.parametrize("data,loss,output,panels,what", [
    ("sine", "mse", "linear", "boundary", "boundary does not fit this data (the data has 1 inputs, not 2); valid here: fit, network, neurons, landscape, loss"),
    ("plane", "mse", "linear", "metrics", "metrics does not fit this data (accuracy needs a classification loss"),
    ("circle", "bce", "sigmoid", "fit", "fit does not fit this data (2-D input is drawn by `boundary`)"),
])
def test_a_panel_that_does_not_fit_is_a_config_error(write, data, loss, output, panels, what):
    path = config(write, data, loss, output, panels=f", panels: [{panels}, loss]")
    with pytest.raises(ConfigError) as info:
        prepare(load_config(path))
    (p,) = info.value.problems
    assert str(p).startswith(f"{path}:5: render.panels: {what}"), str(p)


def test_unknown_panel_lists_the_valid_ones(write):
    with pytest.raises(ConfigError, match=r"render.panels: expected one of fit, boundary, network, neurons, landscape, weights, loss, metrics, got 'netwrk' .did you mean 'network'"):
        load_config(config(write, panels=", panels: [netwrk]"))


def test_metrics_follow_the_accuracy(write, tmp_path):
    from nnviz import snapshots

    result = render(load_config(config(write)), tmp_path)
    h = snapshots.load(result.outputs.snapshots)
    assert h.accuracy.shape == h.loss.shape and np.all((0 <= h.accuracy) & (h.accuracy <= 1))
    assert h.test["accuracy"].shape == h.loss.shape


def test_frames_and_log_spacing():
    from nnviz.render.scene import pick

    its = np.arange(0, 20001, 100)
    lin = pick(its, 11, "linear")
    assert lin.tolist() == list(range(0, 20001, 2000))
    log = pick(its, 20, "log")
    assert log[0] == 0 and log[-1] == 20000 and len(log) <= 20
    assert np.sum(log < 2000) > np.sum(log >= 10000)  # most frames early
    assert pick(its, None, "log") is its and len(pick(its, 500, "linear")) == len(its)


def test_render_frames_and_true_iterations(write, tmp_path):
    path = write("s.yaml", "data: {name: sine, samples: 30}\ntrain: {iterations: 3000, snapshot_every: 10}\n"
                           "render: {size: [320, 240], fps: 10, hold: 0, preset: ultrafast, frames: 25, spacing: log}\n")
    result = render(load_config(path), tmp_path)
    assert result.frames <= 25 and imageio_ffmpeg.count_frames_and_secs(str(result.outputs.video))[0] == result.frames


def test_network_panel_draws_every_frame(write, tmp_path):
    path = config(write, "circle", panels=", panels: [boundary, network, loss]")
    result = render(load_config(path), tmp_path)
    assert imageio_ffmpeg.count_frames_and_secs(str(result.outputs.video))[0] == 11
    from nnviz import snapshots
    from nnviz.render.scene import Scene

    h = snapshots.load(result.outputs.snapshots)
    scene = Scene(h, "t", (640, 360), panels=("network", "loss"))
    net = scene.panels[0]
    first, last = scene.frame(0).copy(), scene.frame(scene.n - 1).copy()
    assert not np.array_equal(first, last)  # edges and units change as the weights do
    widths = np.asarray(net.edges.get_linewidths())
    assert len(widths) == 2 * 6 + 6 * 1 and widths.max() > widths.min()
    scene.close()


def test_network_panel_needs_a_small_net(write):
    path = write("big.yaml", "data: {name: sine}\nmodel: {hidden: [200, 200]}\nrender: {panels: [network, loss]}\n")
    with pytest.raises(ConfigError, match="network does not fit this data .the net has more than 10,000 parameters"):
        prepare(load_config(path))


@pytest.mark.parametrize("data,loss,output", [("circle", "bce", "sigmoid"), ("sine", "mse", "linear")])
def test_neurons_panel(write, tmp_path, data, loss, output):
    path = config(write, data, loss, output, panels=", panels: [neurons, loss]")
    result = render(load_config(path), tmp_path)
    assert imageio_ffmpeg.count_frames_and_secs(str(result.outputs.video))[0] == 11


def test_landscape_panel_and_its_errors(write, tmp_path):
    from pathlib import Path

    from nnviz import snapshots

    cfg = load_config(Path(__file__).resolve().parent.parent / "configs" / "xor3-error-surface.yaml",
                      ["render.size=[640, 360]", "render.hold=0", "render.preset=ultrafast", "train.iterations=2000",
                       "render.landscape.resolution=12"])
    result = render(cfg, tmp_path)
    h = snapshots.load(result.outputs.snapshots)
    from nnviz.render.scene import Scene

    scene = Scene(h, "t", (640, 360), panels=("landscape", "loss"))
    land = scene.panels[0]
    path = land.path
    assert path.shape == (h.n, 2) and np.array_equal(path[-1], h.theta[-1][[land.ia, land.ib]])
    scene.close()
    bad = write("bad.yaml", "data: {name: xor3}\nmodel: {hidden: [4]}\n"
                            "render: {panels: [landscape, loss], landscape: {weights: [\"w0[0,0]\", \"w0[9,0]\"]}}\n")
    with pytest.raises(ConfigError) as info:
        prepare(load_config(bad))
    (p,) = info.value.problems
    assert str(p) == (f"{bad}:3: render.landscape.weights[1]: this net has no parameter w0[9,0]; "
                      "it has w0[0..2,0..3], b0[0..3], w1[0..3,0..0], b1[0..0]")
    with pytest.raises(ConfigError, match="render.landscape.weights: expected two parameter names"):
        load_config(write("worse.yaml", "render: {landscape: {weights: [w0]}}\n"))
