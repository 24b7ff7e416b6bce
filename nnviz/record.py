"""Recording a net trained elsewhere (any framework, the user's own loop) and rendering it like nnviz's own.

    rec = nnviz.Recorder(x, y, title="My PyTorch net")         # the data the picture shows
    for step in range(3000):
        ...                                                     # the user's training step
        if step % 20 == 0:
            rec.record(step, predict=lambda g: net(torch.from_numpy(g).float()).detach().numpy(),
                       loss=loss.item())
    v = rec.render(name="torch-sine")                           # the same panels, pacing and finish
    rec.save("torch-sine.npz")                                  # `nnviz render torch-sine.npz` renders it

A record holds what nnviz's trainer keeps at a snapshot: the loss (as the user gives it, or computed
over the training set), the predictions on the picture's grid, the mean absolute error and accuracy on
the training set, the test set's numbers, and — with `params` — every parameter, which makes the
network, neurons, landscape and weights panels possible. `Recorder.history()` is a snapshots.History,
so the snapshot file, the pacing and the panels are the ones nnviz's own runs use; `Recording` is the
job of rendering one (from a Recorder, or from a saved file on the command line).
"""
from __future__ import annotations

import json
import logging
import math
import operator
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import limits, snapshots
from .activations import ACTIVATIONS
from .config import RenderConfig
from .datasets import DataError, Dataset, as_arrays, check_targets, column_names, one_hot
from .errors import ConfigError, NnvizError, Problem, one_line
from .losses import LOSSES, as_taken
from .model import Net, layer_views, parameter_index, predict as net_predict
from .snapshots import History
from .train import snapshots_at
from .yamlsrc import plain

log = logging.getLogger(__name__)

OUTPUTS = {"bce": "sigmoid", "cross_entropy": "softmax"}  # the output activation a loss implies; else linear
CONSISTENT = 1e-3  # params must reproduce predict to this fraction of the predictions' range (float32 nets)
PARAM = re.compile(r"^([wb])(\d+)$")


class RecordError(NnvizError):
    """A record (or the recorder's data) that cannot be used; the message says which and why."""


LOW_PRECISION = 2.0 ** -7  # bfloat16's resolution: what a tensor NumPy has no type for is taken to have


def _array(value, what: str) -> np.ndarray:
    """A NumPy float64 array from NumPy, lists, numbers or framework tensors (detached, moved to the CPU);
    RecordError for anything else (strings, complex numbers, objects, values beyond a float)."""
    return _with_resolution(value, what)[0]


def _with_resolution(value, what: str) -> tuple[np.ndarray, float]:
    """(_array(value), the relative resolution of the type it came in: float32's 1.2e-7, float16's 1e-3)."""
    eps = np.finfo(float).eps
    try:
        if hasattr(value, "detach") and callable(value.detach):  # torch.Tensor
            value = value.detach().cpu()
            try:
                value = value.numpy()
            except TypeError:  # bfloat16 and other types NumPy lacks
                value, eps = value.float().numpy(), LOW_PRECISION
        elif hasattr(value, "numpy") and callable(value.numpy) and not isinstance(value, np.ndarray):
            value = value.numpy()  # Keras, TensorFlow and JAX arrays
        a = np.asarray(value)
        if a.dtype.kind not in "fiub":
            raise TypeError(f"{'complex numbers' if a.dtype.kind == 'c' else a.dtype} where numbers belong")
        if a.dtype.kind == "f":
            eps = max(eps, float(np.finfo(a.dtype).eps))
        return a.astype(float), eps
    except (TypeError, ValueError, RuntimeError, NotImplementedError, OverflowError) as exc:
        raise RecordError(f"{what} is not an array of numbers ({one_line(exc)})") from None


def arrays(x, y, names: tuple[str, str] = ("x", "y")) -> tuple[np.ndarray, np.ndarray]:
    """(x (N, d), y (N, k)) float64 from arrays or tensors, checked as datasets.as_arrays checks them."""
    try:
        return as_arrays(_array(x, names[0]), _array(y, names[1]), names)
    except DataError as exc:
        raise RecordError(str(exc)) from None


