"""The promises behind the layout: one rule for what is stored, comparisons of one run, content keys for
data folders, atomic and complete output folders, overrides on record, a bounded process budget."""
import json
import os

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.image import imread

from conftest import SMALL, write_idx
from nnviz import files, procs, snapshots
from nnviz.cli import main
from nnviz.experiment import Comparison, load_config
from nnviz.pipeline import render


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_net_too_big_to_store_fails_before_training_not_after(write, tmp_path):
    # 2-D input, 10 classes, 97 x 97 hidden units: 10,670 parameters, the output layer included
    path = write("big.yaml", """\
        data: {name: gauss, classes: 10, samples: 200}
        model: {hidden: [97, 97], output: softmax}
        train: {loss: cross_entropy, iterations: 5}
        render: {panels: [boundary, network, loss]}
        """)
    r = cli("validate", path)
    assert r.exit_code == 1 and "network does not fit this data (the net has more than 10,000 parameters" in r.output
    r = cli("render", path, "--out", tmp_path / "out")
    assert r.exit_code == 1 and "Traceback" not in r.output and not (tmp_path / "out" / "big").exists()


def test_an_error_while_building_the_picture_is_one_clean_line(write, tmp_path, monkeypatch):
    from nnviz.draw.panels.data import FitPanel

    def broken(self):
        raise ValueError("Axis limits cannot be NaN or Inf")

    monkeypatch.setattr(FitPanel, "setup", broken)
    r = cli("render", write("s.yaml", SMALL), "--out", tmp_path)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "cannot draw" in r.output and "Axis limits cannot be NaN or Inf" in r.output


@pytest.mark.parametrize("data,extra", [
    ("{name: sine, samples: 30}", ""),
    ("{name: circle, samples: 60}", "train: {loss: bce}\nmodel: {hidden: [3], output: sigmoid}\n"),
    ("{name: mnist, path: mnist}", "train: {loss: cross_entropy, iterations: 20}\n"
                                   "model: {hidden: [8], output: softmax}\n"),
])
def test_a_comparison_of_one_run_is_a_comparison(write, tmp_path, mnist_folder, data, extra):
    path = write("one.yaml", f"data: {data}\n{extra}render: {{size: [640, 360], fps: 10, hold: 0, "
                             "preset: ultrafast}\nsweep: {seed: [4]}\n")
    cfg = load_config(path)
    assert isinstance(cfg, Comparison) and cfg.labels == ("seed=4",)
    r = cli("render", path, "--out", tmp_path / "out")
    assert r.exit_code == 0, r.output
    m = json.loads((tmp_path / "out" / "one" / "one.json").read_text())
    assert [run["label"] for run in m["runs"]] == ["seed=4"] and m["summary"].startswith("1 run on")
    assert "seed=4" in r.output  # the runs table
    labels, hs = snapshots.load_runs(tmp_path / "out" / "one" / "one.npz")
    assert labels == ["seed=4"] and len(hs) == 1


MNIST = """\
data: {{name: mnist, path: mnist}}
model: {{hidden: [{hidden}], output: softmax}}
train: {{loss: cross_entropy, iterations: 20}}
render: {{size: [320, 240], fps: 10, hold: 0, preset: ultrafast}}
"""


def test_a_data_folder_is_keyed_by_its_content(write, tmp_path, mnist_folder):
    path = write("m.yaml", MNIST.format(hidden=8))
    assert render(load_config(path), tmp_path / "out").retrained
    assert render(load_config(path), tmp_path / "out").up_to_date
    labels = mnist_folder / "train-labels-idx1-ubyte"
    write_idx(labels, (np.arange(60) + 1) % 10, 1)  # other labels: other training
    assert render(load_config(path), tmp_path / "out").retrained


def test_image_data_stores_no_predictions_per_sample(write, tmp_path, mnist_folder):
    path = write("m.yaml", MNIST.format(hidden=16))
    h = snapshots.load(render(load_config(path), tmp_path).outputs.snapshots)
    assert h.grid_pred is None and h.x is None and h.theta is None  # 784-16-10: 12,730 parameters
    assert h.first_weights.shape == (h.n, 16, 784) and h.net.sizes == (784, 16, 10)
    h = snapshots.load(render(load_config(write("s.yaml", MNIST.format(hidden=2))), tmp_path).outputs.snapshots)
    assert h.theta is not None and h.x.shape == (60, 784) and h.grid_pred is None  # small: landscape can use x


