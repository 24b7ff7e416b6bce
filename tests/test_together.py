"""Runs trained together (one computation with a leading run axis) give exactly what each gives alone:
every optimizer and option, per-run hyperparameters, seeds and batch orders, a run that diverges."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.config import validate
from nnviz.experiment import load_config
from nnviz.pipeline import groups, prepare, train_runs
from nnviz.train import train, train_together

BASE = {"data": {"name": "circle", "samples": 60, "test_fraction": 0.2},
        "model": {"hidden": [5], "output": "sigmoid"},
        "train": {"loss": "bce", "iterations": 150, "batch_size": 16, "snapshot_every": 10}}


def configs(base, variants):
    out = []
    for v in variants:
        raw = {k: dict(val) if isinstance(val, dict) else val for k, val in base.items()}
        for key, value in v.items():
            *path, last = key.split(".")
            node = raw
            for part in path:
                node[part] = dict(node.get(part) or {})
                node = node[part]
            node[last] = value
        out.append(validate(raw, "t.yaml", {}))
    return out


def alone_and_together(cfgs):
    alone = []
    for cfg in cfgs:
        p = prepare(cfg)
        alone.append(list(train(p.net, p.theta0.copy(), p.data.x, p.data.y, p.data.grid, p.config.train,
                                p.batch_rng, p.test, p.keep)))
    preps = [prepare(c) for c in cfgs]
    first = preps[0]
    together = [[] for _ in cfgs]
    for k, snap in train_together(first.net, np.stack([p.theta0 for p in preps]), first.data.x, first.data.y,
                                  first.data.grid, [p.config.train for p in preps], [p.batch_rng for p in preps],
                                  first.test, first.keep):
        together[k].append(snap)
    return alone, together


def assert_same(alone, together):
    for a, b in zip(alone, together, strict=True):
        assert [s.iteration for s in a] == [s.iteration for s in b] and a[-1].diverged == b[-1].diverged
        for s, t in zip(a, b):
            for field in ("theta", "pred", "first_weights"):
                if getattr(s, field) is None:
                    assert getattr(t, field) is None
                else:
                    np.testing.assert_allclose(getattr(t, field), getattr(s, field), rtol=1e-12, atol=0)
            np.testing.assert_allclose([t.loss, t.mae, t.accuracy, *t.test], [s.loss, s.mae, s.accuracy, *s.test],
                                       rtol=1e-12, atol=0)


OPTIMIZERS = [{"name": "sgd"}, {"name": "sgd", "momentum": 0.9, "dampening": 0.1},
              {"name": "sgd", "momentum": 0.9, "nesterov": True}, {"name": "adam"},
              {"name": "adam", "amsgrad": True, "weight_decay": 0.01}, {"name": "adamw"},
              {"name": "rmsprop"}, {"name": "rmsprop", "centered": True, "momentum": 0.5, "weight_decay": 0.001},
              {"name": "adagrad", "lr_decay": 0.01, "initial_accumulator_value": 0.1}]


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=lambda o: "-".join(f"{v}" for v in o.values()))
def test_every_optimizer_trains_together_as_alone(opt):
    variants = [{"train.optimizer": {**opt, "lr": lr}} for lr in (0.001, 0.01, 0.1, 3.0)]
    if opt["name"] in ("adam", "adamw"):
        variants[1]["train.optimizer"]["betas"] = [0.8, 0.99]  # per-run betas too
    if "weight_decay" in opt:
        variants[2]["train.optimizer"]["weight_decay"] = 2 * opt["weight_decay"]
    if "momentum" in opt:
        variants[3]["train.optimizer"]["momentum"] = 0.5
    assert_same(*alone_and_together(configs(BASE, variants)))


def test_penalties_seeds_and_batch_orders_per_run():
    assert_same(*alone_and_together(configs(BASE, [{"train.l2": v, "train.l1": v / 2} for v in (0.001, 0.01)])))
    xor = {"data": {"name": "xor3"}, "model": {"hidden": [3], "output": "sigmoid"},
           "train": {"loss": "bce", "iterations": 200, "batch_size": 3, "snapshot_every": 20}}
    assert_same(*alone_and_together(configs(xor, [{"seed": s} for s in range(3)])))  # own weights, own batches


def test_a_run_that_diverges_stops_alone():
    sine = {"data": {"name": "sine", "samples": 30}, "model": {"hidden": [8]},
            "train": {"iterations": 400, "batch_size": 7, "optimizer": {"name": "sgd"}, "snapshot_every": 25}}
    alone, together = alone_and_together(configs(sine, [{"train.optimizer.lr": a} for a in (0.01, 3.0, 0.1, 50.0)]))
    assert [a[-1].diverged for a in alone] == [False, True, False, True]
    assert_same(alone, together)


def test_cross_entropy_float32_and_wide_inputs():
    digits = {"data": {"name": "gauss", "classes": 3, "samples": 90}, "model": {"hidden": [4], "output": "softmax"},
              "train": {"loss": "cross_entropy", "iterations": 60, "batch_size": 20, "dtype": "float32",
                        "snapshot_every": 10}}
    assert_same(*alone_and_together(configs(digits, [{"train.optimizer.lr": a} for a in (0.01, 0.1)])))
    wide = {"data": {"name": "linear", "coef": list(range(70)), "samples": 50}, "model": {"hidden": [3]},
            "train": {"iterations": 30, "snapshot_every": 10}}
    assert_same(*alone_and_together(configs(wide, [{"train.optimizer.lr": a} for a in (0.001, 0.01)])))


def test_runs_group_by_what_they_must_share():
    cfg = load_config(__file__.replace("tests/test_together.py", "configs/sine-layers-vs-optimizers.yaml"))
    preps = [prepare(r) for r in cfg.runs]
    found = groups(preps)
    assert sorted(k for g in found for k in g) == list(range(len(preps)))
    for g in found:  # one net and one optimizer's branches a group
        assert len({preps[k].net for k in g}) == 1 and len({preps[k].config.train.optimizer.name for k in g}) == 1
    mixed = configs(BASE, [{"train.optimizer": {"name": "sgd", "momentum": m}} for m in (0.0, 0.9, 0.5)] +
                    [{"seed": 3}])  # momentum on or off; another seed draws other circle data
    assert groups([prepare(c) for c in mixed]) == [[0], [1, 2], [3]]
    with pytest.raises(ValueError, match="cannot train together"):
        list(train_together(preps[0].net, np.stack([prepare(c).theta0 for c in mixed[:2]]), preps[0].data.x,
                            preps[0].data.y, None, [c.train for c in mixed[:2]],
                            [np.random.default_rng(0)] * 2))


def test_a_comparison_trains_the_same_together_or_one_by_one():
    cfg = load_config(__file__.replace("tests/test_together.py", "configs/xor3-alpha-sweep.yaml"),
                      ["train.iterations=3000"])
    for (h1, t1), (h2, t2) in zip(train_runs(cfg.runs), train_runs(cfg.runs, together=False), strict=True):
        np.testing.assert_allclose(h1.loss, h2.loss, rtol=1e-12)
        np.testing.assert_allclose(h1.grid_pred, h2.grid_pred, rtol=1e-12)
        np.testing.assert_allclose(t1, t2, rtol=1e-12)
