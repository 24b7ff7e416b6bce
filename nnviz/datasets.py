"""Data sets: name -> DatasetSpec(params, make). make(params, rng) -> Dataset of float arrays."""
from __future__ import annotations

import csv
import gzip
import io
import math
import struct
import zlib
from pathlib import Path
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import limits
from .errors import unpickled
from .files import check_regular, npz_headers, read_regular_file
from .registry import Registry
from .schema import (REQUIRED, Param, at_least, file_path, in_range, integer, nonnegative, number, numbers, positive,
                     rows, string)

GRID_POINTS = 200  # prediction points across a 1-D input range
MESH_POINTS = 60  # a 2-D input's picture is a 60 x 60 mesh of predictions
SAMPLES_DRAWN = 2000  # wider input: the picture shows the predictions of at most this many samples


@dataclass(frozen=True)
class Dataset:
    """Training data: x (N, d) and y (N, k), float64; names of the input and target columns."""

    x: np.ndarray
    y: np.ndarray
    x_names: tuple[str, ...]
    y_names: tuple[str, ...]
    image: tuple[int, int] | None = None  # (height, width) when each input row is an image

    @property
    def grid(self) -> np.ndarray:
        """Where the picture needs predictions: a dense line (G, 1) for 1-D input, a G x G mesh (G*G, 2) in
        rows of constant x1 for 2-D input, else the first samples x[:SAMPLES_DRAWN] (a view of x)."""
        if self.x.shape[1] == 2:
            (lo0, hi0), (lo1, hi1) = (_padded(self.x[:, j], 0.1) for j in (0, 1))
            g0, g1 = np.meshgrid(np.linspace(lo0, hi0, MESH_POINTS), np.linspace(lo1, hi1, MESH_POINTS))
            return np.stack([g0.ravel(), g1.ravel()], axis=1)
        if self.x.shape[1] != 1:
            return self.x[:SAMPLES_DRAWN]
        lo, hi = _padded(self.x[:, 0], 0.05)
        return np.linspace(lo, hi, GRID_POINTS)[:, None]


def _padded(v: np.ndarray, frac: float) -> tuple[float, float]:
    lo, hi = float(v.min()), float(v.max())
    pad = frac * (hi - lo or 1.0)
    return lo - pad, hi + pad


class DataError(ValueError):
    """Data that cannot be used; the message names the file (and row) when there is one."""


@dataclass(frozen=True)
class DatasetSpec:
    params: dict[str, Param]
    make: Callable[[dict, np.random.Generator], Dataset]
    doc: str


DATASETS: Registry[DatasetSpec] = Registry("dataset")

_SAMPLES = Param(100, integer, "number of points", at_least(1))
_NOISE = Param(0.2, number, "standard deviation of the Gaussian noise added to y", nonnegative)


def _register(name: str, params: dict, doc: str):
    def add(make):
        DATASETS.register(name)(DatasetSpec(params, make, doc))
        return make

    return add


def _one_d(x, y, name="y"):
    return Dataset(x[:, None], y[:, None], ("x",), (name,))


@_register("sine", {"samples": _SAMPLES, "noise": _NOISE,
                    "low": Param(0.0, number, "smallest x"), "high": Param(2 * math.pi, number, "largest x", shown="6.2832 (2π)")},
           "y = sin(x) + noise, x evenly spaced on [low, high] (seed 000)")
def _sine(p, rng):
    x = np.linspace(p["low"], p["high"], p["samples"])
    return _one_d(x, np.sin(x) + p["noise"] * rng.standard_normal(x.shape))


@_register("bilinear", {"samples": Param(1000, integer, "number of points", at_least(1)),
                        "noise": Param(0.1, number, "standard deviation of the noise", nonnegative),
                        "low": Param(0.0, number, "smallest x"), "high": Param(3.0, number, "largest x")},
           "y = 0 for x <= 1, 2(x - 1) above, + noise; x uniform on [low, high] (seed 001)")
