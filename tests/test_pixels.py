"""Pictures computed at their pixels: a coarse picture enlarged as it is written into the canvas, and the
net's prediction for a picture's points computed column-wise."""
import numpy as np
import pytest

from nnviz.draw.pixels import enlarge, packed, paint
from nnviz.model import Net, layer_views, predict, predict_columns


@pytest.mark.parametrize("step", [1, 2, 3, 5])
def test_paint_writes_each_pixel_as_a_block_cut_to_the_box(step):
    rng = np.random.default_rng(step)
    for h in (1, 2, 7, 10, 11):
        for w in (1, 3, 9, 10):
            src = rng.integers(0, 256, (-(-h // step), -(-w // step), 4), dtype=np.uint8)
            canvas = rng.integers(0, 256, (20, 30, 4), dtype=np.uint8)
            want = canvas.copy()
            want[4 : 4 + h, 5 : 5 + w] = np.repeat(np.repeat(src, step, 0), step, 1)[:h, :w]
            paint(packed(canvas)[4 : 4 + h, 5 : 5 + w], packed(src), step)
            assert np.array_equal(canvas, want), (h, w)  # and nothing outside the box
            assert np.array_equal(enlarge(src, step, (h, w)), want[4 : 4 + h, 5 : 5 + w])


@pytest.mark.parametrize("sizes,acts,bias", [
    ((2, 8, 8, 1), ("tanh", "tanh", "sigmoid"), True),
    ((2, 5, 3), ("relu", "softmax"), True),
    ((2, 4, 1), ("leaky_relu", "linear"), False),
    ((1, 6, 1), ("sin", "linear"), False),
    ((3, 7, 2), ("elu", "sigmoid"), True),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_column_wise_predictions_are_the_row_wise_ones(sizes, acts, bias, dtype):
    net = Net(sizes, acts, bias)
    rng = np.random.default_rng(3)
    layers = layer_views(net, rng.normal(size=net.n_params).astype(dtype))
    x = rng.normal(size=(1000, sizes[0])).astype(dtype)
    buffers = []
    for _ in range(2):  # the second time into the first call's buffers
        got = predict_columns(net, layers, np.ascontiguousarray(x.T), buffers)
        assert got.shape == (1000, sizes[-1]) and got.dtype == dtype
        np.testing.assert_allclose(got, predict(net, layers, x), rtol=1e-5 if dtype == np.float32 else 1e-12,
                                   atol=1e-6 if dtype == np.float32 else 1e-13)
    assert len(buffers) == net.n_layers
