"""A fully connected net as pure functions over a flat parameter vector.

Parameters live in one flat float vector `theta` (P,); `unflatten` gives named views into it,
in the order w0, b0, w1, b1, ... (no b_i when the net has no bias). w_i has shape (fan_in, fan_out),
b_i (fan_out,). `layer_views` gives each layer's [w_i; b_i] as one matrix, which is what forward and
backward work on. Optimizers update `theta` in place with one vectorised step, and a snapshot of the
net is `theta.copy()`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS


@dataclass(frozen=True)
class Net:
    """The architecture: layer sizes (d_in, h_1, ..., d_out), one activation per layer, bias or not."""

    sizes: tuple[int, ...]
    activations: tuple[str, ...]  # len(sizes) - 1 names: the hidden ones, then the output's
    bias: bool = True

    def __post_init__(self):
        if len(self.activations) != len(self.sizes) - 1:
            raise ValueError("need one activation per layer")

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    def shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        """[(name, shape)] in storage order: w0 (fan_in, fan_out), b0 (fan_out,), w1, ..."""
        out = []
        for i, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            out.append((f"w{i}", (fan_in, fan_out)))
            if self.bias:
                out.append((f"b{i}", (fan_out,)))
        return out

    @property
    def n_params(self) -> int:
        return sum(int(np.prod(s)) for _, s in self.shapes())

    def words(self) -> str:
        """The net in a few words: '1-10-10-1 tanh net', '1-1 single relu neuron', '2-3 softmax layer'."""
        sizes = "-".join(map(str, self.sizes))
        hidden, output = self.activations[:-1], self.activations[-1]
        if hidden:
            desc = f"{sizes} {'/'.join(sorted(set(hidden)))} net" + (f", {output} output" if output != "linear" else "")
        else:
            desc = f"{sizes} single {output} neuron" if self.sizes[-1] == 1 else f"{sizes} {output} layer"
        return desc + ("" if self.bias else ", no bias")


def unflatten(net: Net, theta: np.ndarray) -> dict[str, np.ndarray]:
    """Named views into theta (P,): {'w0': (fan_in, fan_out), 'b0': (fan_out,), ...}."""
    views, start = {}, 0
    for name, shape in net.shapes():
        size = int(np.prod(shape))
        views[name] = theta[start : start + size].reshape(shape)
        start += size
    return views


def layer_views(net: Net, theta: np.ndarray) -> list[np.ndarray]:
    """Per layer, one view into theta: w_i stacked on b_i, (fan_in + 1, fan_out) with bias, else w_i.

    w_i and b_i are adjacent in theta, so with a column of ones appended to its input, a layer is a
    single matrix product that adds the bias too, and its gradient is one product as well. theta may
    be K runs' parameters (K, P): the views are then (K, rows, fan_out), and forward and backward
    compute all K runs at once (the runs axis leads every array).
    """
    views, start = [], 0
    lead = theta.shape[:-1]
    for fan_in, fan_out in zip(net.sizes[:-1], net.sizes[1:]):
        rows = fan_in + net.bias
        views.append(theta[..., start : start + rows * fan_out].reshape(*lead, rows, fan_out))
        start += rows * fan_out
    return views


def _with_ones(lead: tuple[int, ...], width: int, dtype) -> tuple[np.ndarray, np.ndarray]:
    """A buffer (*lead, width + 1) whose last column is 1, and the view of its first `width` columns."""
    buf = np.empty((*lead, width + 1), dtype=dtype)
    buf[..., width] = 1
    return buf, buf[..., :width]


def _row(v: np.ndarray) -> np.ndarray:
    """(..., n) -> (..., 1, n): a vector (one per run) as a row that broadcasts over samples."""
    return v[..., None, :]


def _t(a: np.ndarray) -> np.ndarray:
    """The transpose of a matrix, or of each run's matrix."""
    return a.swapaxes(-1, -2)


def with_bias_column(net: Net, x: np.ndarray, dtype) -> np.ndarray:
    """x (N, d_in) as the first layer's input: [x, 1] (N, d_in + 1) for a net with bias, else x, in `dtype`."""
    if not net.bias:
        return np.asarray(x, dtype=dtype)
    buf, view = _with_ones(x.shape[:-1], x.shape[-1], dtype)
    view[...] = x
    return buf


def forward(net: Net, layers: list[np.ndarray], x: np.ndarray, keep: bool = True, prepared: bool = False,
            buffers: list | None = None):
    """x (N, d_in) -> (y (N, d_out), cache); layers from layer_views. cache holds each layer's (input, z, a).
    With K runs' layers, y is (K, N, d_out); x is (N, d_in), shared, or (K, N, d_in).

    prepared=True: x is already with_bias_column(net, x), which makes the first layer one matrix product
    (the trainer prepares narrow inputs once; a wide input such as an image is not worth the copy).
    keep=False (a prediction) adds the biases instead: 1.7 times faster on a boundary's 73,000 points,
    where the column of ones makes every layer's output a strided copy.
    buffers: a list where each layer's product is kept and written again by the next call of the same
    shapes (a panel's pixels every frame: no fresh megabytes to fault in, twice as fast).
    """
    cache = []
    a_in = x
    last = net.n_layers - 1
    for i, wb in enumerate(layers):
        if net.bias and (i > 0 or not prepared) and a_in.shape[-1] == net.sizes[i]:
            z = _product(a_in, wb[..., :-1, :], buffers, i)  # an input without its column of ones: b added
            z += _row(wb[..., -1, :])
        elif wb.shape[-2] == 1:
            z = a_in * _row(wb[..., 0, :])  # an inner dimension of 1 (one input, no bias): a broadcast multiply
        else:
            z = _product(a_in, wb, buffers, i)  # z = [a, 1] @ [w; b]
        act = ACTIVATIONS[net.activations[i]]
        if i < last and net.bias and keep:  # backward's inputs, with their column of ones
            nxt, a = _with_ones(z.shape[:-1], z.shape[-1], z.dtype)
            act.fn(z, out=a)
        elif i < last and not keep:  # nothing kept: each layer's output written over its z
            nxt = a = act.fn(z, out=z)
        else:
            nxt = a = act.fn(z)
        if keep:
            cache.append((a_in, z, a))
        a_in = nxt
    return a, cache