def _bilinear(p, rng):
    x = np.sort(rng.uniform(p["low"], p["high"], p["samples"]))
    return _one_d(x, np.where(x <= 1, 0.0, 2 * (x - 1)) + p["noise"] * rng.standard_normal(x.shape))


@_register("linear", {"samples": _SAMPLES, "noise": _NOISE,
                      "coef": Param((2.0, 1.0, 0.0), numbers, "y = coef . x; one input per coefficient"),
                      "low": Param(0.0, number, "inputs uniform from"), "high": Param(1.0, number, "inputs uniform to")},
           "y = coef . x + noise, x uniform on [low, high]^d (seed 004)")
def _linear(p, rng):
    coef = np.asarray(p["coef"], dtype=float)
    x = rng.uniform(p["low"], p["high"], (p["samples"], coef.size))
    y = x @ coef + p["noise"] * rng.standard_normal(p["samples"])
    return Dataset(x, y[:, None], tuple(f"x{i}" for i in range(coef.size)), ("y",))


@_register("xor3", {}, "the 4-row table of seed 002: inputs x0 x1 1, target x0 XOR x1")
def _xor3(p, rng):
    x = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    return Dataset(x, np.array([[0.0], [1.0], [1.0], [0.0]]), ("x0", "x1", "1"), ("y",))


@_register("table", {"x": Param(REQUIRED, rows, "rows of inputs, [[0, 0, 1], ...] (or a list of numbers for 1-D)"),
                     "y": Param(REQUIRED, rows, "targets, one per row: [0, 1, ...] or [[0, 1], ...]")},
           "rows written inline in the config")
def _table(p, rng):
    x, y = _as_2d(np.asarray(p["x"], dtype=float)), _as_2d(np.asarray(p["y"], dtype=float))
    if len(x) != len(y):
        raise DataError(f"x has {len(x)} rows but y has {len(y)}")
    return Dataset(x, y, column_names("x", x.shape[1]), column_names("y", y.shape[1]))


@_register("file", {"path": Param(REQUIRED, file_path, ".npz with arrays x (N, d) and y (N,) or (N, k), or a .csv"),
                    "target": Param(None, lambda v: (v,) if isinstance(v, str) else tuple(string(s) for s in v),
                                    "the .csv column(s) that are y (default: the last column)")},
           "a .npz or .csv file")
def _file(p, rng):
    file = p["path"]
    if file.endswith(".csv"):
        return _read_csv(file, p["target"])
    try:
        check_regular(file)
        arrays = npz_headers(file)  # shapes first: refuse what is too large before unpacking it
        if "x" not in arrays or "y" not in arrays:
            raise DataError(f"{file}: needs arrays 'x' and 'y', has {', '.join(arrays) or 'none'}")
        lim = limits.current()
        for name in ("x", "y"):
            shape, dtype = arrays[name]
            if dtype.hasobject:
                raise DataError(f"{file}: {unpickled(ValueError('allow_pickle'))}")
            problem = (lim.check("samples", shape[0] if shape else 1, f"the rows of {name}")
                       or lim.check("memory", math.prod(shape) * 8 * 3, f"the bytes of {name} as numbers (x 3)"))
            if problem:
                raise DataError(f"{file}: {problem}")
        with np.load(file) as data:
            x, y = _as_2d(np.asarray(data["x"], dtype=float)), _as_2d(np.asarray(data["y"], dtype=float))
    except FileNotFoundError:
        raise DataError(f"data file not found: {file}") from None
    except DataError:
        raise
    except Exception as exc:  # (ValueError from check_regular too)
        raise DataError(f"cannot read data file {file}: {unpickled(exc)}") from None
    if len(x) != len(y):
        raise DataError(f"{file}: x has {len(x)} rows but y has {len(y)}")
    _check_finite(file, x, y)
    return Dataset(x, y, column_names("x", x.shape[1]), column_names("y", y.shape[1]))


