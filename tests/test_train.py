"""The trainer, the data sets and the weights round trip."""
import numpy as np
import pytest

from nnviz.experiment import load_config
from nnviz.datasets import DATASETS
from nnviz.pipeline import prepare, run_training, save_weights
from nnviz.train import schedule


def history_of(write, text, name="c.yaml", overrides=()):
    cfg = load_config(write(name, text), list(overrides))
    return run_training(prepare(cfg), key="k")


def test_snapshot_schedule(write):
    h, _ = history_of(write, "train: {iterations: 95, snapshot_every: 20}\n")
    assert h.iteration.tolist() == [0, 20, 40, 60, 80, 95]
    assert h.grid_pred.shape == (6, 200, 1) and h.grid_x.shape == (200, 1)
    assert h.loss[-1] < h.loss[0]


def test_epochs_and_mini_batches(write):
    cfg = load_config(write("c.yaml", "data: {name: sine, samples: 50}\ntrain: {epochs: 3, batch_size: 16}\n"))
    assert schedule(cfg.train, 50) == (12, 16)  # ceil(50 / 16) = 4 updates per epoch


def test_same_seed_same_run_and_seed_matters(write):
    text = "seed: 3\ndata: {name: sine, samples: 30}\ntrain: {iterations: 50, batch_size: 8}\n"
    a, _ = history_of(write, text)
    b, _ = history_of(write, text, "d.yaml")
    np.testing.assert_array_equal(a.loss, b.loss)
    c, _ = history_of(write, text.replace("seed: 3", "seed: 4"), "e.yaml")
    assert not np.array_equal(a.loss, c.loss)


def test_shuffle_false_takes_batches_in_order(write):
    # without shuffling, a batch of the whole set and a batch of 1 sample in order are both deterministic
    text = "data: {name: table, x: [0, 1, 2, 3], y: [0, 1, 2, 3]}\nmodel: {hidden: []}\n" \
           "train: {optimizer: {name: sgd, lr: 0.1}, batch_size: 1, shuffle: false, iterations: 4, snapshot_every: 1}\n"
    h, _ = history_of(write, text)
    cfg = load_config(write("x.yaml", text))
    theta = prepare(cfg).theta0.copy()  # [w, b]; replay plain SGD on rows 0, 1, 2, 3 by hand
    for xi, yi in [(0, 0), (1, 1), (2, 2), (3, 3)]:
        err = theta[0] * xi + theta[1] - yi  # d/dpred of mse over one sample is 2 * err
        theta -= 0.1 * np.array([2 * err * xi, 2 * err])
    np.testing.assert_allclose(h.theta[-1], theta)


def test_divergence_stops_training(write):
    text = "data: {name: linear, samples: 50}\nmodel: {hidden: [], output: linear}\n" \
           "train: {optimizer: {name: sgd, lr: 5}, iterations: 5000, snapshot_every: 10}\n"
    h, theta = history_of(write, text)
    assert h.diverged_at > 0 and h.iteration[-1] == h.diverged_at and h.iteration[-1] < 5000
    assert not np.isfinite(h.loss[-1]) and np.isfinite(h.loss[:-1]).all()


def test_weights_file_starts_another_run(write, tmp_path):
    text = "seed: 2\ndata: {name: sine, samples: 30}\nmodel: {hidden: [6, 4]}\ntrain: {iterations: 30}\n"
    cfg = load_config(write("a.yaml", text))
    prep = prepare(cfg)
    h, theta = run_training(prep, key="k")
    save_weights(prep.net, theta, tmp_path / "a.weights.npz")
    with np.load(tmp_path / "a.weights.npz") as w:
        assert sorted(w.files) == ["b0", "b1", "b2", "w0", "w1", "w2"]
        assert w["w0"].shape == (1, 6) and w["w1"].shape == (6, 4) and w["b2"].shape == (1,)
    cfg2 = load_config(write("b.yaml", text.replace("[6, 4]}", "[6, 4], init: {name: file, path: a.weights.npz}}")))
    np.testing.assert_array_equal(prepare(cfg2).theta0, theta)


@pytest.mark.parametrize("name", sorted(set(DATASETS) - {"file", "table", "mnist"}))  # those need files
def test_builtin_datasets(name):
    spec = DATASETS[name]
    params = {k: p.default for k, p in spec.params.items()}
    d = spec.make(params, np.random.default_rng(0))
    assert d.x.ndim == 2 and d.y.ndim == 2 and len(d.x) == len(d.y)
    assert np.isfinite(d.x).all() and np.isfinite(d.y).all()


def test_bilinear_and_linear_follow_their_formulas():
    d = DATASETS["bilinear"].make({"samples": 500, "noise": 0.0, "low": 0.0, "high": 3.0}, np.random.default_rng(0))
    np.testing.assert_allclose(d.y[:, 0], np.where(d.x[:, 0] <= 1, 0, 2 * (d.x[:, 0] - 1)))
    d = DATASETS["linear"].make({"samples": 20, "noise": 0.0, "coef": (2.0, 1.0, 0.0), "low": 0.0, "high": 1.0},
                                np.random.default_rng(0))
    np.testing.assert_allclose(d.y[:, 0], 2 * d.x[:, 0] + d.x[:, 1])


