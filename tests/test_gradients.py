"""Backprop against central finite differences, for every activation x loss, with and without bias."""
import numpy as np
import pytest

from nnviz.activations import ACTIVATIONS
from nnviz.losses import LOSSES
from nnviz.model import Net, backward, forward, layer_views, with_bias_column


def numeric_grad(f, theta, eps=1e-6):
    g = np.zeros_like(theta)
    for i in range(theta.size):
        old = theta[i]
        theta[i] = old + eps
        up = f()
        theta[i] = old - eps
        down = f()
        theta[i] = old
        g[i] = (up - down) / (2 * eps)
    return g


PLAIN_LOSSES = sorted(k for k, v in LOSSES.items() if v.logits is None)
LOGIT_LOSSES = sorted(k for k, v in LOSSES.items() if v.logits is not None)
ELEMENTWISE = sorted(k for k, v in ACTIVATIONS.items() if k != "softmax")


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("loss", LOGIT_LOSSES)
@pytest.mark.parametrize("act", ELEMENTWISE)
def test_logit_losses_match_finite_differences(act, loss, bias):
    """bce / cross_entropy: the loss of the output layer's logits, the gradient straight to them."""
    rng = np.random.default_rng(3)
    L = LOSSES[loss]
    k = 1 if loss == "bce" else 3
    net = Net((2, 5, k), (act, L.logits), bias)
    theta = rng.normal(0, 0.8, net.n_params)
    x = rng.normal(0, 1.2, (7, 2))
    x += np.sign(x) * 0.1
    y = rng.integers(0, 2, (7, 1)).astype(float) if k == 1 else np.eye(k)[rng.integers(0, k, 7)]
    p = layer_views(net, theta)

    def value():
        return L.value(forward(net, p, x)[1][-1][1], y)

    _, cache = forward(net, p, x)
    z = cache[-1][1]
    g = np.zeros_like(theta)
    backward(net, p, cache, L.grad(z, y), layer_views(net, g), logits=True)
    np.testing.assert_allclose(g, numeric_grad(value, theta), rtol=1e-5, atol=1e-8)


def test_logit_losses_never_give_inf():
    z = np.array([[800.0], [-800.0]])
    assert np.isfinite(LOSSES["bce"].value(z, np.array([[0.0], [1.0]])))
    zz = np.array([[900.0, -900.0, 0.0]])
    assert np.isfinite(LOSSES["cross_entropy"].value(zz, np.array([[0.0, 1.0, 0.0]])))
    assert LOSSES["cross_entropy"].accuracy(zz, np.array([[1.0, 0.0, 0.0]])) == 1.0


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("loss", PLAIN_LOSSES)
@pytest.mark.parametrize("act", ELEMENTWISE)
def test_backward_matches_finite_differences(act, loss, bias):
    rng = np.random.default_rng(7)
    # two hidden layers of `act`, and `act` as output too, so every path through it is checked;
    # inputs of width 1 and 3 exercise both the broadcast and the matmul code paths
    for d_in in (1, 3):
        net = Net((d_in, 5, 4, 2), (act, act, act), bias)
        theta = rng.normal(0, 0.7, net.n_params)
        x = rng.normal(0, 1.2, (6, d_in))
        y = rng.normal(0, 1, (6, 2))
        if act in ("relu", "leaky_relu", "elu") or loss == "mae":
            # keep away from kinks, where finite differences are not a derivative
            x += np.sign(x) * 0.1
        p = layer_views(net, theta)
        L = LOSSES[loss]

        def value():
            return L.value(forward(net, p, x)[0], y)

        pred, cache = forward(net, p, x)
        g_theta = np.zeros_like(theta)
        backward(net, p, cache, L.grad(pred, y), layer_views(net, g_theta))
        expected = numeric_grad(value, theta)
        np.testing.assert_allclose(g_theta, expected, rtol=1e-5, atol=1e-7, err_msg=f"{act} {loss} bias={bias}")
        # the trainer's path: the input carries its column of ones, the first layer is one product
        pred2, cache2 = forward(net, p, with_bias_column(net, x, x.dtype), prepared=True)
        g2 = np.zeros_like(theta)
        backward(net, p, cache2, L.grad(pred2, y), layer_views(net, g2))
        np.testing.assert_allclose(g2, expected, rtol=1e-5, atol=1e-7, err_msg=f"prepared {act} {loss} bias={bias}")


def test_single_neuron_and_no_hidden_layer():
    rng = np.random.default_rng(0)
    net = Net((2, 1), ("sigmoid",), True)
    theta = rng.normal(size=net.n_params)
    p = layer_views(net, theta)
    x, y = rng.normal(size=(5, 2)), rng.random((5, 1))
    pred, cache = forward(net, p, x)
    g = np.zeros_like(theta)
    backward(net, p, cache, LOSSES["sse"].grad(pred, y), layer_views(net, g))
    np.testing.assert_allclose(g, numeric_grad(lambda: LOSSES["sse"].value(forward(net, p, x)[0], y), theta),
                               rtol=1e-6, atol=1e-8)


def test_sigmoid_saturates_without_nan():
    z = np.array([-1000.0, 0.0, 1000.0])
    a = ACTIVATIONS["sigmoid"].fn(z)
    assert np.array_equal(a, [0.0, 0.5, 1.0])