def _read_csv(file: str, target) -> Dataset:
    try:
        text = read_regular_file(file, limits.current().file_bytes, "file_bytes").decode("utf-8-sig")
        table = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
    except ValueError as exc:  # not a regular file, over the limit, or not UTF-8
        raise DataError(f"{file}: {exc}") from None
    except FileNotFoundError:
        raise DataError(f"data file not found: {file}") from None
    except csv.Error as exc:
        raise DataError(f"{file}: not a CSV file nnviz can read: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read data file {file}: {exc}") from None
    if len(table) < 2:
        raise DataError(f"{file}: needs a header row and at least one data row")
    header = [h.strip() for h in table[0]]
    target = tuple(target) if target else (header[-1],)
    missing = [t for t in target if t not in header]
    if missing:
        raise DataError(f"{file}: no column {', '.join(missing)}; columns: {', '.join(header)}")
    values = np.empty((len(table) - 1, len(header)))
    for i, r in enumerate(table[1:], start=2):
        if len(r) != len(header):
            raise DataError(f"{file}: row {i} has {len(r)} values, the header has {len(header)}")
        try:
            values[i - 2] = [float(v) for v in r]
        except ValueError:
            raise DataError(f"{file}: row {i} has a value that is not a number") from None
    ycols = [header.index(t) for t in target]
    xcols = [j for j in range(len(header)) if j not in ycols]
    if not xcols:
        raise DataError(f"{file}: no input columns left besides the target")
    x, y = values[:, xcols], values[:, ycols]
    _check_finite(file, x, y, first_row=2)
    return Dataset(x, y, tuple(header[j] for j in xcols), target)


def _check_finite(file, x, y, first_row=0):
    bad = ~(np.isfinite(x).all(axis=1) & np.isfinite(y).all(axis=1))
    if bad.any():
        row = int(np.argmax(bad)) + first_row
        raise DataError(f"{file}: row {row} has NaN or infinite values")


def as_arrays(x, y, names: str = "xy") -> tuple[np.ndarray, np.ndarray]:
    """(x (N, d), y (N, k)) float64 from arrays given in Python (NumPy, lists, tensors that convert): one or
    two dimensions, numbers, finite, the same number of rows, within the samples and memory limits;
    DataError saying what is wrong, calling them by `names`."""
    out = []
    for label, a in zip(names, (x, y)):
        try:
            a = np.asarray(a, dtype=float)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise DataError(f"{label} is not an array of numbers ({exc})") from None
        if a.ndim == 1:
            a = a[:, None]
        if a.ndim != 2 or not a.size:
            raise DataError(f"{label} must have one or two dimensions (samples, columns) and some values, "
                            f"got shape {a.shape}")
        if not np.isfinite(a).all():
            row = int(np.flatnonzero(~np.isfinite(a).all(axis=1))[0])
            raise DataError(f"{label} has a value that is not finite (NaN or infinite) in row {row}")
        out.append(a)
    if len(out[0]) != len(out[1]):
        raise DataError(f"{names[0]} has {len(out[0])} rows but {names[1]} has {len(out[1])}")
    lim = limits.current()
    for label, a in zip(names, out):
        problem = lim.check("samples", len(a), f"the rows of {label}") or \
            lim.check("memory", a.size * 8 * 3, f"the bytes of {label} as numbers (x 3)")
        if problem:
            raise DataError(problem)
    return out[0], out[1]


def _as_2d(a: np.ndarray) -> np.ndarray:
    return a[:, None] if a.ndim == 1 else a


def column_names(prefix: str, n: int) -> tuple[str, ...]:
    """Names of n columns: "x" for one, "x0", "x1", ... for more."""
    return (prefix,) if n == 1 else tuple(f"{prefix}{i}" for i in range(n))


# --- 2-D sets in the TensorFlow Playground family: inputs (N, 2), labels 0/1 (N, 1) or one-hot (N, k) ---
_SAMPLES2 = Param(200, integer, "number of points", at_least(2))
_NOISE2 = Param(0.5, number, "standard deviation of the Gaussian noise added to each input", nonnegative)


