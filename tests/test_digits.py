"""Hand-written digits: scikit-learn's 8x8 set, MNIST's IDX files, and the hidden units' weights as pictures."""
import imageio_ffmpeg
import numpy as np
import pytest

from nnviz import snapshots
from nnviz.experiment import load_config
from nnviz.datasets import DataError, read_idx
from nnviz.errors import ConfigError
from nnviz.pipeline import prepare, render

from conftest import write_idx

MLP = """\
title: Digits
data: {{{data}}}
model: {{hidden: [12], activation: relu, output: softmax, init: he_normal}}
train: {{loss: cross_entropy, optimizer: {{name: adam, lr: 0.01}}, batch_size: 64, iterations: 150,
        snapshot_every: 15, dtype: float32}}
render: {{size: [640, 360], fps: 10, hold: 0, preset: ultrafast}}
"""


def test_idx_reader_and_its_errors(tmp_path, mnist_folder):
    images = read_idx(mnist_folder / "train-images-idx3-ubyte.gz", 3)
    assert images.shape == (60, 28, 28) and images.dtype == np.uint8
    write_idx(tmp_path / "short", np.zeros((5, 4, 4)), 3, cut=3)
    with pytest.raises(DataError, match=r"short: the header says 80 bytes of data for shape \(5, 4, 4\), the file has 77"):
        read_idx(tmp_path / "short", 3)
    (tmp_path / "text").write_bytes(b"hello world")
    with pytest.raises(DataError, match="text: not an IDX file"):
        read_idx(tmp_path / "text", 3)
    write_idx(tmp_path / "labels", np.zeros(5), 1)
    with pytest.raises(DataError, match="labels: 1 dimensions, expected 3"):
        read_idx(tmp_path / "labels", 3)


def test_mnist_from_idx_files(write, tmp_path, mnist_folder):
    cfg = load_config(write("m.yaml", MLP.format(data=f"name: mnist, path: {mnist_folder}, test_fraction: 0.2")))
    result = render(cfg, tmp_path / "out")
    h = snapshots.load(result.outputs.snapshots)
    assert h.x.shape == (48, 784) and h.image_shape == (28, 28) and h.first_weights.shape == (11, 12, 784)
    assert imageio_ffmpeg.count_frames_and_secs(str(result.outputs.video))[0] == 11
    assert h.accuracy[-1] > h.accuracy[0]


def test_missing_mnist_files_name_the_folder(write, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match=r"data.path: .*empty: no train-images-idx3-ubyte"):
        prepare(load_config(write("m.yaml", MLP.format(data="name: mnist, path: empty"))))


def test_digits_learns_and_draws_weights(write, tmp_path):
    pytest.importorskip("sklearn", reason="the digits data set needs scikit-learn (nnviz[digits])")
    cfg = load_config(write("d.yaml", MLP.format(data="name: digits, test_fraction: 0.2")))
    result = render(cfg, tmp_path)
    h = snapshots.load(result.outputs.snapshots)
    assert h.x.shape[1] == 64 and h.y.shape[1] == 10 and h.image_shape == (8, 8)
    assert h.accuracy[-1] > 0.6 and h.test["accuracy"][-1] > 0.5
    assert h.first_weights.shape[1:] == (12, 64)


def test_per_class_subset(write):
    pytest.importorskip("sklearn")
    cfg = load_config(write("d.yaml", MLP.format(data="name: digits, per_class: 10")))
    y = prepare(cfg).data.y
    assert y.shape == (100, 10) and (y.sum(axis=0) == 10).all()


def test_weights_panel_needs_image_data(write):
    path = write("s.yaml", "data: {name: sine}\nrender: {panels: [weights, loss]}\n")
    with pytest.raises(ConfigError, match="weights does not fit this data .hidden units' weights are pictures only"):
        prepare(load_config(path))


CONFIGS = __import__("pathlib").Path(__file__).resolve().parent.parent / "configs"
FAST = ["render.size=[640, 360]", "render.hold=0", "render.preset=ultrafast", "render.fps=10"]


@pytest.mark.slow
def test_seed003_batch_size_and_overfit_claims(tmp_path):
    pytest.importorskip("sklearn")
    result = render(load_config(CONFIGS / "digits-batch-size.yaml", FAST), tmp_path)
    small, big = snapshots.load_runs(result.outputs.snapshots)[1]

    def roughness(h):  # how much the learning curve jumps about: mean |change of log loss| per snapshot
        return float(np.mean(np.abs(np.diff(np.log(h.loss[len(h.loss) // 4:])))))

    assert roughness(small) > 3 * roughness(big)  # the small batch's curve is volatile, the large one smooth
    assert all(0.5 < r.final_accuracy <= 1 for r in result.runs)  # the table's accuracy column
    assert (np.diff(small.loss) > 0).sum() > (np.diff(big.loss) > 0).sum()  # and climbs more often
    over = render(load_config(CONFIGS / "digits-overfit-10-per-class.yaml", FAST + ["render.frames=20"]), tmp_path)
    h = snapshots.load(over.outputs.snapshots)
    assert h.x.shape[0] == 100 and h.accuracy[-1] == 1.0


def test_digits_without_scikit_learn_names_the_extra(write, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sklearn", None)  # as if it were not installed
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ConfigError, match=r"data.name: the digits data set needs scikit-learn: pip install 'nnviz\[digits\]'"):
        prepare(load_config(write("d.yaml", MLP.format(data="name: digits"))))
