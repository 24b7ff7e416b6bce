"""Recording a Keras 3 net: `nnviz.keras.Recorder(x, y)` is a callback for `model.fit(..., callbacks=[...])`.

    import nnviz.keras
    rec = nnviz.keras.Recorder(x, y, title="Two layers of 10, Adam")
    model.fit(x, y, epochs=2000, batch_size=100, verbose=0, callbacks=[rec])
    rec.render(name="keras-sine")

It records before the first update and after the updates nnviz's own trainer would snapshot
(`every=None`: densely early, sparsely later) or after every `every` updates, and after the last. The
model must be a Sequential of Dense layers (an Activation layer may follow each); it records their
kernels and biases, so the network, neurons and landscape panels work. The loss recorded is computed by
nnviz over the whole training set (Keras' logs hold a running mean over the epoch), named after the
model's loss (mse, mae, binary/categorical crossentropy); a final layer without sigmoid/softmax under a
crossentropy loss is taken as logits. Any backend works; without TensorFlow, `KERAS_BACKEND=torch`.
"""
from __future__ import annotations

import logging

import keras
import numpy as np

from . import record
from .record import RecordError

log = logging.getLogger(__name__)

ACTIVATIONS = {"linear": "linear", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "softmax": "softmax",
               "elu": "elu", "softplus": "softplus", "silu": "silu", "swish": "silu"}
LOSSES = {"mse": "mse", "mean_squared_error": "mse", "meansquarederror": "mse", "mae": "mae",
          "mean_absolute_error": "mae", "meanabsoluteerror": "mae", "binary_crossentropy": "bce",
          "binarycrossentropy": "bce", "categorical_crossentropy": "cross_entropy",
          "categoricalcrossentropy": "cross_entropy", "sparse_categorical_crossentropy": "cross_entropy",
          "sparsecategoricalcrossentropy": "cross_entropy"}
SQUASH = {"bce": "sigmoid", "cross_entropy": "softmax"}


def describe(model) -> tuple[list, tuple[str, ...], str]:
    """(the Dense layers, the hidden activations, the output activation); RecordError for another model."""
    dense, acts = [], []
    for layer in model.layers:
        kind = type(layer).__name__
        if isinstance(layer, keras.layers.Dense):
            dense.append(layer)
            acts.append(ACTIVATIONS.get(layer.activation.__name__))
        elif isinstance(layer, keras.layers.Activation) and dense and acts[-1] == "linear":
            acts[-1] = ACTIVATIONS.get(layer.activation.__name__)
        else:
            acts.append(None)
        if acts[-1] is None:
            raise RecordError(f"layer {layer.name} ({kind}): nnviz.keras draws Sequential models of Dense layers "
                              f"with the activations {', '.join(ACTIVATIONS)}; use nnviz.Recorder with predict= "
                              "for other models")
    if not dense:
        raise RecordError("the model has no Dense layer")
    if len({layer.use_bias for layer in dense}) > 1:
        raise RecordError("nnviz draws nets whose Dense layers all have a bias, or none")
    return dense, tuple(acts[:-1]), acts[-1]


def loss_name(model) -> str | None:
    """nnviz's name for the model's compiled loss, or None when it has no counterpart."""
    loss = getattr(model, "loss", None)
    name = loss if isinstance(loss, str) else getattr(loss, "name", None) or type(loss).__name__
    return LOSSES.get(str(name).lower().replace(" ", ""))


class Recorder(keras.callbacks.Callback):
    """A Keras callback recording the model as it trains; `render()` and `save()` as nnviz.Recorder's.

    x, y and the keyword arguments (test=, title=, loss=, render=, ...) are nnviz.Recorder's; `every`:
    record after every this many updates (None: nnviz's automatic schedule)."""

    def __init__(self, x, y, every: int | None = None, **kwargs):
        super().__init__()
        if every is not None and (isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1):
            raise RecordError(f"every must be a whole number of updates >= 1, got {every!r}")
        taken = sorted({"activation", "output"} & set(kwargs))
        if taken:
            raise RecordError(f"nnviz.keras.Recorder reads {' and '.join(taken)} from the model; give nnviz.Recorder "
                              "those for a net it cannot read")
        self.every, self.kwargs = every, {"framework": "Keras", **kwargs}
        self.x, self.y = record.arrays(x, y)
        record.Recorder(self.x, self.y, **self.kwargs)  # data, test set and render settings checked now
        self.recorder: record.Recorder | None = None
        self.step = self.total = 0

    def on_train_begin(self, logs=None):
        self.dense, hidden, output = describe(self.model)
        loss = self.kwargs.get("loss") or loss_name(self.model)
        if loss is None:
            loss = record.infer_loss(self.y)
            log.warning("the model's loss %r has no nnviz counterpart: recorded as %s (give loss= to say which)",
                        getattr(self.model, "loss", None), loss)
        self.squash = None
        if loss in SQUASH and output == "linear":  # a crossentropy from logits
            self.squash = output = SQUASH[loss]
        kwargs = {**self.kwargs, "loss": loss, "activation": hidden or None, "output": output}
        if self.recorder is None:  # a second fit() goes on recording where the first stopped
            self.recorder = record.Recorder(self.x, self.y, **kwargs)
        self.total = self.step + int(self.params.get("epochs") or 1) * int(self.params.get("steps") or 1)
        if not self.recorder.records:
            self._record()

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        due = self.step % self.every == 0 if self.every else self.recorder.due(self.step, self.total)
        if due:
            self._record()

    def on_train_end(self, logs=None):
        if self.recorder.records and self.recorder.records[-1]["iteration"] != self.step:
            self._record()

    def _record(self) -> None:
        self.recorder.record(self.step, predict=self.predict, params=self.weights())

    def weights(self) -> dict:
        """The Dense layers' kernels (fan_in, fan_out) and biases, as nnviz names them."""
        out = {}
        for i, layer in enumerate(self.dense):
            out[f"w{i}"] = keras.ops.convert_to_numpy(layer.kernel)
            if layer.use_bias:
                out[f"b{i}"] = keras.ops.convert_to_numpy(layer.bias)
        return out

    def predict(self, inputs):
        """The model's output at inputs (M, d); probabilities for crossentropy losses."""
        out = self.model(keras.ops.convert_to_tensor(inputs, dtype=keras.backend.floatx()), training=False)
        if self.squash == "sigmoid":
            out = keras.ops.sigmoid(out)
        elif self.squash == "softmax":
            out = keras.ops.softmax(out, axis=-1)
        return keras.ops.convert_to_numpy(out)

    def _recorded(self) -> record.Recorder:
        if self.recorder is None:
            raise RecordError("nothing recorded yet: pass the recorder to model.fit(..., callbacks=[recorder])")
        return self.recorder

    def history(self):
        return self._recorded().history()

    def save(self, file):
        return self._recorded().save(file)

    def render(self, out="outputs", name=None, **kwargs):
        """The video of the training recorded so far (nnviz.Recorder.render)."""
        return self._recorded().render(out, name, **kwargs)