def _classes(x, labels, k):
    y = labels[:, None].astype(float) if k == 2 else np.eye(k)[labels]
    names = ("class",) if k == 2 else tuple(f"class {i}" for i in range(k))
    return Dataset(x, y, ("x0", "x1"), names)


@_register("circle", {"samples": _SAMPLES2, "noise": _NOISE2,
                      "radius": Param(5.0, number, "radius of the outer ring", positive)},
           "class 1 inside a disc, class 0 on a ring around it (Playground's circle)")
def _circle(p, rng):
    n, r = p["samples"], p["radius"]
    inner = np.arange(n) < n // 2
    rad = np.where(inner, rng.uniform(0, 0.5 * r, n), rng.uniform(0.7 * r, r, n))
    ang = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([rad * np.sin(ang), rad * np.cos(ang)], axis=1) + p["noise"] * rng.standard_normal((n, 2))
    return _classes(x, inner.astype(int), 2)


@_register("xor", {"samples": _SAMPLES2, "noise": _NOISE2},
           "class 1 where x0 and x1 have the same sign, on [-5, 5]^2 (Playground's exclusive or)")
def _xor(p, rng):
    n = p["samples"]
    x = rng.uniform(-5, 5, (n, 2))
    x += np.sign(x) * 0.3  # a gap along the axes, as Playground leaves
    labels = (x[:, 0] * x[:, 1] > 0).astype(int)
    return _classes(x + p["noise"] * rng.standard_normal((n, 2)), labels, 2)


@_register("gauss", {"samples": _SAMPLES2, "noise": Param(1.0, number, "standard deviation of each blob", positive),
                     "classes": Param(2, integer, "number of blobs (classes)", at_least(2))},
           "Gaussian blobs, one per class, on a circle of radius 3")
def _gauss(p, rng):
    n, k = p["samples"], p["classes"]
    labels = np.arange(n) % k
    angle = 2 * np.pi * labels / k + (np.pi / 4 if k == 2 else 0)
    centres = 3 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return _classes(centres + p["noise"] * rng.standard_normal((n, 2)), labels, k)


@_register("spiral", {"samples": _SAMPLES2, "noise": _NOISE2,
                      "classes": Param(2, integer, "number of arms (classes)", at_least(2))},
           "interleaved spiral arms, one per class (Playground's spiral)")
def _spiral(p, rng):
    n, k = p["samples"], p["classes"]
    labels = np.arange(n) % k
    s = (np.arange(n) // k) / max(1, (n - 1) // k)  # 0 .. 1 along each arm
    r = 5 * s
    t = 1.75 * s * 2 * np.pi + 2 * np.pi * labels / k
    x = np.stack([r * np.sin(t), r * np.cos(t)], axis=1) + p["noise"] * rng.standard_normal((n, 2))
    return _classes(x, labels, k)


@_register("moons", {"samples": _SAMPLES2, "noise": Param(0.1, number, "standard deviation of the noise", nonnegative)},
           "two interleaving half circles")
def _moons(p, rng):
    n = p["samples"]
    labels = np.arange(n) % 2
    t = rng.uniform(0, np.pi, n)
    x = np.where(labels[:, None] == 0, np.stack([np.cos(t), np.sin(t)], 1),
                 np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1))
    return _classes(x + p["noise"] * rng.standard_normal((n, 2)), labels, 2)


@_register("plane", {"samples": _SAMPLES2, "noise": Param(0.1, number, "standard deviation of the noise", nonnegative)},
           "2-D regression: y = (x0 + x1) / 10 + noise on [-5, 5]^2 (Playground's plane)")
def _plane(p, rng):
    n = p["samples"]
    x = rng.uniform(-5, 5, (n, 2))
    y = (x[:, 0] + x[:, 1]) / 10 + p["noise"] * rng.standard_normal(n)
    return Dataset(x, y[:, None], ("x0", "x1"), ("y",))