def infer_loss(y: np.ndarray) -> str:
    """The task a target array (N, k) suggests: bce for one column of 0/1; cross_entropy for class labels
    (one column of whole numbers 0..K-1, every one present, at least two samples a class) or one-hot
    rows; else mse (so counts or ranks are regression)."""
    whole = bool(np.all(y == np.round(y))) and bool(np.all(y >= 0))
    if y.shape[1] == 1 and whole:
        if np.isin(y, (0.0, 1.0)).all():
            return "bce"
        k = int(y.max()) + 1
        return "cross_entropy" if len(np.unique(y)) == k and 2 * k <= len(y) else "mse"
    if y.shape[1] > 1 and np.isin(y, (0.0, 1.0)).all() and np.all(y.sum(axis=1) == 1):
        return "cross_entropy"
    return "mse"


def _name_list(value, what: str, n: int | None = None) -> tuple[str, ...]:
    try:
        names = (value,) if isinstance(value, str) else tuple(value)
    except TypeError:
        names = (None,)
    if not names or not all(isinstance(v, str) for v in names) or (n is not None and len(names) != n):
        raise RecordError(f"{what} must be {'a name or ' if n is None else ''}a list of {n or 'some'} names")
    return names


class Recorder:
    """Collects records of a training run done elsewhere; `render()` makes its video, `save()` its snapshot file.

    x (N, d), y (N,) or (N, k): the training data the picture shows. `loss`: the loss minimised, a name
    from nnviz's losses (mse, sse, mae, bce, cross_entropy; inferred from y when None: 0/1 targets ->
    bce, integer labels or one-hot rows -> cross_entropy, else mse): it names the loss axis, says what
    predictions mean (bce/cross_entropy: probabilities) and computes the test loss. `test=(x, y)`: a
    held-out set, evaluated at every record. `activation` (the hidden layers', a name or one per layer)
    and `output` (default: sigmoid for bce, softmax for cross_entropy, else linear) describe the net
    when records carry `params`. `image=(height, width)`: each input row is an image. `render`: the
    render settings (the keys of a config's `render:` section), kept in the saved file.
    """

    def __init__(self, x, y, *, test=None, title: str = "", loss: str | None = None, activation=None,
                 output: str | None = None, x_names=None, y_names=None, image=None, render=None,
                 framework: str = "Python"):
        x, y = arrays(x, y)
        self.loss_name = loss if loss is not None else infer_loss(y)
        if not isinstance(self.loss_name, str) or self.loss_name not in LOSSES:
            raise RecordError(f"unknown loss {self.loss_name!r}; valid: {', '.join(sorted(LOSSES))}")
        data = self._data(x, y, x_names, y_names, image)
        self.x, self.y, self.image = data.x, data.y, data.image
        self.x_names, self.y_names = data.x_names, data.y_names
        self.test = self._test(test)
        self.grid = None if self.image else data.grid
        self.grid_in_x = self.x.shape[1] > 2 and not self.image  # the picture shows the first samples
        parts = [self.x] if self.grid_in_x or self.grid is None else [self.grid, self.x]
        self.inputs = np.concatenate(parts + ([self.test[0]] if self.test else []))  # one predict call a record
        self.hidden_activation = None if activation is None else _name_list(activation, "activation")
        self.output = output or OUTPUTS.get(self.loss_name, "linear")
        for a in (*(self.hidden_activation or ()), self.output):
            if not isinstance(a, str) or a not in ACTIVATIONS:
                raise RecordError(f"unknown activation {a!r}; valid: {', '.join(sorted(ACTIVATIONS))}")
        self.title = str(title or "") or "recorded training"
        self.render_settings = plain(render or {})
        look(self.render_settings, self.title, "Recorder")  # (render settings checked now, not at the end)
        self.framework = framework
        self.net: Net | None = None  # from the first record's params
        self.shapes: list = []  # its parameters' names and shapes, in nnviz's order
        self.keep_theta = False
        self.records: list[dict] = []
        self.held = 0  # bytes the records' arrays hold
        self.diverged_at = -1
        self._schedule: tuple[int | None, frozenset] = (None, frozenset())  # (total, steps): due()'s

    # --- the data --------------------------------------------------------------------------------------
    def _data(self, x, y, x_names, y_names, image) -> Dataset:
        default = Dataset(x, y, column_names("x", x.shape[1]), column_names("y", y.shape[1]))
        data = Dataset(x, y, default.x_names if x_names is None else _name_list(x_names, "x_names", x.shape[1]),
                       default.y_names if y_names is None else _name_list(y_names, "y_names", y.shape[1]),
                       self._image(image, x.shape[1]))
        try:
            if self.loss_name == "cross_entropy" and y.shape[1] == 1:
                data = one_hot(data, "y: ")
            elif self.loss_name in OUTPUTS:
                check_targets(data, self.loss_name, "y: ")
        except DataError as exc:
            raise RecordError(str(exc)) from None
        return data

    @staticmethod
    def _image(image, d: int) -> tuple[int, int] | None:
        if image is None:
            return None
        try:
            h, w = (operator.index(v) for v in image)  # whole numbers only: 3.7 is not a height
        except (TypeError, ValueError):
            raise RecordError(f"image must be (height, width) in whole numbers, got {image!r}") from None
        if h < 1 or w < 1 or h * w != d:
            raise RecordError(f"image {h}x{w} does not match the {d} inputs of x")
        return h, w

    def _test(self, test) -> tuple[np.ndarray, np.ndarray] | None:
        if test is None:
            return None
        if not isinstance(test, (tuple, list)) or len(test) != 2:
            raise RecordError("test must be a pair (x_test, y_test)")
        tx, ty = arrays(*test, names=("x_test", "y_test"))
        try:
            if self.loss_name == "cross_entropy" and ty.shape[1] == 1 and self.y.shape[1] > 1:
                ty = one_hot(Dataset(tx, ty, (), ()), "y_test: ").y
                if ty.shape[1] > self.y.shape[1]:
                    raise DataError(f"y_test has class labels up to {ty.shape[1] - 1}; the training set's "
                                    f"classes are 0 to {self.y.shape[1] - 1}")
                ty = np.pad(ty, ((0, 0), (0, self.y.shape[1] - ty.shape[1])))
            elif self.loss_name in OUTPUTS:
                check_targets(Dataset(tx, ty, (), ()), self.loss_name, "y_test: ")
        except DataError as exc:
            raise RecordError(str(exc)) from None
        for what, a, b in (("columns of x_test", tx, self.x), ("columns of y_test", ty, self.y)):
            if a.shape[1] != b.shape[1]:
                raise RecordError(f"the {what} ({a.shape[1]}) differ from the training set's ({b.shape[1]})")
        return tx, ty

    # --- records ---------------------------------------------------------------------------------------
    def due(self, step: int, total: int) -> bool:
        """Whether `step` (of `total` updates) is one nnviz's own trainer would snapshot (`snapshot_every:
        auto`): every step at first, then sparser, 400 in all, the last among them. Recording on this
        schedule gives the video's pacing the early steps, where learning is fastest."""
        if self._schedule[0] != total:
            if isinstance(total, bool) or not isinstance(total, (int, np.integer)) or not \
                    1 <= total <= limits.current().iterations:
                raise RecordError(f"due(step, total): total must be the number of updates, a whole number from 1 "
                                  f"to {limits.current().iterations:,}, got {total!r}")
            self._schedule = (total, frozenset(int(i) for i in snapshots_at(None, int(total))))
        return int(step) in self._schedule[1]

    def record(self, step: int, predict=None, loss=None, params=None) -> None:
        """Record the model after `step` updates (steps must increase; 0 is before training).

        predict: a function from inputs (G, d) float64 to predictions (G, k) or (G,) (probabilities for
        bce and cross_entropy); it is called once a record, on the picture's grid, the training set and
        the test set together. loss: the training loss the user computed, recorded as given (None: nnviz
        computes it over the training set). params: {"w0": (fan_in, fan_out), "b0": (fan_out,), "w1": ...}
        (arrays or tensors); with them predict may be None (nnviz's forward pass computes predictions).
        A non-finite loss or prediction records divergence: later records are ignored."""
        if self.diverged_at >= 0:
            log.debug("record(step=%s) ignored: training diverged at %d", step, self.diverged_at)
            return
        step = self._step(step)
        theta, net = self._params(params, step) if params is not None else (None, self.net)
        if self.records and (theta is None) != (self.records[0]["theta"] is None):
            raise RecordError(f"record(step={step}): give params at every record or at none")
        if predict is None and theta is None:
            raise RecordError(f"record(step={step}): give predict= (a function of the inputs) or params=")
        if predict is not None and not callable(predict):
            raise RecordError(f"record(step={step}): predict must be a function of the inputs, got "
                              f"{type(predict).__name__}")
        pred, eps = self._predict(predict, net, theta, step)
        finite = bool(np.isfinite(pred).all())
        if finite and predict is not None and theta is not None and not self.records:
            self._check_params(net, theta, pred, eps, step)
        if finite:
            self._check_range(pred, step)
        entry = self._measure(step, pred, loss, theta, net)
        lim = limits.current()
        held = self.held + sum(a.nbytes for a in (entry["pred"], entry["theta"], entry["first_weights"])
                               if a is not None)
        too_many = lim.check("frames", len(self.records) + 1, "the number of records") or \
            lim.check("file_bytes", held, "the bytes the records hold (their snapshot file's size)")
        if too_many:
            raise RecordError(f"record(step={step}): {too_many}; record less often")
        self.records.append(entry)  # (nothing above changed the recorder: a failed record leaves no trace)
        self.held, self.net = held, net
        if net is not None and not self.shapes:
            self.shapes, self.keep_theta = net.shapes(), net.n_params <= snapshots.KEEP_THETA_UP_TO
        if not finite or not math.isfinite(entry["loss"]):
            self.diverged_at = step
            log.warning("%s: training diverged at step %d (a loss or prediction is not finite)", self.title, step)

    def _step(self, step) -> int:
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)) and not (
                isinstance(step, (float, np.floating)) and float(step).is_integer()):
            raise RecordError(f"record(step={step!r}): the step must be a whole number (the updates done)")
        step = int(step)
        if not 0 <= step <= limits.current().iterations:
            raise RecordError(f"record(step={step}): the step must be from 0 to {limits.current().iterations:,} "
                              "(the iterations limit)")
        if self.records and step <= self.records[-1]["iteration"]:
            raise RecordError(f"record(step={step}) after step {self.records[-1]['iteration']}: steps must "
                              "increase (record each step once, in order)")
        return step

    def _params(self, params, step: int) -> tuple[np.ndarray, Net]:
        """(params as one flat vector (P,) in nnviz's order w0, b0, w1, ..., the net they describe); the
        first record's fixes the net."""
        where = f"record(step={step}): params"
        if not isinstance(params, dict):
            raise RecordError(f"{where} must be a dict like {{'w0': ..., 'b0': ..., 'w1': ...}}")
        arrays = {str(k): _array(v, f"{where}[{k!r}]") for k, v in params.items()}
        if self.net is not None and len(arrays) == len(self.shapes) and \
                all(k in arrays and arrays[k].shape == shape for k, shape in self.shapes):  # as before: quick
            return np.concatenate([arrays[k].ravel() for k, _ in self.shapes]), self.net
        bad = [k for k in arrays if not PARAM.match(k)]
        layers = sum(1 for k in arrays if k.startswith("w"))
        want = [f"w{i}" for i in range(layers)]
        bias = any(k.startswith("b") for k in arrays)
        want += [f"b{i}" for i in range(layers)] if bias else []
        if bad or not layers or sorted(arrays) != sorted(want):
            raise RecordError(f"{where} must be w0, w1, ... (and b0, b1, ... for every layer or none), got "
                              f"{', '.join(sorted(arrays)) or 'nothing'}")
        sizes = [self.x.shape[1]]
        for i in range(layers):
            w = arrays[f"w{i}"]
            if w.ndim != 2 or w.shape[0] != sizes[-1]:
                raise RecordError(f"{where}: w{i} has shape {w.shape}, expected ({sizes[-1]}, fan_out): "
                                  "(fan_in, fan_out), the transpose of PyTorch's Linear.weight")
            sizes.append(w.shape[1])
            if bias and arrays[f"b{i}"].shape != (w.shape[1],):
                raise RecordError(f"{where}: b{i} has shape {arrays[f'b{i}'].shape}, expected ({w.shape[1]},)")
        if sizes[-1] != self.y.shape[1]:
            raise RecordError(f"{where}: the last layer has {sizes[-1]} outputs, y has {self.y.shape[1]} columns")
        net = self._net(tuple(sizes), bias, where)
        if self.net is not None and net != self.net:
            raise RecordError(f"{where}: the net's shape changed from {'-'.join(map(str, self.net.sizes))} "
                              f"to {'-'.join(map(str, net.sizes))}")
        return np.concatenate([arrays[k].ravel() for k, _ in net.shapes()]), net

    def _net(self, sizes: tuple[int, ...], bias: bool, where: str) -> Net:
        hidden = len(sizes) - 2
        acts = self.hidden_activation
        if hidden and acts is None:
            raise RecordError(f"{where}: give Recorder(activation=...), the hidden layers' activation "
                              f"(one of {', '.join(sorted(ACTIVATIONS))}), to draw the net from its params")
        acts = acts or ()
        if hidden and len(acts) not in (1, hidden):
            raise RecordError(f"{where}: {len(acts)} activations for {hidden} hidden layers")
        return Net(sizes, (*(acts * hidden if len(acts) == 1 else acts), self.output), bias)

    def _predict(self, predict, net, theta, step: int) -> tuple[np.ndarray, float]:
        """(predictions (M, k) at self.inputs, their resolution): from predict, else from params through
        nnviz's forward pass."""
        if predict is None:
            return net_predict(net, layer_views(net, theta), self.inputs), np.finfo(float).eps
        try:
            out = predict(self.inputs.copy())
        except Exception as exc:  # the user's function: whatever it raises is this record's error
            raise RecordError(f"record(step={step}): predict raised {one_line(exc)}") from exc
        out, eps = _with_resolution(out, f"record(step={step}): what predict returned")
        m, k = len(self.inputs), self.y.shape[1]
        if out.shape == (m,) and k == 1:
            out = out[:, None]
        if out.shape != (m, k):
            raise RecordError(f"record(step={step}): predict returned shape {out.shape} for {m} inputs; "
                              f"expected ({m}, {k})" + (f" or ({m},)" if k == 1 else ""))
        return out, eps

    def _check_params(self, net, theta, pred, eps: float, step: int) -> None:
        """params must describe the net predict calls: the same predictions from nnviz's forward pass, to
        CONSISTENT of their scale (more for a net computing in fewer bits, such as bfloat16)."""
        ours = net_predict(net, layer_views(net, theta), self.inputs)
        scale = max(float(np.ptp(pred)), float(np.abs(pred).max()), 1e-12)
        worst = float(np.nanmax(np.abs(ours - pred))) if np.isfinite(ours).all() else math.inf
        if worst > CONSISTENT * scale + 8 * eps * max(1.0, scale):  # (bfloat16 rounds at 1 in 128)
            raise RecordError(
                f"record(step={step}): params do not reproduce predict (they differ by up to {worst:.3g}): "
                f"w_i must be (fan_in, fan_out), the transpose of PyTorch's Linear.weight, and the activations "
                f"must be the net's (here: {', '.join(net.activations)}; set Recorder(activation=..., "
                "output=...))")

    def _check_range(self, pred, step: int) -> None:
        if self.loss_name == "bce" and (pred.min() < 0 or pred.max() > 1):
            raise RecordError(f"record(step={step}): for bce, predict must return probabilities in [0, 1], got "
                              f"values from {pred.min():.3g} to {pred.max():.3g} (apply a sigmoid to logits)")
        if self.loss_name == "cross_entropy" and (pred.min() < 0 or np.abs(pred.sum(axis=1) - 1).max() > 1e-3):
            raise RecordError(f"record(step={step}): for cross_entropy, predict must return class probabilities "
                              "(rows that sum to 1; apply a softmax to logits)")

    def _measure(self, step: int, pred: np.ndarray, loss, theta, net) -> dict:
        """One record: what nnviz's trainer keeps in a snapshot."""
        fn = LOSSES[self.loss_name]
        g = 0 if self.grid_in_x or self.grid is None else len(self.grid)
        n = len(self.x)
        px, pt = pred[g : g + n], pred[g + n :]
        with np.errstate(all="ignore"):
            taken = as_taken(fn, px)
            if loss is None:
                loss = fn.value(taken, self.y)
            try:
                loss = float(_array(loss, f"record(step={step}): loss"))
            except (TypeError, ValueError):
                raise RecordError(f"record(step={step}): loss must be one number, got {loss!r}") from None
            acc = fn.accuracy(taken, self.y) if fn.accuracy else math.nan
            test = (math.nan,) * 3
            if self.test:
                tt = as_taken(fn, pt)
                test = (fn.value(tt, self.test[1]), float(np.mean(np.abs(self.test[1] - pt))),
                        fn.accuracy(tt, self.test[1]) if fn.accuracy else math.nan)
            first = None
            if self.image and theta is not None and net.n_layers > 1:
                u = min(snapshots.FIRST_WEIGHTS, net.sizes[1])
                first = theta[: self.x.shape[1] * net.sizes[1]].reshape(self.x.shape[1], -1)[:, :u].T.copy()
            return {"iteration": step, "loss": loss, "mae": float(np.mean(np.abs(self.y - px))), "accuracy": acc,
                    "test": test, "pred": None if self.grid is None else pred[: len(self.grid)].copy(),
                    "theta": theta, "first_weights": first}

    # --- the run as nnviz sees it ---------------------------------------------------------------------
    def history(self) -> History:
        """The records as a snapshots.History (what a snapshot file holds); RecordError with fewer than two."""
        r = self.records
        if len(r) == 1 and self.diverged_at >= 0:
            r = r * 2  # diverged at the first record: as nnviz's trainer does, the state then is shown twice
        if len(r) < 2:
            raise RecordError(f"{self.title}: {len(r)} record(s); a video needs at least two (record the "
                              "start, step 0, and later steps)")
        net = self.net or Net((self.x.shape[1], self.y.shape[1]), (self.output,))
        theta = self.keep_theta
        col = lambda k: np.array([rec[k] for rec in r], dtype=float)  # noqa: E731
        acc = col("accuracy")
        test = None
        if self.test:
            t = np.array([rec["test"] for rec in r], dtype=float)
            test = {"loss": t[:, 0], "mae": t[:, 1], "accuracy": t[:, 2]}
            if theta or not self.image:
                test.update(x=self.test[0], y=self.test[1])
        samples = theta or not self.image
        return History(
            iteration=np.array([rec["iteration"] for rec in r], dtype=np.int64), loss=col("loss"), mae=col("mae"),
            net=net, loss_name=self.loss_name, summary=self._summary(net), x_names=self.x_names,
            y_names=self.y_names, config=json.dumps({"title": self.title, "render": self.render_settings}),
            diverged_at=self.diverged_at, train_key="", grid_x=self.grid,
            grid_pred=np.stack([rec["pred"] for rec in r]) if self.grid is not None else None,
            x=self.x if samples else None, y=self.y if samples else None,
            theta=np.stack([rec["theta"] for rec in r]) if theta else None,
            accuracy=acc if np.isfinite(acc).any() else None, test=test,
            first_weights=np.stack([rec["first_weights"] for rec in r]) if r[0]["first_weights"] is not None
            else None,
            image_shape=self.image, recorded=self.framework,
        )

    def _summary(self, net: Net) -> str:
        if self.net is None:
            what = f"{self.x.shape[1]} input{'s' * (self.x.shape[1] > 1)}, {self.y.shape[1]} output" \
                   f"{'s' * (self.y.shape[1] > 1)}"
        else:
            what = net.words()
        return "  ·  ".join([what, f"recorded in {self.framework}", f"{len(self.x):,} samples"])

    def save(self, file: str | Path) -> Path:
        """Write the recording as a snapshot file, FILE.npz (`nnviz render FILE.npz` renders it); return
        its path. RecordError when it cannot be written (nothing is left half-written)."""
        if not isinstance(file, (str, Path)) or Path(file).suffix.lower() != ".npz":
            raise RecordError(f"save({file!r}): give a file name ending in .npz (the command line knows a "
                              "recording by it)")
        file = Path(file)
        history = self.history()
        try:
            snapshots.save(history, file)
        except OSError as exc:
            raise RecordError(f"cannot write {file}: {exc.strerror or exc}") from None
        return file

    def render(self, out: str | Path = "outputs", name: str | None = None, *, overrides=(), force: bool = False,
               formats=None, progress: bool = False):
        """Render the recording into out/name/ like `nnviz.render` renders a config; return the nnviz.Video.
        `name`: the outputs' name (default: the title made into a file name); `overrides`: `--set` items
        of render settings ("render.fps=24", "title=..."); `formats`: instead of render.formats."""
        from .api import name_of, render_job

        stem = name_of({"title": self.title}, name)
        return render_job(recording(self.history(), stem, overrides), out, force, formats, progress)


