"""Comparisons: runs and sweeps expand one config; the runs share data and initial weights; one video."""
import json
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from click.testing import CliRunner

from conftest import SMALL
from nnviz import snapshots
from nnviz.cli import main
from nnviz.experiment import Comparison
from nnviz.experiment import load_config
from nnviz.errors import ConfigError
from nnviz.pipeline import prepare, render

CONFIGS = Path(__file__).resolve().parent.parent / "configs"
FAST = ["render.size=[640, 360]", "render.hold=0", "render.preset=ultrafast", "render.fps=10"]
CMP = "render: {fps: 10, size: [640, 360], hold: 0.5, preset: ultrafast}"  # comparisons need 640x360
CSMALL = SMALL.replace("render: {fps: 10, size: [320, 240], hold: 0.5, preset: ultrafast}", CMP)


def problems(path, **kw):
    with pytest.raises(ConfigError) as info:
        load_config(path, **kw)
    return [str(p) for p in info.value.problems]


def test_runs_and_sweep_expand_to_their_product(write):
    cmp = load_config(write("c.yaml", CSMALL + """\
runs:
  - {label: SGD, train.optimizer: {name: sgd, lr: 0.1}}
  - {label: Adam}
sweep:
  model.hidden: [[4], [8]]
"""))
    assert isinstance(cmp, Comparison)
    assert cmp.labels == ("SGD, hidden=[4]", "SGD, hidden=[8]", "Adam, hidden=[4]", "Adam, hidden=[8]")
    assert [r.train.optimizer.name for r in cmp.runs] == ["sgd", "sgd", "adam", "adam"]
    assert [r.model.hidden for r in cmp.runs] == [(4,), (8,), (4,), (8,)]
    assert cmp.runs[0].train.optimizer.params["lr"] == 0.1 and cmp.runs[2].train.optimizer.params["lr"] == 0.02


def test_same_shapes_start_from_the_same_weights_and_data(write):
    cmp = load_config(write("c.yaml", CSMALL + "sweep:\n  train.optimizer.lr: [0.01, 0.1]\n"))
    a, b = (prepare(r) for r in cmp.runs)
    np.testing.assert_array_equal(a.theta0, b.theta0)
    np.testing.assert_array_equal(a.data.y, b.data.y)
    assert a.batch_rng.random() == b.batch_rng.random()


@pytest.mark.parametrize("text,line,what", [
    ("runs:\n  - {label: a, train.optimiser.lr: 0.1}\n", 11, "train.optimiser: unknown key (did you mean 'optimizer'?)"),
    ("runs:\n  - {label: a}\n  - {label: a, seed: 2}\n", 12, "the label 'a' is used twice"),
    ("sweep:\n  train.optimizer.lr: []\n", 11, "sweep.train.optimizer.lr: expected a non-empty list"),
    ("runs:\n  - {label: a, train.optimizer.lr: -1}\n", 11, "train.optimizer.lr: must be > 0"),
    ("runs:\n  - {train.optimizer.lr: 1}\n", 11, "needs a label"),
    ("runs:\n  - {label: a, render.fps: 3}\n", 11, "render is shared by all runs"),
])
def test_bad_runs_are_errors_at_their_line(write, text, line, what):
    path = write("c.yaml", CSMALL + text)
    ps = problems(path)
    assert any(p.startswith(f"{path}:{line}:") and what in p for p in ps), ps


def test_a_comparison_needs_room(write):
    path = write("c.yaml", SMALL + "sweep:\n  seed: [1, 2]\n")
    (p,) = problems(path)
    assert p == f"{path}:9: render.size: a comparison needs at least 640x360 pixels for its grid, got 320x240"


def test_too_many_runs_unless_max_runs(write):
    path = write("c.yaml", CSMALL + "sweep:\n  seed: [" + ", ".join(map(str, range(40))) + "]\n")
    (p,) = problems(path)
    assert f"{path}:10: sweep: 40 runs is more than 36 (give --max-runs to allow more)" == p
    assert len(load_config(path, max_runs=40).runs) == 40
    r = CliRunner().invoke(main, ["validate", str(path)])
    assert r.exit_code == 1 and "--max-runs" in r.output
    assert CliRunner().invoke(main, ["validate", str(path), "--max-runs", "40"]).exit_code == 0