COMMON = {"test_fraction": Param(0.0, number, "fraction of the samples held out as a test set (loss and accuracy "
                                              "are recorded on both)", in_range(0.0, 0.9, hi_open=False))}


def split(data: Dataset, fraction: float, rng: np.random.Generator) -> tuple[Dataset, tuple[np.ndarray, np.ndarray]]:
    """(training set, (x_test, y_test)): a random `fraction` of the rows held out."""
    n_test = int(round(fraction * len(data.x)))
    if n_test == 0:
        return data, (data.x[:0], data.y[:0])
    order = rng.permutation(len(data.x))
    test, keep = np.sort(order[:n_test]), np.sort(order[n_test:])
    return (Dataset(data.x[keep], data.y[keep], data.x_names, data.y_names, data.image),
            (data.x[test], data.y[test]))


def check_usable(data: Dataset, lim: limits.Limits) -> None:
    """DataError unless the training set can be trained on and drawn: within the samples limit, not empty,
    every value finite and every column's range too (a plot's axis needs finite limits)."""
    too_many = lim.check("samples", len(data.x), "the number of samples")
    if too_many:
        raise DataError(too_many)
    if len(data.x) == 0:
        raise DataError("no training samples are left (fewer samples, or a smaller test_fraction?)")
    if data.x.shape[1] == 0 or data.y.shape[1] == 0:
        raise DataError("the data needs at least one input and one target column")
    for name, a in (("inputs", data.x), ("targets", data.y)):
        with np.errstate(over="ignore", invalid="ignore"):
            span = np.max(a, axis=0) - np.min(a, axis=0)
        if not np.isfinite(a).all() or not np.isfinite(span).all():
            raise DataError(f"the {name} are not all finite, or span more than a float can hold "
                            "(is `noise` or the data's range too large?)")


def one_hot(data: Dataset, where: str) -> Dataset:
    """Integer class labels (N, 1) as one-hot rows (N, k), k = the largest label + 1; DataError names a bad row."""
    labels = data.y[:, 0]
    bad = ~((labels >= 0) & (labels == np.round(labels)))
    if bad.any():
        raise DataError(f"{where}row {int(np.argmax(bad))}: class label {labels[bad][0]:g} is not a whole number >= 0")
    k = max(int(labels.max()) + 1, 2)
    too_many = limits.current().check("classes", k, "the number of classes (the largest label + 1)")
    if too_many:
        raise DataError(f"{where}{too_many}")
    return Dataset(data.x, np.eye(k)[labels.astype(int)], data.x_names, tuple(f"class {i}" for i in range(k)),
                   data.image)


# --- hand-written digits ----------------------------------------------------------------------------
_PER_CLASS = Param(None, integer, "keep only this many samples of each digit (a small set to overfit)", at_least(1))


def _images(x: np.ndarray, labels: np.ndarray, shape, p, rng) -> Dataset:
    """Digit images as rows scaled to [0, 1], labels one-hot; `per_class` and `samples` subsets, in order."""
    keep = np.arange(len(x))
    if p.get("per_class"):
        keep = np.concatenate([np.flatnonzero(labels == d)[: p["per_class"]] for d in range(10)])
        keep.sort()
    if p.get("samples"):
        keep = keep[: p["samples"]]
    x, labels = x[keep], labels[keep]
    names = tuple(f"px{i}" for i in range(x.shape[1]))
    return Dataset(x, np.eye(10)[labels], names, tuple(f"digit {d}" for d in range(10)), shape)


@_register("digits", {"samples": Param(None, integer, "use only the first this many (default: all 1797)", at_least(10)),
                      "per_class": _PER_CLASS},
           "scikit-learn's 8x8 hand-written digits, 1797 of them (needs nnviz[digits])")
def _digits(p, rng):
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise DataError("the digits data set needs scikit-learn: pip install 'nnviz[digits]'") from None
    d = load_digits()
    return _images(d.data / 16.0, d.target.astype(int), (8, 8), p, rng)


