"""Each optimizer's first steps against the update rules documented for torch.optim, written out per element."""
import math
import os

import numpy as np
import pytest

from nnviz.optim import OPTIMIZERS

GRADS = [np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.3, -2.5]), np.array([-0.4, 0.2, 1.0])]
THETA0 = np.array([1.0, -2.0, 0.5])


def run(name, **hp):
    opt = OPTIMIZERS[name]
    full = {k: p.default for k, p in opt.params.items()}
    full.update(hp)
    theta = THETA0.copy()
    state = opt.init(theta, full)
    out = []
    for t, g in enumerate(GRADS, start=1):
        opt.step(theta, g.copy(), state, full, t)
        out.append(theta.copy())
    return out


def reference_sgd(lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    """torch.optim.SGD's documented algorithm, one element at a time."""
    out, theta, buf = [], list(THETA0), [0.0] * 3
    for t, grad in enumerate(GRADS, start=1):
        for i in range(3):
            g = grad[i] + weight_decay * theta[i]
            if momentum:
                buf[i] = g if t == 1 else momentum * buf[i] + (1 - dampening) * g
                g = g + momentum * buf[i] if nesterov else buf[i]
            theta[i] = theta[i] - lr * g
        out.append(np.array(theta))
    return out


def reference_adam(lr, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.0, amsgrad=False, decoupled=False):
    out, theta, m, v, vmax = [], list(THETA0), [0.0] * 3, [0.0] * 3, [0.0] * 3
    for t, grad in enumerate(GRADS, start=1):
        for i in range(3):
            g = grad[i]
            if decoupled:
                theta[i] *= 1 - lr * weight_decay
            elif weight_decay:
                g += weight_decay * theta[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            mhat = m[i] / (1 - b1**t)
            if amsgrad:  # torch >= 2: the running max is over v_t, bias-corrected afterwards
                vmax[i] = max(vmax[i], v[i])
                vhat = vmax[i] / (1 - b2**t)
            else:
                vhat = v[i] / (1 - b2**t)
            theta[i] -= lr * mhat / (math.sqrt(vhat) + eps)
        out.append(np.array(theta))
    return out


def reference_rmsprop(lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    out, theta, v, gavg, buf = [], list(THETA0), [0.0] * 3, [0.0] * 3, [0.0] * 3
    for grad in GRADS:
        for i in range(3):
            g = grad[i] + weight_decay * theta[i]
            v[i] = alpha * v[i] + (1 - alpha) * g * g
            vt = v[i]
            if centered:
                gavg[i] = alpha * gavg[i] + (1 - alpha) * g
                vt = vt - gavg[i] ** 2
            if momentum:
                buf[i] = momentum * buf[i] + g / (math.sqrt(vt) + eps)
                theta[i] -= lr * buf[i]
            else:
                theta[i] -= lr * g / (math.sqrt(vt) + eps)
        out.append(np.array(theta))
    return out


def reference_adagrad(lr, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    out, theta, s = [], list(THETA0), [initial_accumulator_value] * 3
    for t, grad in enumerate(GRADS, start=1):
        clr = lr / (1 + (t - 1) * lr_decay)
        for i in range(3):
            g = grad[i] + weight_decay * theta[i]
            s[i] += g * g
            theta[i] -= clr * g / (math.sqrt(s[i]) + eps)
        out.append(np.array(theta))
    return out


CASES = [
    ("sgd", dict(lr=0.1), reference_sgd(0.1)),
    ("sgd", dict(lr=0.1, momentum=0.9), reference_sgd(0.1, momentum=0.9)),
    ("sgd", dict(lr=0.1, momentum=0.9, dampening=0.5), reference_sgd(0.1, 0.9, 0.5)),
    ("sgd", dict(lr=0.1, momentum=0.9, nesterov=True), reference_sgd(0.1, 0.9, nesterov=True)),
    ("sgd", dict(lr=0.1, momentum=0.5, weight_decay=0.01), reference_sgd(0.1, 0.5, weight_decay=0.01)),
    ("adam", dict(lr=0.01), reference_adam(0.01)),
    ("adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6), reference_adam(0.01, 0.8, 0.99, 1e-6)),
    ("adam", dict(lr=0.01, weight_decay=0.1), reference_adam(0.01, weight_decay=0.1)),
    ("adam", dict(lr=0.01, amsgrad=True), reference_adam(0.01, amsgrad=True)),
    ("adamw", dict(lr=0.01), reference_adam(0.01, weight_decay=0.01, decoupled=True)),
    ("rmsprop", dict(lr=0.01), reference_rmsprop(0.01)),
    ("rmsprop", dict(lr=0.01, centered=True), reference_rmsprop(0.01, centered=True)),
    ("rmsprop", dict(lr=0.01, momentum=0.9, alpha=0.9), reference_rmsprop(0.01, alpha=0.9, momentum=0.9)),
    ("rmsprop", dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1),
     reference_rmsprop(0.01, momentum=0.5, weight_decay=0.1, centered=True)),
    ("adagrad", dict(lr=0.1), reference_adagrad(0.1)),
    ("adagrad", dict(lr=0.1, lr_decay=0.5, initial_accumulator_value=0.1, weight_decay=0.2),
     reference_adagrad(0.1, 0.5, 0.2, 0.1)),
]


@pytest.mark.parametrize("name,hp,expected", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_first_steps_follow_documented_rule(name, hp, expected):
    for got, want in zip(run(name, **hp), expected):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_adam_first_step_is_lr_times_sign():
    # with bias correction, Adam's first step is lr * g / (|g| + eps): a hand-checkable number
    first = run("adam", lr=0.01)[0]
    np.testing.assert_allclose(first, THETA0 - 0.01 * np.sign(GRADS[0]), rtol=1e-7)


def test_defaults_are_torchs():
    assert OPTIMIZERS["sgd"].params["lr"].default == 0.001
    assert OPTIMIZERS["adam"].params["betas"].default == (0.9, 0.999)
    assert OPTIMIZERS["adam"].params["eps"].default == 1e-8
    assert OPTIMIZERS["rmsprop"].params["alpha"].default == 0.99
    assert OPTIMIZERS["adagrad"].params["eps"].default == 1e-10


def real_torch():
    """PyTorch itself: the test extra installs it, so CI compares against it; elsewhere these tests skip."""
    if os.environ.get("CI"):
        import torch  # in CI a missing torch is a failure, not a skip

        return torch
    return pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e '.[test]')")


TORCH_CLASSES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop", "adagrad": "Adagrad"}


@pytest.mark.parametrize("name,hp", [(c[0], c[1]) for c in CASES])
def test_against_torch(name, hp):
    """200 steps of random gradients on 7 parameters, nnviz's optimizer against torch.optim's, in float64."""
    torch = real_torch()
    rng = np.random.default_rng(len(name) + len(hp))
    theta0, grads = rng.normal(size=7), rng.normal(scale=2.0, size=(200, 7))
    p = torch.nn.Parameter(torch.tensor(theta0, dtype=torch.float64))
    opt = getattr(torch.optim, TORCH_CLASSES[name])([p], **hp)
    ours = OPTIMIZERS[name]
    full = {k: v.default for k, v in ours.params.items()} | hp
    theta = theta0.copy()
    state = ours.init(theta, full)
    for t, g in enumerate(grads, start=1):
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        ours.step(theta, g.copy(), state, full, t)
        np.testing.assert_allclose(theta, p.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=f"step {t}")


@pytest.mark.parametrize("name", sorted(TORCH_CLASSES))
def test_every_default_is_torchs(name):
    torch = real_torch()
    p = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    theirs = getattr(torch.optim, TORCH_CLASSES[name])([p], lr=0.001 if name == "sgd" else 0.01).defaults
    for key, spec in OPTIMIZERS[name].params.items():
        if key == "lr" or key not in theirs:
            continue
        want = theirs[key]
        assert (tuple(want) if isinstance(want, tuple) else want) == spec.default, (name, key)
