"""The panels of 2-D and classification data: boundary, metrics; which panels fit which data."""
import imageio_ffmpeg
import numpy as np
import pytest
from matplotlib.image import imread

from nnviz import snapshots
from nnviz.config import PANEL_NAMES, RenderConfig
from nnviz.draw.panels import PANELS, choose
from nnviz.draw.scene import Scene, pick
from nnviz.errors import ConfigError
from nnviz.experiment import load_config
from nnviz.model import unflatten
from nnviz.pipeline import prepare, render

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


def panels_of(cfg):
    p = prepare(cfg)
    return choose(cfg.render.panels, p.net, cfg.train.loss, p.data.image is not None, p.keep)


def test_default_panels_by_task(write):
    assert panels_of(load_config(config(write))) == ("boundary", "loss", "metrics")
    assert panels_of(load_config(config(write, "plane", "mse", "linear"))) == ("boundary", "loss")
    assert panels_of(load_config(write("s.yaml", "data: {name: sine}\n"))) == ("fit", "loss")


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
    result = render(load_config(config(write)), tmp_path)
    h = snapshots.load(result.outputs.snapshots)
    assert h.accuracy.shape == h.loss.shape and np.all((0 <= h.accuracy) & (h.accuracy <= 1))
    assert h.test["accuracy"].shape == h.loss.shape


def test_frames_and_log_spacing():
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
    h = snapshots.load(result.outputs.snapshots)
    scene = Scene(h, "t", RenderConfig(size=(640, 360)), panels=("network", "loss"))
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
    h = snapshots.load(result.outputs.snapshots)
    scene = Scene(h, "t", RenderConfig(size=(640, 360)), panels=("neurons", "loss"))
    panel = scene.panels[0]
    first = scene.frame(0).copy()
    assert not np.array_equal(first, scene.frame(scene.n - 1))  # the units change as the net learns
    if data == "sine":  # each curve is its unit's output: tanh(x w0[0, u] + b0[u]), computed here by hand
        for i in (0, scene.n // 2, scene.n - 1):
            scene.frame(i)
            p = unflatten(h.net, h.theta[int(scene.index[0][i])])
            x = h.grid_x[:, 0]
            for u, line in enumerate(panel.lines):
                np.testing.assert_allclose(line.get_ydata(), np.tanh(x * p["w0"][0, u] + p["b0"][u]), rtol=1e-12)
            assert len(panel.lines) == 6
    scene.close()


def test_landscape_panel_and_its_errors(write, tmp_path):
    from pathlib import Path

    from nnviz import snapshots

    cfg = load_config(Path(__file__).resolve().parent.parent / "configs" / "xor3-error-surface.yaml",
                      ["render.size=[640, 360]", "render.hold=0", "render.preset=ultrafast", "train.iterations=2000",
                       "render.landscape.resolution=12"])
    result = render(cfg, tmp_path)
    h = snapshots.load(result.outputs.snapshots)
    scene = Scene(h, "t", cfg.render, panels=("landscape", "loss"))
    land = scene.panels[0]
    names = cfg.render.landscape.weights
    assert names == ("w1[0,0]", "w1[1,0]")  # the shipped config's: two output weights
    # the path is the two named weights at every snapshot, read here through the weights' names
    views = [unflatten(h.net, th)["w1"] for th in h.theta]
    np.testing.assert_array_equal(land.path, [[w[0, 0], w[1, 0]] for w in views])
    # the surface is the loss: at the final weights it is the loss the trainer recorded at the end ...
    from nnviz.draw.compute import loss_surface

    final = loss_surface(h.net, h.loss_name, h.theta[-1], names, land.path[-1:, 0], land.path[-1:, 1], h.x, h.y)
    assert final[0, 0] == pytest.approx(h.loss[-1], rel=1e-9)
    # ... and every drawn point of it is that loss with the two weights moved (seed 002's sse, by hand)
    j, i = 3, 7
    w1 = views[-1].copy()
    w1[0, 0], w1[1, 0] = land.a[j], land.b[i]
    hidden = 1 / (1 + np.exp(-(h.x @ unflatten(h.net, h.theta[-1])["w0"])))
    out = 1 / (1 + np.exp(-(hidden @ w1)))
    assert land.surface[i, j] == pytest.approx(0.5 * np.sum((out - h.y) ** 2), rel=1e-9)
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