@_register("mnist", {"path": Param(REQUIRED, file_path, "folder with train-images-idx3-ubyte and "
                                                       "train-labels-idx1-ubyte (or .gz)"),
                     "samples": Param(None, integer, "use only the first this many", at_least(10)),
                     "per_class": _PER_CLASS},
           "MNIST's 28x28 digits from the standard IDX files in a folder")
def _mnist(p, rng):
    folder = Path(p["path"])
    images = read_idx(_idx_file(folder, "train-images-idx3-ubyte"), dims=3)
    labels = read_idx(_idx_file(folder, "train-labels-idx1-ubyte"), dims=1)
    if len(images) != len(labels):
        raise DataError(f"{folder}: {len(images)} images but {len(labels)} labels")
    if labels.max() > 9:
        raise DataError(f"{folder}/train-labels: row {int(np.argmax(labels > 9))}: label {labels.max()} is not a digit")
    h, w = images.shape[1:]
    lim = limits.current()
    for name, value, what in (("samples", len(images), "the number of images"),
                              ("memory", images.size * 8 * 3, "the bytes of the images as numbers (x 3)")):
        if lim.check(name, value, what):
            raise DataError(f"{folder}: {lim.check(name, value, what)}")
    return _images(images.reshape(len(images), h * w) / 255.0, labels.astype(int), (h, w), p, rng)


def _idx_file(folder: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        if (folder / name).is_file():
            return folder / name
    raise DataError(f"{folder}: no {stem} (or {stem}.gz) file")


def read_idx(file: Path, dims: int) -> np.ndarray:
    """An IDX file (raw or .gz) of unsigned bytes with `dims` dimensions; DataError says what is wrong."""
    most = limits.current().file_bytes
    try:
        raw = read_regular_file(file, most, "file_bytes")
        if str(file).endswith(".gz"):
            with gzip.open(io.BytesIO(raw), "rb") as fh:
                raw = fh.read(most + 1)  # a small .gz file can expand to gigabytes: read no more than the limit
    except ValueError as exc:
        raise DataError(f"{file}: {exc}") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{file}: cannot read: {exc}") from None
    if len(raw) > most:
        raise DataError(f"{file}: {limits.current().check('file_bytes', len(raw), 'the data once read')} "
                        "(at least)")
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DataError(f"{file}: not an IDX file (it must start with two zero bytes)")
    if raw[2] != 0x08:
        raise DataError(f"{file}: element type 0x{raw[2]:02x}, expected 0x08 (unsigned bytes)")
    if raw[3] != dims:
        raise DataError(f"{file}: {raw[3]} dimensions, expected {dims}")
    if len(raw) < 4 + 4 * dims:
        raise DataError(f"{file}: the header is cut short")
    shape = struct.unpack(f">{dims}I", raw[4 : 4 + 4 * dims])
    size = int(np.prod(shape))
    if len(raw) - 4 - 4 * dims != size:
        raise DataError(f"{file}: the header says {size:,} bytes of data for shape {shape}, "
                        f"the file has {len(raw) - 4 - 4 * dims:,}")
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


def check_targets(data: Dataset, loss: str, where: str = "") -> None:
    """Classification targets: 0/1 for bce, one-hot rows (a single 1) for cross_entropy; DataError names a row."""
    y = data.y
    if loss == "bce":
        bad = ~np.isin(y, (0.0, 1.0)).all(axis=1)
        what = "bce needs targets 0 or 1"
    else:
        bad = ~(np.isin(y, (0.0, 1.0)).all(axis=1) & (y.sum(axis=1) == 1))
        what = f"cross_entropy needs one-hot rows of {y.shape[1]} (a single 1) or integer labels in one column"
    if bad.any():
        row = int(np.argmax(bad))
        raise DataError(f"{where}row {row}: target {np.array2string(y[row], precision=3)} is not valid: {what}")
