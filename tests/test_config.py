"""Config errors: one line per problem, with file:line: key.path, all problems at once."""
import numpy as np
import pytest

from nnviz.experiment import load_config
from nnviz.errors import ConfigError
from nnviz.pipeline import prepare


def problems(path, overrides=()):
    with pytest.raises(ConfigError) as info:
        prepare(load_config(path, list(overrides)))
    return [str(p) for p in info.value.problems]


def test_defaults_resolve(write):
    cfg = load_config(write("c.yaml", "data: {name: sine}\n"))
    assert cfg.title == "c"
    assert cfg.model.hidden == (10,) and cfg.model.activation == ("tanh",)
    assert cfg.train.optimizer.name == "adam" and cfg.train.optimizer.params["lr"] == 0.001
    assert cfg.train.optimizer.params["betas"] == (0.9, 0.999)
    assert cfg.render.size == (1280, 720)


def test_missing_file(tmp_path):
    (p,) = problems(tmp_path / "nope.yaml")
    assert "nope.yaml" in p and "no such file" in p


def test_invalid_yaml_names_line(write):
    path = write("bad.yaml", "title: x\nmodel:\n  hidden: [10, 10\n")
    (p,) = problems(path)
    assert p.startswith(f"{path}:") and "invalid YAML" in p


def test_top_level_must_be_mapping(write):
    (p,) = problems(write("list.yaml", "- a\n- b\n"))
    assert ":1:" in p and "mapping" in p


def test_unknown_keys_with_did_you_mean_and_all_at_once(write):
    path = write("c.yaml", """\
        title: t
        modle: {hidden: [3]}
        train:
          optimiser: adam
          iterations: 0
        render:
          size: [641, 480]
        """)
    ps = problems(path)
    assert f"{path}:2: modle: unknown key (did you mean 'model'?)" in ps[0]
    assert any(p.startswith(f"{path}:4: train.optimiser: unknown key (did you mean 'optimizer'?)") for p in ps)
    assert any(f"{path}:5: train.iterations: must be >= 1" in p for p in ps)
    assert any(f"{path}:7: render.size:" in p and "even" in p for p in ps)
    assert len(ps) == 4


def test_unknown_names_list_the_valid_ones(write):
    path = write("c.yaml", """\
        data: {name: sinus}
        model: {activation: tanhh, init: {name: he_normall}}
        train: {optimizer: {name: adamm}, loss: mes}
        """)
    ps = problems(path)
    assert any(":1: data.name: unknown dataset 'sinus' (did you mean 'sine'?); valid: bilinear, circle, digits, file," in p for p in ps)
    assert any(":2: model.activation: unknown activation 'tanhh' (did you mean 'tanh'?)" in p for p in ps)
    assert any(":2: model.init.name: unknown initialiser 'he_normall'" in p for p in ps)
    assert any(":3: train.optimizer.name: unknown optimizer 'adamm' (did you mean 'adam'?); valid: adagrad, adam," in p
               for p in ps)
    assert any(":3: train.loss: unknown loss 'mes'" in p for p in ps)


def test_types_bool_is_not_a_number_but_1e_3_is(write):
    path = write("c.yaml", """\
        train:
          optimizer: {name: sgd, lr: 1e-3, momentum: true}
          iterations: 12.5
        """)
    ps = problems(path)
    assert any(":2: train.optimizer.momentum: expected a number, got true" in p for p in ps)
    assert any(":3: train.iterations: expected a whole number, got 12.5" in p for p in ps)
    assert len(ps) == 2
    cfg = load_config(write("ok.yaml", "train: {optimizer: {name: sgd, lr: 1e-3}, iterations: 1e4}\n"))
    assert cfg.train.optimizer.params["lr"] == 0.001 and cfg.train.iterations == 10000


def test_quoted_number_is_a_string(write):
    (p,) = problems(write("c.yaml", "train: {optimizer: {name: sgd, lr: '0.1'}}\n"))
    assert "train.optimizer.lr: expected a number, got '0.1'" in p


