"""Recording a PyTorch net: `nnviz.torch.Recorder(model, x, y)` reads a `torch.nn.Sequential` of `Linear`
layers and activations, and records its predictions and parameters with one call a step.

    import nnviz.torch
    rec = nnviz.torch.Recorder(model, x, y, title="One ReLU neuron")
    for step in range(total):
        if rec.due(step, total):          # or: if step % 20 == 0
            rec.record(step, loss)        # loss: the step's loss (a tensor or a number), or None
        ...                               # the training step
    rec.record(total, loss)
    rec.render(name="torch-neuron")

The net's output is taken as the loss says: for bce and cross_entropy, a model without a final
Sigmoid/Softmax outputs logits (as BCEWithLogitsLoss and CrossEntropyLoss want them), and the
recorder applies the sigmoid/softmax itself. Needs PyTorch (`pip install torch`), imported here only.
"""
from __future__ import annotations

import torch

from . import record
from .record import RecordError

ACTIVATIONS = {"Tanh": "tanh", "ReLU": "relu", "Sigmoid": "sigmoid", "Softplus": "softplus", "SiLU": "silu",
               "ELU": "elu", "LeakyReLU": "leaky_relu", "Identity": "linear", "Softmax": "softmax"}
DEFAULTS = {"Softplus": ("beta", 1.0), "ELU": ("alpha", 1.0), "LeakyReLU": ("negative_slope", 0.01)}


def describe(model) -> tuple[list, tuple[str, ...], str]:
    """(the Linear layers, the hidden activations, the output activation) of a Sequential of Linear layers,
    each followed by at most one activation nnviz knows; RecordError naming the first layer it cannot draw."""
    if not isinstance(model, torch.nn.Sequential):
        raise RecordError(f"nnviz.torch.Recorder needs a torch.nn.Sequential of Linear layers and activations, "
                          f"got {type(model).__name__}; for other models use nnviz.Recorder with predict=")
    linears, acts = [], []
    for i, layer in enumerate(model):
        kind = type(layer).__name__
        if isinstance(layer, torch.nn.Linear):
            if linears and len(acts) < len(linears):
                acts.append("linear")  # two Linear layers in a row
            linears.append(layer)
            continue
        name = ACTIVATIONS.get(kind)
        if kind in DEFAULTS and float(getattr(layer, DEFAULTS[kind][0])) != DEFAULTS[kind][1]:
            name = None  # nnviz's has the default parameter only
        if kind == "Softmax" and layer.dim not in (1, -1):
            name = None
        if name is None or not linears or len(acts) == len(linears):
            raise RecordError(f"layer {i} ({kind}) of the model: nnviz draws Linear layers each followed by "
                              f"one of {', '.join(ACTIVATIONS)} (default parameters); use nnviz.Recorder with "
                              "predict= for other models")
        acts.append(name)
    if not linears:
        raise RecordError("the model has no Linear layer")
    if len(acts) < len(linears):
        acts.append("linear")
    if len({layer.bias is not None for layer in linears}) > 1:
        raise RecordError("nnviz draws nets whose Linear layers all have a bias, or none")
    return linears, tuple(acts[:-1]), acts[-1]


class Recorder(record.Recorder):
    """A nnviz.Recorder for a torch.nn.Sequential: `record(step, loss)` takes the predictions and parameters
    from the model (without gradients). Other keyword arguments are nnviz.Recorder's."""

    def __init__(self, model, x, y, **kwargs):
        self.linears, hidden, output = describe(model)
        self.model = model
        taken = sorted({"activation", "output"} & set(kwargs))
        if taken:
            raise RecordError(f"nnviz.torch.Recorder reads {' and '.join(taken)} from the model; give nnviz.Recorder "
                              "those for a net it cannot read")
        x, y = record.arrays(x, y)
        loss = kwargs.pop("loss", None) or record.infer_loss(y)
        self.squash = None  # the model outputs logits: the recorder applies the loss's output activation
        if loss in record.OUTPUTS and output != record.OUTPUTS[loss]:
            if output != "linear":
                raise RecordError(f"for {loss}, the model must end with a Linear layer (logits) or "
                                  f"{record.OUTPUTS[loss].capitalize()}, not {output}")
            self.squash = output = record.OUTPUTS[loss]
        kwargs.setdefault("framework", "PyTorch")
        super().__init__(x, y, loss=loss, activation=hidden or None, output=output, **kwargs)

    def params(self) -> dict:
        """The model's parameters as nnviz names them: w_i (fan_in, fan_out), b_i (fan_out,)."""
        out = {}
        with torch.no_grad():
            for i, layer in enumerate(self.linears):
                out[f"w{i}"] = layer.weight.detach().cpu().double().numpy().T
                if layer.bias is not None:
                    out[f"b{i}"] = layer.bias.detach().cpu().double().numpy()
        return out

    def predict(self, inputs):
        """The model's predictions (probabilities for bce and cross_entropy) at inputs (M, d), as a tensor.
        (Linear layers and activations behave alike in training and eval mode: the mode is left alone.)"""
        param = self.linears[0].weight
        with torch.no_grad():
            out = self.model(torch.as_tensor(inputs, dtype=param.dtype, device=param.device))
            if self.squash == "sigmoid":
                out = torch.sigmoid(out)
            elif self.squash == "softmax":
                out = torch.softmax(out, dim=1)
            return out  # (the recorder converts it, knowing its precision)

    def record(self, step: int, loss=None) -> None:  # type: ignore[override]
        """Record the model after `step` updates; `loss`: the training loss of that step (or None: nnviz
        computes it over the training set)."""
        # predictions from the model itself: nnviz's NumPy forward pass would be as exact, but its BLAS
        # threads spin after each call and slow PyTorch's own (2-3x on 2 cores, bench_record.py)
        super().record(step, predict=self.predict, loss=loss, params=self.params())
