"""Seed 002's published table, reproduced from the shipped configs to 8 significant digits.

The post trains 3-4-1 and 3-32-1 sigmoid nets (no bias, np.random.seed(1) uniform(-1, 1) weights,
plain full-batch gradient descent on 1/2 sum (y - y_hat)^2) with alphas 0.001 ... 1000 and prints the
mean absolute error every 10,000 iterations. Hidden 32 with alpha 10 is left out: its digits depend on
floating-point summation order (the post's BLAS against ours).
"""
from pathlib import Path

import numpy as np
import pytest

from nnviz.experiment import load_config
from nnviz.pipeline import prepare, run_training

pytestmark = pytest.mark.slow  # every case trains or renders in full

CONFIGS = Path(__file__).resolve().parent.parent / "configs"

PUBLISHED = {  # (hidden, alpha): errors after 0, 10000, ..., 50000 iterations, as printed in the post
    (4, 0.001): [0.496410031903, 0.495164025493, 0.493596043188, 0.491606358559, 0.489100166544, 0.485977857846],
    (4, 0.01): [0.496410031903, 0.457431074442, 0.359097202563, 0.239358137159, 0.143070659013, 0.0985964298089],
    (4, 0.1): [0.496410031903, 0.0428880170001, 0.0240989942285, 0.0181106521468, 0.0149876162722, 0.0130144905381],
    (4, 1): [0.496410031903, 0.00858452565325, 0.00578945986251, 0.00462917677677, 0.00395876528027,
             0.00351012256786],
    (4, 10): [0.496410031903, 0.00312938876301, 0.00214459557985, 0.00172397549956, 0.00147821451229,
              0.00131274062834],
    (4, 100): [0.496410031903, 0.125476983855, 0.125330333528, 0.125267728765, 0.12523107366, 0.125206352756],
    (4, 1000): [0.496410031903, 0.5, 0.5, 0.5, 0.5, 0.5],
    (32, 0.001): [0.496439922501, 0.491049468129, 0.484976307027, 0.477830678793, 0.46903846539, 0.458029258565],
    (32, 0.01): [0.496439922501, 0.356379061648, 0.146939845465, 0.0880156127416, 0.065147819275, 0.0529658087026],
    (32, 0.1): [0.496439922501, 0.0305404908386, 0.0190638725334, 0.0147643907296, 0.0123892429905,
                0.0108421669738],
    (32, 1): [0.496439922501, 0.00736052234249, 0.00497251705039, 0.00396863978159, 0.00338641021983,
              0.00299625684932],
    (32, 100): [0.496439922501, 0.5, 0.5, 0.5, 0.5, 0.5],
    (32, 1000): [0.496439922501, 0.5, 0.5, 0.5, 0.5, 0.5],
}


@pytest.mark.parametrize("hidden,alpha", sorted(PUBLISHED))
def test_alpha_table(hidden, alpha):
    cfg = load_config(CONFIGS / f"xor3-hidden-{hidden}.yaml",
                      [f"train.optimizer.lr={alpha}", "train.snapshot_every=10000"])
    history, _ = run_training(prepare(cfg), key="test")
    got = dict(zip(history.iteration.tolist(), history.mae.tolist()))
    for i, want in enumerate(PUBLISHED[hidden, alpha]):
        assert got[10000 * i] == pytest.approx(want, rel=5e-9), f"error after {10000 * i} iterations"
    assert history.iteration[-1] == 60000
    assert history.diverged_at == -1  # saturated sigmoids, not a non-finite loss


def test_initial_weights_are_the_posts():
    cfg = load_config(CONFIGS / "xor3-hidden-4.yaml")
    theta = prepare(cfg).theta0
    np.random.seed(1)
    w0 = 2 * np.random.random((3, 4)) - 1
    w1 = 2 * np.random.random((4, 1)) - 1
    np.testing.assert_array_equal(theta, np.concatenate([w0.ravel(), w1.ravel()]))


@pytest.mark.parametrize("hidden", [4, 32])
def test_the_alpha_table_as_one_sweep_trained_together(hidden):
    """The post's alphas as one comparison: its runs train as one batched computation (one group)."""
    from nnviz.pipeline import groups, train_runs

    alphas = sorted(a for h, a in PUBLISHED if h == hidden)
    cfg = load_config(CONFIGS / f"xor3-hidden-{hidden}.yaml",
                      ["train.snapshot_every=10000", f"sweep={{train.optimizer.lr: {alphas}}}"])
    assert groups([prepare(r) for r in cfg.runs]) == [list(range(len(alphas)))]
    for alpha, (history, _) in zip(alphas, train_runs(cfg.runs)):
        got = dict(zip(history.iteration.tolist(), history.mae.tolist()))
        for i, want in enumerate(PUBLISHED[hidden, alpha]):
            assert got[10000 * i] == pytest.approx(want, rel=5e-9), f"alpha {alpha}: error after {10000 * i}"