def test_duplicate_keys(write):
    path = write("c.yaml", "title: a\nseed: 1\ntitle: b\n")
    (p,) = problems(path)
    assert p == f"{path}:3: title: duplicate key (first given on line 1)"


@pytest.mark.parametrize("text,where,what", [
    ("train: {optimizer: {name: sgd, lr: 0}}", "train.optimizer.lr", "must be > 0"),
    ("train: {optimizer: {name: adam, lr: -0.1}}", "train.optimizer.lr", "must be > 0"),
    ("train: {iterations: 0}", "train.iterations", "must be >= 1"),
    ("train: {batch_size: 0}", "train.batch_size", "must be >= 1"),
    ("train: {iterations: 5, epochs: 2}", "train.epochs", "not both"),
    ("render: {size: [1281, 720]}", "render.size", "even"),
    ("render: {size: [100, 60]}", "render.size", "between"),
    ("render: {fps: 0}", "render.fps", "must be in"),
    ("render: {fps: -3}", "render.fps", "must be in"),
    ("model: {hidden: [10, -1]}", "model.hidden", "must be > 0"),
    ("model: {hidden: [4, 4], activation: [tanh, relu, relu]}", "model.activation", "3 activations for 2 hidden"),
    ("data: {name: sine, samples: 0}", "data.samples", "must be >= 1"),
    ("train: {optimizer: {name: adam, betas: [0.9]}}", "train.optimizer.betas", "expected 2 values"),
    ("train: {optimizer: {name: sgd, nesterov: true}}", "train.optimizer", "nesterov needs momentum"),
])
def test_out_of_range(write, text, where, what):
    path = write("c.yaml", text + "\n")
    (p,) = problems(path)
    assert p.startswith(f"{path}:1: {where}:") and what in p, p


def test_data_file_missing_and_wrong_shape(write, tmp_path):
    path = write("c.yaml", "data:\n  name: file\n  path: missing.npz\n")
    (p,) = problems(path)
    assert p.startswith(f"{path}:3: data.path:") and "missing.npz" in p
    np.savez(tmp_path / "d.npz", x=np.zeros((5, 2)), y=np.zeros(4))
    (p,) = problems(write("c2.yaml", "data: {name: file, path: d.npz}\n"))
    assert "x has 5 rows but y has 4" in p


def test_init_file_wrong_shapes_name_the_layer(write, tmp_path):
    np.savez(tmp_path / "w.npz", w0=np.zeros((1, 10)), b0=np.zeros(10), w1=np.zeros((5, 1)), b1=np.zeros(1))
    path = write("c.yaml", "model:\n  hidden: [10]\n  init: {name: file, path: w.npz}\n")
    (p,) = problems(path)
    assert p.startswith(f"{path}:3: model.init.path:")
    assert "layer 1 weights w1 has shape (5, 1), the net needs (10, 1)" in p
    (p,) = problems(write("c2.yaml", "model:\n  init: {name: file, path: nothere.npz}\n"))
    assert "weights file not found" in p and "nothere.npz" in p


def test_set_overrides(write):
    path = write("c.yaml", "train:\n  optimizer: adam\n")
    cfg = load_config(path, ["train.optimizer.lr=0.5", "model.hidden=[3, 3]", "render.size=[640, 360]"])
    assert cfg.train.optimizer.params["lr"] == 0.5 and cfg.model.hidden == (3, 3) and cfg.render.size == (640, 360)
    (p,) = problems(path, ["train.optimizer.lr=-1"])
    assert p == f"{path}: train.optimizer.lr: must be > 0, got -1.0 (from --set)"
    (p,) = problems(path, ["nonsense"])
    assert "--set nonsense: expected key.path=value" in p


def test_csv_with_nan_names_the_row(write, tmp_path):
    (tmp_path / "d.csv").write_text("a,b,y\n1,2,3\n4,nan,6\n")
    (p,) = problems(write("c.yaml", "data: {name: file, path: d.csv}\n"))
    assert "d.csv: row 3 has NaN or infinite values" in p