def test_outputs_honour_the_umask_in_force_and_are_synced(write, tmp_path, monkeypatch):
    synced = []
    real = os.fsync
    monkeypatch.setattr(files.os, "fsync", lambda fd: (synced.append(fd), real(fd)))
    for umask, mode in ((0o077, 0o600), (0o002, 0o664)):
        old = os.umask(umask)
        try:
            o = render(load_config(write("small.yaml", SMALL), [f"seed={umask}"]), tmp_path / f"u{umask}").outputs
        finally:
            os.umask(old)
        for f in (o.video, o.poster, o.snapshots, o.weights, o.manifest, o.folder / "embed.html"):
            assert f.stat().st_mode & 0o777 == mode, (f, oct(f.stat().st_mode))
    assert len(synced) >= 2 * 6


def test_a_failing_encoder_leaves_every_older_output_byte_identical(write, tmp_path, monkeypatch):
    from nnviz.draw import formats

    path = write("small.yaml", SMALL.replace("preset: ultrafast}", "preset: ultrafast, formats: [mp4, webm]}"))
    o = render(load_config(path), tmp_path).outputs
    before = {p.name: p.read_bytes() for p in o.folder.iterdir()}
    broken = formats.Format("webm", "video/webm", lambda r: ["-c:v", "no-such-codec", "-f", "webm"], "broken")
    monkeypatch.setitem(formats.FORMATS, "webm", broken)
    with pytest.raises(Exception, match="ffmpeg"):
        render(load_config(path, ["render.fps=12"]), tmp_path)
    assert {p.name: p.read_bytes() for p in o.folder.iterdir()} == before


def test_overrides_are_on_record(write, tmp_path):
    path = write("small.yaml", SMALL)
    r = cli("render", path, "--out", tmp_path, "--set", "render.fps=12")
    assert r.exit_code == 0 and "with --set render.fps=12" in r.output
    m = json.loads((tmp_path / "small" / "small.json").read_text())
    assert m["overrides"] == ["render.fps=12"]
    assert "--set render.fps=12" in (tmp_path / "index.html").read_text()
    r = cli("render", path, "--out", tmp_path)  # without it: drawn again, and no longer on record
    assert r.exit_code == 0 and "--set" not in r.output
    assert json.loads((tmp_path / "small" / "small.json").read_text())["overrides"] == []


@pytest.mark.slow
def test_a_batch_worker_trains_a_comparison_with_its_own_share_of_the_cores(write, tmp_path, monkeypatch):
    assert procs.share(1) == procs.cores() and procs.share(procs.cores() * 4) == 1
    used = tmp_path / "pools"

    real_pool = procs.pool

    def pool(workers):
        used.mkdir(exist_ok=True)
        (used / f"{os.getpid()}-{workers}").touch()
        return real_pool(workers)

    monkeypatch.setattr(procs, "pool", pool)
    monkeypatch.setenv(procs.CORES_VAR, "2")  # a machine of two cores
    d = tmp_path / "configs"
    d.mkdir()
    for i in range(2):
        (d / f"c{i}.yaml").write_text(SMALL.replace("size: [320, 240]", "size: [640, 360]") + "sweep: {seed: [1, 2, 3]}\n")
    r = cli("render", d, "--out", tmp_path / "out", "-j", "2")
    assert r.exit_code == 0, r.output
    assert not used.exists()  # two workers on two cores: each trains its runs itself, no pool of its own
    r = cli("render", d / "c0.yaml", "--out", tmp_path / "one", "-j", "1")
    assert r.exit_code == 0 and [p.name.split("-")[1] for p in used.iterdir()] == ["2"]


def test_workers_start_the_platform_default_way():
    import multiprocessing as mp

    assert procs.context().get_start_method() == mp.get_context().get_start_method()


def test_an_empty_config_is_an_error_naming_the_file(write):
    path = write("empty.yaml", "# nothing here yet\n")
    r = cli("validate", path)
    assert r.exit_code == 1 and f"Error: {path}: the file is empty" in r.output


def test_quiet_and_verbose_after_the_command(write, tmp_path):
    path = write("small.yaml", SMALL)
    r = cli("render", path, "--out", tmp_path, "-q")
    assert r.exit_code == 0 and r.output == ""
    r = cli("render", path, "--out", tmp_path, "-v")
    assert r.exit_code == 0 and "up to date" in r.output


def test_drawing_code_never_reads_the_stored_config():
    """Nothing under draw/ reads the config stored with the snapshots (a JSON record only)."""
    from pathlib import Path

    import nnviz.draw

    for f in Path(nnviz.draw.__file__).parent.rglob("*.py"):
        text = f.read_text()
        assert ".config[" not in text and "h.config" not in text and "json.loads" not in text, f