def backward(net: Net, layers: list[np.ndarray], cache, dy: np.ndarray, grads: list[np.ndarray],
             logits: bool = False) -> None:
    """Write dL/dtheta into `grads` (layer_views of the gradient vector), given dy = dL/dy (N, d_out),
    or, with logits=True, dy = dL/dz of the output layer (losses computed from logits). K runs at once
    as in forward: dy (K, N, d_out), grads of (K, P)."""
    da = dy
    for i in reversed(range(net.n_layers)):
        a_in, z, a = cache[i]
        act = ACTIVATIONS[net.activations[i]]
        # delta = dL/dz = dL/da * da/dz
        delta = da if act.grad is None or (logits and i == net.n_layers - 1) else da * act.grad(z, a)
        if net.bias and a_in.shape[-1] == net.sizes[i]:  # input given without its column of ones
            np.matmul(_t(a_in), delta, out=grads[i][..., :-1, :])  # dL/dw = a_in^T delta
            np.sum(delta, axis=-2, out=grads[i][..., -1, :])  # dL/db = sum of delta over samples
        else:
            # dL/d[w; b] = [a_in, 1]^T delta: the weights' gradient and, in its last row, the bias's
            np.matmul(_t(a_in), delta, out=grads[i])
        if i:
            w = layers[i][..., : net.sizes[i], :]
            # dL/da_in = delta @ w^T; an inner dimension of 1 is a broadcast multiply
            da = delta * _row(w[..., 0]) if w.shape[-1] == 1 else delta @ _t(w)


def _product(a: np.ndarray, w: np.ndarray, buffers: list | None, i: int) -> np.ndarray:
    """a @ w, written into buffers[i] when it has the product's shape and type (made there when not)."""
    if buffers is None:
        return a @ w
    shape = (*np.broadcast_shapes(a.shape[:-2], w.shape[:-2]), a.shape[-2], w.shape[-1])
    dtype = np.result_type(a, w)
    buffers.extend([None] * (i + 1 - len(buffers)))
    if buffers[i] is None or buffers[i].shape != shape or buffers[i].dtype != dtype:
        buffers[i] = np.empty(shape, dtype)
    return np.matmul(a, w, out=buffers[i])


def predict(net: Net, layers: list[np.ndarray], x: np.ndarray, buffers: list | None = None) -> np.ndarray:
    """x (N, d_in) -> y (N, d_out), keeping nothing for backward. With `buffers` (see forward), y may be
    one of them: used up before the next call."""
    with np.errstate(over="ignore", invalid="ignore"):
        return forward(net, layers, x, keep=False, buffers=buffers)[0]


def predict_columns(net: Net, layers: list[np.ndarray], xt: np.ndarray, buffers: list | None = None) -> np.ndarray:
    """xt (d_in, N), the samples as columns -> y (N, d_out) (a transposed view): one run's prediction for a
    picture's many points. Each layer is W^T @ a^T, so every elementwise step (the bias, the activation)
    runs along N contiguous values: three times faster than rows of 8 at 80,000 points. buffers as
    forward's; y is then one of them, used up before the next call."""
    a = xt
    with np.errstate(over="ignore", invalid="ignore"):
        for i, wb in enumerate(layers):
            z = _product(_t(wb[: net.sizes[i]]), a, buffers, i)  # (fan_out, N)
            if net.bias:
                z += wb[-1][:, None]
            a = ACTIVATIONS[net.activations[i]].fn(z.T, out=z.T).T  # (a softmax's axis is the units')
    return a.T


PARAMETER_NAME = re.compile(r"^([wb])(\d+)\[(\d+)(?:,\s*(\d+))?\]$")  # w0[1,2] (row, column) or b1[3]


def parameter_index(net: Net, name: str) -> int:
    """The position in theta (P,) of a parameter named like "w0[1,2]" or "b1[3]"; ValueError when the net
    has no such parameter (the message lists what it has)."""
    m = PARAMETER_NAME.match(name.replace(" ", ""))
    have = ", ".join(f"{n}[{'0..%d' % (s[0] - 1)}{',0..%d' % (s[1] - 1) if len(s) == 2 else ''}]"
                     for n, s in net.shapes())
    if not m:
        raise ValueError(f"'{name}' is not a parameter name; this net has {have}")
    key = f"{m[1]}{m[2]}"
    index = (int(m[3]),) if m[4] is None else (int(m[3]), int(m[4]))
    start = 0
    for n, shape in net.shapes():
        if n == key and len(shape) == len(index) and all(0 <= i < s for i, s in zip(index, shape)):
            return start + int(np.ravel_multi_index(index, shape))
        start += int(np.prod(shape))
    raise ValueError(f"this net has no parameter {name}; it has {have}")