# --- rendering a recording --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Recording:
    """A recorded run as a render job: the title and render settings it is drawn with, and its History."""

    source: str  # the snapshot file, or the name given to Recorder.render: the outputs are named after it
    title: str
    render: RenderConfig
    history: History = field(repr=False, compare=False)
    overrides: tuple[str, ...] = ()  # the --set items, as given

    @property
    def runs(self) -> tuple:
        return ()  # nothing to train


def look(raw_render, title: str, source: str, overrides=()) -> tuple[str, RenderConfig]:
    """(title, RenderConfig) from render settings (a config's `render:` mapping) and `--set` items of the
    title or render keys; ConfigError naming the key of anything wrong."""
    from .experiment import from_mapping

    raw = {"title": title, "render": raw_render if raw_render is not None else {}}
    problems = [Problem(source, None, "", f"--set {item}: a recording's training is done; only title and "
                        "render.* can be set") for item in overrides
                if str(item).split("=", 1)[0].strip().split(".")[0] not in ("title", "render")]
    if problems:
        raise ConfigError(problems)
    cfg = from_mapping(raw, source, {}, list(overrides))
    return cfg.title, cfg.render


def recording(history: History, source: str, overrides=()) -> Recording:
    """The job of rendering `history` (a recording) with the title and render settings stored in it and
    `overrides`; ConfigError when they are wrong or its panels do not fit it."""
    from .draw.panels import choose

    try:
        stored = json.loads(history.config) if history.config.startswith("{") else {}
    except (ValueError, RecursionError):
        stored = {}  # (a recording's own is a small mapping; anything else is not kept)
    stored = stored if isinstance(stored, dict) else {}
    title, render = look(stored.get("render"), str(stored.get("title") or Path(source).stem), source, overrides)
    image = history.image_shape is not None
    try:
        choose(render.panels, history.net, history.loss_name, image, snapshots.keep_of(history),
               no_theta="the recording has no parameters (record params=, or use nnviz.torch / nnviz.keras)")
    except ValueError as exc:
        raise ConfigError([Problem(source, None, "render.panels", str(exc))]) from None
    if "landscape" in (render.panels or ()):
        for k, name in enumerate(render.landscape.weights):
            try:
                parameter_index(history.net, name)
            except ValueError as exc:
                raise ConfigError([Problem(source, None, f"render.landscape.weights[{k}]", str(exc))]) from None
    over = render.over_limits(len(history.iteration), int(history.iteration[-1]), limits.current())
    if over:
        raise ConfigError([Problem(source, None, ".".join(k), message) for k, message in over])
    return Recording(source, title, render, history, tuple(overrides))


def load_recording(file: str | Path, overrides=()) -> Recording:
    """The Recording in a snapshot file saved by Recorder.save; ConfigError when the file is not one."""
    file = str(file)
    try:
        snapshots.check_file(file)
        history = snapshots.load(file)
    except FileNotFoundError:
        raise ConfigError([Problem(file, None, "", "no such file")]) from None
    except (OSError, ValueError) as exc:
        raise ConfigError([Problem(file, None, "", f"not a recording saved by nnviz.Recorder: {exc}")]) from None
    if not history.recorded:
        raise ConfigError([Problem(file, None, "", "not a recording but the snapshots of nnviz's own training: "
                                   "render the config it was made from")])
    if len(history.iteration) < 2:
        raise ConfigError([Problem(file, None, "", "not a usable recording: it needs two or more records")])
    return recording(history, file, overrides)


__all__ = ["Recorder", "RecordError", "Recording", "load_recording", "recording", "infer_loss"]