def test_csv_target_columns(write, tmp_path):
    (tmp_path / "d.csv").write_text("a, b, t1, t2\n1,2,3,4\n5,6,7,8\n")
    cfg = load_config(write("c.yaml", "data: {name: file, path: d.csv, target: [t1, t2]}\n"))
    d = prepare(cfg).data
    assert d.x.tolist() == [[1, 2], [5, 6]] and d.y.tolist() == [[3, 4], [7, 8]] and d.y_names == ("t1", "t2")


def test_float32_training(write):
    h, theta = history_of(write, "train: {iterations: 50, dtype: float32}\n")
    assert theta.dtype == np.float32 and h.loss[-1] < h.loss[0]


@pytest.mark.parametrize("name", ["circle", "xor", "gauss", "spiral", "moons"])
def test_classification_sets_learn_with_bce_and_record_accuracy(write, name):
    text = f"""data: {{name: {name}, samples: 120, test_fraction: 0.25}}
model: {{hidden: [8, 8], activation: tanh, output: sigmoid}}
train: {{loss: bce, optimizer: {{name: adam, lr: 0.03}}, iterations: 600, snapshot_every: 100}}
"""
    h, _ = history_of(write, text)
    assert h.x.shape == (90, 2) and h.test["x"].shape == (30, 2)  # 25% held out
    assert h.accuracy is not None and h.accuracy[-1] > 0.8 and h.accuracy[-1] > h.accuracy[0] - 0.1
    assert np.isfinite(h.test["loss"]).all() and 0 <= h.test["accuracy"][-1] <= 1
    assert set(np.unique(h.y)) <= {0.0, 1.0}


def test_multi_class_spiral_with_cross_entropy(write):
    text = """data: {name: spiral, classes: 3, samples: 150, noise: 0.1}
model: {hidden: [16, 16], activation: tanh, output: softmax}
train: {loss: cross_entropy, optimizer: {name: adam, lr: 0.02}, iterations: 800, snapshot_every: 200}
"""
    h, _ = history_of(write, text)
    assert h.y.shape == (150, 3) and np.allclose(h.y.sum(axis=1), 1)
    assert h.loss[-1] < h.loss[0] and h.accuracy[-1] > h.accuracy[0]


def test_integer_labels_become_one_hot_and_bad_labels_name_the_row(write, tmp_path):
    np.savez(tmp_path / "d.npz", x=np.random.default_rng(0).normal(size=(6, 2)), y=np.array([0, 1, 2, 1, 0, 2]))
    text = "data: {name: file, path: d.npz}\nmodel: {output: softmax}\ntrain: {loss: cross_entropy, iterations: 5}\n"
    cfg = load_config(write("c.yaml", text))
    assert prepare(cfg).data.y.shape == (6, 3)
    np.savez(tmp_path / "d.npz", x=np.zeros((3, 2)), y=np.array([0, 1.5, 1]))
    with pytest.raises(Exception, match=r"d.npz: row 1: class label 1.5 is not a whole number"):
        prepare(load_config(write("c.yaml", text)))


def test_bce_needs_a_sigmoid_output(write):
    from nnviz.errors import ConfigError

    with pytest.raises(ConfigError, match="bce needs `model.output: sigmoid`, not linear"):
        load_config(write("c.yaml", "data: {name: circle}\ntrain: {loss: bce}\n"))
    with pytest.raises(ConfigError, match="a softmax output goes with `train.loss: cross_entropy`"):
        load_config(write("d.yaml", "model: {output: softmax}\n"))


def test_l2_and_l1_shrink_the_weights_not_the_biases(write):
    base = "seed: 4\ndata: {name: plane, samples: 60}\nmodel: {hidden: [6]}\ntrain: {optimizer: {name: sgd, lr: 0.05}, " \
           "iterations: 400%s}\n"
    _, plain = history_of(write, base % "", "a.yaml")
    _, l2 = history_of(write, base % ", l2: 0.5", "b.yaml")
    _, l1 = history_of(write, base % ", l1: 0.05", "c.yaml")
    from nnviz.model import Net
    from nnviz.train import weight_mask

    w = weight_mask(Net((2, 6, 1), ("tanh", "linear"), True), float).astype(bool)
    assert np.abs(l2[w]).sum() < 0.7 * np.abs(plain[w]).sum()
    assert np.abs(l1[w]).sum() < 0.7 * np.abs(plain[w]).sum()
    assert w.sum() == 2 * 6 + 6 and (~w).sum() == 6 + 1


def test_classification_targets_are_checked_row_by_row(write, tmp_path):
    from nnviz.errors import ConfigError

    np.savez(tmp_path / "d.npz", x=np.zeros((3, 2)), y=np.array([[1, 0, 0], [0, 1, 1], [0, 0, 1]]))
    text = "data: {name: file, path: d.npz}\nmodel: {output: softmax}\ntrain: {loss: cross_entropy}\n"
    with pytest.raises(ConfigError, match=r"d.npz: row 1: target \[0. 1. 1.\] is not valid: cross_entropy needs one-hot"):
        prepare(load_config(write("c.yaml", text)))
    np.savez(tmp_path / "e.npz", x=np.zeros((3, 2)), y=np.array([0, 1, 0.5]))
    text = "data: {name: file, path: e.npz}\nmodel: {output: sigmoid}\ntrain: {loss: bce}\n"
    with pytest.raises(ConfigError, match=r"e.npz: row 2: target \[0.5\] is not valid: bce needs targets 0 or 1"):
        prepare(load_config(write("d.yaml", text)))