def test_comparison_video_snapshots_and_table(write, tmp_path):
    small = CSMALL.replace("iterations: 200", "iterations: 100")
    path = write("cmp.yaml", small + """\
runs:
  - {label: short}
  - {label: long, train.iterations: 200}
  - {label: exploding, train.optimizer: {name: sgd, lr: 100}, data.name: linear, model.hidden: []}
""")
    r = CliRunner().invoke(main, ["render", str(path), "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "exploding" in r.output and "run 'exploding' diverged at iteration" in r.output
    table = r.output[r.output.index("  run "):]
    assert "short" in table and "long" in table and "not finite" in table
    labels, hs = snapshots.load_runs(tmp_path / "cmp" / "cmp.npz")
    assert labels == ["short", "long", "exploding"]
    assert hs[0].iteration[-1] == 100 and hs[1].iteration[-1] == 200 and hs[2].diverged_at > 0
    # frames follow the longest run; the shorter runs hold their last frame
    frames = imageio_ffmpeg.count_frames_and_secs(str(tmp_path / "cmp" / "cmp.mp4"))[0]
    assert frames == len(hs[1].iteration) + 5
    m = json.loads((tmp_path / "cmp" / "cmp.json").read_text())
    assert [x["label"] for x in m["runs"]] == labels and m["runs"][2]["final_loss"] is None
    # a render-only change reuses every run's snapshots
    stamp = (tmp_path / "cmp" / "cmp.npz").stat().st_mtime_ns
    result = render(load_config(path, ["render.fps=12"]), tmp_path)
    assert not result.retrained and (tmp_path / "cmp" / "cmp.npz").stat().st_mtime_ns == stamp


# The shipped comparisons and what their posts claim, rendered small and with few frames.
def shipped(name, tmp_path, extra=()):
    cfg = load_config(CONFIGS / name, FAST + list(extra))
    result = render(cfg, tmp_path)
    return {r.label: r for r in result.runs}, snapshots.load_runs(result.outputs.snapshots)[1]


@pytest.mark.slow
def test_sine_layers_vs_optimizers(tmp_path):
    runs, _ = shipped("sine-layers-vs-optimizers.yaml", tmp_path, ["train.snapshot_every=2000"])
    assert 0.15 < runs["1×60 SGD"].final_loss < 0.3  # stuck near 0.2
    assert runs["2×10 SGD"].final_loss < runs["1×60 SGD"].final_loss
    assert runs["1×60 Adam"].final_loss < 0.06 and runs["2×10 Adam"].final_loss < 0.06  # with Adam both fit


@pytest.mark.slow
def test_xor3_alpha_sweep(tmp_path):
    runs, hs = shipped("xor3-alpha-sweep.yaml", tmp_path, ["train.snapshot_every=10000"])
    mae = {label: float(h.mae[-1]) for label, h in zip(runs, hs)}
    assert mae["lr=10"] == min(mae.values())
    assert mae["lr=0.001"] > mae["lr=0.01"] > mae["lr=0.1"] > mae["lr=1"] > mae["lr=10"]
    assert mae["lr=100"] == pytest.approx(0.125, abs=5e-4)  # stalls near 0.125
    assert mae["lr=1000"] == pytest.approx(0.5, abs=1e-9)  # saturated at 0.5


@pytest.mark.slow
def test_xor3_hidden_4_vs_32(tmp_path):
    runs, hs = shipped("xor3-hidden-4-vs-32.yaml", tmp_path, ["train.snapshot_every=10000"])
    assert hs[1].mae[-1] < hs[0].mae[-1] < 0.0015  # 32 units get lower than 4


@pytest.mark.slow
def test_linear_one_vs_two_layers(tmp_path):
    runs, _ = shipped("linear-one-vs-two-layers.yaml", tmp_path, ["train.snapshot_every=500"])
    assert runs["1 layer, lr 1"].diverged_at > 0 and runs["1 layer, lr 1"].final_loss is None
    others = [r for label, r in runs.items() if label != "1 layer, lr 1"]
    assert all(r.diverged_at == -1 for r in others)
    assert runs["2 layers tanh, lr 0.01"].final_loss > runs["1 layer, lr 0.01"].final_loss
    assert runs["2 layers tanh, lr 0.001"].final_loss < runs["2 layers tanh, lr 0.01"].final_loss


def test_runs_past_the_colours_have_another_line_style(write):
    """Ten runs, eight run colours: the ninth and tenth share the first two's colours, dashed, in the loss
    panel and its legend, so every line still says which run it is."""
    from matplotlib.colors import to_hex

    from nnviz.draw.scene import Scene
    from nnviz.pipeline import train_runs

    path = write("ten.yaml", CSMALL.replace("iterations: 200", "iterations: 20") +
                 "sweep: {train.optimizer.lr: [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, 0.01]}\n")
    cfg = load_config(path)
    hs = [h for h, _ in train_runs(cfg.runs)]
    scene = Scene(hs, cfg.title, cfg.render, labels=cfg.labels, note="", cell="fit")
    loss = scene.panels[-1]
    curves = loss.curves  # every run's line, in one collection
    dashes = [seq for _, seq in curves.get_linestyles()]  # None: solid
    pairs = [(to_hex(c), "-" if seq is None else "--") for c, seq in zip(curves.get_colors(), dashes)]
    assert len(set(pairs)) == 10 and pairs[8] == (pairs[0][0], "--") and pairs[0][1] == "-"
    assert dashes[9] == dashes[8] and len(dashes[8]) == 2  # dashed, not dotted or dash-dot
    legend = [(to_hex(h.get_color()), h.get_linestyle()) for h in loss.ax.get_legend().legend_handles]
    assert legend == pairs
    scene.close()
