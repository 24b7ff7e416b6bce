"""Recording a net trained elsewhere: nnviz.Recorder, its snapshot file, `nnviz render FILE.npz`, bad input."""
from __future__ import annotations

import re

import numpy as np
import pytest
from click.testing import CliRunner

import nnviz
from nnviz import limits, snapshots
from nnviz.cli import main
from nnviz.config import TrainConfig
from nnviz.errors import ConfigError
from nnviz.experiment import validate
from nnviz.model import layer_views, predict, unflatten
from nnviz.pipeline import prepare
from nnviz.record import Recorder, RecordError, infer_loss, load_recording
from nnviz.train import train

FAST = {"size": [320, 240], "fps": 10, "hold": 0.5, "preset": "ultrafast", "frames": 12}


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def hand_trained(steps=200, every=10, **kw):
    """A 1-8-1 tanh net trained by plain gradient descent in NumPy, recorded every `every` steps."""
    rng = np.random.default_rng(0)
    x = np.linspace(-3, 3, 60)
    y = np.sin(x) + 0.05 * rng.standard_normal(60)
    w = {"w0": rng.normal(size=(1, 8)), "b0": np.zeros(8), "w1": 0.5 * rng.normal(size=(8, 1)), "b1": np.zeros(1)}
    rec = Recorder(x, y, title="hand-trained", activation="tanh", render=kw.pop("render", FAST), **kw)
    xs, ys = x[:, None], y[:, None]
    for step in range(steps + 1):
        h = np.tanh(xs @ w["w0"] + w["b0"])
        p = h @ w["w1"] + w["b1"]
        if step % every == 0:
            rec.record(step, predict=lambda g: np.tanh(g @ w["w0"] + w["b0"]) @ w["w1"] + w["b1"],
                       loss=float(np.mean((p - ys) ** 2)), params={k: v.copy() for k, v in w.items()})
        d = 2 * (p - ys) / len(xs)
        dh = d @ w["w1"].T * (1 - h * h)
        for k, g in (("w1", h.T @ d), ("b1", d.sum(0)), ("w0", xs.T @ dh), ("b0", dh.sum(0))):
            w[k] -= 0.2 * g
    return rec


def test_a_recording_renders_like_a_run_and_its_file_renders_from_the_command_line(tmp_path):
    rec = hand_trained()
    v = rec.render(tmp_path, "hand")
    assert v.video.is_file() and v.poster.is_file() and v.snapshots.is_file()
    assert v.final_loss == rec.records[-1]["loss"] and v.diverged_at == -1 and len(v.timeline) == 12
    h = snapshots.load(v.snapshots)
    assert h.recorded == "Python" and h.net.sizes == (1, 8, 1) and h.theta.shape == (21, 25)
    assert list(h.iteration) == list(range(0, 201, 10)) and "1-8-1 tanh net" in h.summary
    saved = rec.save(tmp_path / "hand.npz")
    assert snapshots.fingerprint(snapshots.load(saved)) == snapshots.fingerprint(rec.history())
    r = cli("render", saved, "--out", tmp_path)  # the same recording, title and settings: up to date
    assert r.exit_code == 0 and "up to date" in r.output, r.output
    r = cli("render", saved, "--out", tmp_path, "--set", "render.theme=dark", "--set", "title=Dark")
    assert r.exit_code == 0 and "rendered" in r.output, r.output
    m = nnviz.render(saved, out=tmp_path).manifest
    assert m.title == "Dark" or m.title == "hand-trained"  # (the file's own title without the --set)
    assert nnviz.render(saved, out=tmp_path, overrides=["title=Dark", "render.theme=dark"]).manifest.title == "Dark"


def test_the_recorder_records_what_nnvizs_own_trainer_records(write):
    """nnviz's trainer, recorded from outside through params only, gives the trainer's own History."""
    cfg = validate({"data": {"name": "circle", "samples": 80, "test_fraction": 0.25},
                    "model": {"hidden": [4], "output": "sigmoid"},
                    "train": {"loss": "bce", "iterations": 60, "snapshot_every": 10}}, "c.yaml", {})
    prep = prepare(cfg)
    theirs = []
    theta = prep.theta0.copy()
    rec = Recorder(prep.data.x, prep.data.y, test=prep.test, loss="bce", activation="tanh")
    for snap in train(prep.net, theta, prep.data.x, prep.data.y, prep.data.grid, cfg.train, prep.batch_rng,
                      prep.test, prep.keep):
        theirs.append(snap)
        rec.record(snap.iteration, params=unflatten(prep.net, snap.theta))
    h = rec.history()
    assert list(h.iteration) == [s.iteration for s in theirs]
    for ours, key in ((h.loss, "loss"), (h.mae, "mae"), (h.accuracy, "accuracy")):
        np.testing.assert_allclose(ours, [getattr(s, key) for s in theirs], rtol=1e-9)
    np.testing.assert_allclose(h.grid_pred, np.stack([s.pred for s in theirs]), rtol=1e-12)
    np.testing.assert_allclose(h.test["loss"], [s.test[0] for s in theirs], rtol=1e-9)
    np.testing.assert_allclose(h.test["accuracy"], [s.test[2] for s in theirs])
    np.testing.assert_array_equal(h.grid_x, prep.data.grid)


def test_losses_are_computed_as_pytorch_computes_them():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(50, 2))
    labels = (x[:, 0] * x[:, 1] > 0).astype(float)
    p = rng.uniform(0.01, 0.99, size=(50 + 30 + 3600, 1))  # any probabilities: grid, training and test sets
    rec = Recorder(x[:30], labels[:30], test=(x[30:], labels[30:]))
    assert rec.loss_name == "bce"
    rec.record(0, predict=lambda g: p[: len(g)])
    got = rec.records[0]
    pt = torch.tensor(p[3600 + 30 : 3600 + 50, 0])
    want = torch.nn.functional.binary_cross_entropy(pt, torch.tensor(labels[30:])).item()
    assert got["test"][0] == pytest.approx(want, rel=1e-9)
    three = rng.dirichlet(np.ones(3), size=3600 + 50)
    y3 = rng.integers(0, 3, 50)
    rec = Recorder(x, y3.astype(float), loss="cross_entropy")
    rec.record(0, predict=lambda g: three[: len(g)])
    want = torch.nn.functional.nll_loss(torch.log(torch.tensor(three[3600:])), torch.tensor(y3)).item()
    assert rec.records[0]["loss"] == pytest.approx(want, rel=1e-9)
    assert rec.records[0]["accuracy"] == np.mean(three[3600:].argmax(1) == y3)


def test_the_pytorch_helper_records_a_real_sequential_net(tmp_path):
    torch = pytest.importorskip("torch")
    import nnviz.torch as nt

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 2))
    y = (x[:, 0] ** 2 + x[:, 1] ** 2 < 1).astype(np.float32)
    model = torch.nn.Sequential(torch.nn.Linear(2, 6), torch.nn.ReLU(), torch.nn.Linear(6, 1))  # logits
    rec = nt.Recorder(model, x, y, title="torch circle", render=FAST | {"panels": ["boundary", "network", "loss"]})
    assert rec.loss_name == "bce" and rec.squash == "sigmoid"
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    X, Y = torch.tensor(x, dtype=torch.float32), torch.tensor(y)[:, None]
    total = 150
    for step in range(total):
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(X), Y)
        if rec.due(step, total):
            rec.record(step, loss)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        final = torch.nn.functional.binary_cross_entropy_with_logits(model(X), Y).item()
    rec.record(total)  # no loss given: nnviz computes it over the training set
    assert rec.records[-1]["loss"] == pytest.approx(final, rel=1e-5)
    h = rec.history()
    assert h.net.sizes == (2, 6, 1) and h.net.activations == ("relu", "sigmoid") and h.recorded == "PyTorch"
    np.testing.assert_allclose(h.theta[-1][:12].reshape(2, 6), model[0].weight.detach().numpy().T, rtol=1e-6)
    assert rec.render(tmp_path, "tc").video.is_file()
    with pytest.raises(RecordError, match="Sequential"):
        nt.Recorder(torch.nn.Linear(2, 1), x, y)
    with pytest.raises(RecordError, match="layer 1 .GELU."):
        nt.Recorder(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.GELU(), torch.nn.Linear(3, 1)), x, y)


def test_the_keras_callback_records_a_real_keras_fit(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    import nnviz.keras as nk

    keras.utils.set_random_seed(1)
    x = np.linspace(0, 2 * np.pi, 40)
    y = np.sin(x)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(5, activation="tanh"), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    rec = nk.Recorder(x, y, title="keras sine", render=FAST)
    model.fit(x, y, epochs=30, batch_size=20, verbose=0, callbacks=[rec])  # 60 updates
    h = rec.history()
    assert h.iteration[0] == 0 and h.iteration[-1] == 60 and h.recorded == "Keras"
    assert h.net.sizes == (1, 5, 1) and h.net.activations == ("tanh", "linear") and h.loss_name == "mse"
    assert h.loss[-1] == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-5)
    kernel, bias = model.layers[0].get_weights()
    np.testing.assert_allclose(h.theta[-1][:5], kernel.ravel(), rtol=1e-6)
    np.testing.assert_allclose(h.grid_pred[-1, :, 0], model.predict(h.grid_x, verbose=0)[:, 0], rtol=1e-5, atol=1e-6)
    assert rec.render(tmp_path, "ks").video.is_file()


def rec1(**kw):
    return Recorder(np.linspace(0, 1, 20), np.linspace(0, 1, 20) ** 2, **kw)


def line(g):
    return 2 * g


@pytest.mark.parametrize("make,match", [
    (lambda r: r.record(0, predict=lambda g: np.zeros((len(g), 2))), r"predict returned shape \(220, 2\)"),
    (lambda r: r.record(0, predict=lambda g: 1 / 0), "predict raised ZeroDivisionError"),
    (lambda r: r.record(0, predict="not a function"), "predict must be a function"),
    (lambda r: r.record(0), "give predict="),
    (lambda r: (r.record(5, predict=line), r.record(5, predict=line)), "record.step=5. after step 5: steps must increase"),
    (lambda r: (r.record(5, predict=line), r.record(3, predict=line)), "after step 5"),
    (lambda r: r.record(-1, predict=line), "from 0 to"),
    (lambda r: r.record(1.5, predict=line), "whole number"),
    (lambda r: r.record(0, predict=line, loss="small"), "not an array of numbers"),
    (lambda r: r.record(0, params={"w0": np.ones((1, 4)), "b0": np.ones(4), "w1": np.ones((4, 1))}),
     "b0, b1, ... for every layer or none"),
    (lambda r: r.record(0, params={"w0": np.ones((3, 1)), "b0": np.ones(1)}), r"w0 has shape \(3, 1\)"),
    (lambda r: r.record(0, params={"weight": np.ones((1, 1))}), "must be w0, w1"),
    (lambda r: r.record(0, params={"w0": np.ones((1, 4)), "b0": np.ones(4), "w1": np.ones((4, 1)),
                                   "b1": np.ones(1)}), "activation="),
    (lambda r: r.record(0, predict=lambda g: 3 * g, params={"w0": np.full((1, 1), 2.0), "b0": np.zeros(1)}),
     "params do not reproduce predict"),
    (lambda r: (r.record(0, predict=line), r.record(1, params={"w0": np.ones((1, 1)), "b0": np.ones(1)})),
     "at every record or at none"),
    (lambda r: r.history(), "0 record"),
    (lambda r: (r.record(0, predict=line), r.history()), "1 record"),
])
def test_bad_records_are_one_clear_error(make, match):
    with pytest.raises(RecordError, match=match):
        make(rec1())


@pytest.mark.parametrize("args,kw,match", [
    (([1, 2, 3], [1, 2]), {}, "x has 3 rows but y has 2"),
    (([1, np.nan, 3], [1, 2, 3]), {}, "not finite"),
    ((np.ones((2, 2, 2)), [1, 2]), {}, "one or two dimensions"),
    (([[0.1, 2], [3, 4]], [0, 1]), {"test": ([[1, 2, 3]], [1])}, "columns of x_test"),
    (([1, 2, 3], [0, 1, 0.5]), {"loss": "bce"}, "bce needs targets 0 or 1"),
    (([1, 2, 3], [1, 2, 3]), {"loss": "hinge"}, "unknown loss 'hinge'"),
    (([[1, 2, 3]], [1]), {"image": (2, 2)}, "does not match the 3 inputs"),
    (([1, 2, 3], [1, 2, 3]), {"activation": "gelu"}, "unknown activation 'gelu'"),
])
def test_bad_data_is_one_clear_error(args, kw, match):
    with pytest.raises(RecordError, match=match):
        Recorder(*args, **kw)


def test_bad_render_settings_fail_when_the_recorder_is_made():
    with pytest.raises(ConfigError, match="render.fps"):
        rec1(render={"fps": 0})


def test_probabilities_are_checked_for_classification():
    r = Recorder([1, 2, 3, 4], [0, 1, 0, 1])
    with pytest.raises(RecordError, match=r"probabilities in \[0, 1\].*sigmoid"):
        r.record(0, predict=lambda g: g[:, :1] - 2)
    r = Recorder(np.arange(6.0), [0, 1, 2, 0, 1, 2])
    assert r.loss_name == "cross_entropy" and r.y.shape == (6, 3)
    with pytest.raises(RecordError, match="softmax"):
        r.record(0, predict=lambda g: np.ones((len(g), 3)))


def test_the_task_is_inferred_from_the_targets():
    assert infer_loss(np.array([[0.0], [1.0]])) == "bce"
    assert infer_loss(np.array([[0.0], [2.0], [1.0], [0.0], [1.0], [2.0]])) == "cross_entropy"
    assert infer_loss(np.eye(3)) == "cross_entropy"
    assert infer_loss(np.array([[0.5], [1.0]])) == "mse"


def test_nan_is_recorded_as_divergence_and_later_records_are_ignored(tmp_path):
    r = rec1(render=FAST)
    r.record(0, predict=line, loss=1.0)
    r.record(10, predict=line, loss=0.5)
    r.record(20, predict=lambda g: np.full(len(g), np.nan), loss=0.4)
    r.record(30, predict=line, loss=0.3)  # after divergence: ignored, not an error
    h = r.history()
    assert h.diverged_at == 20 and list(h.iteration) == [0, 10, 20]
    v = r.render(tmp_path, "div")
    assert v.diverged_at == 20 and v.final_loss == 0.4
    r = rec1()
    r.record(0, predict=line, loss=float("inf"))
    assert r.diverged_at == 0


def test_panels_that_need_parameters_name_the_reason(tmp_path):
    r = rec1(render=FAST | {"panels": ["fit", "network"]})
    r.record(0, predict=line)
    r.record(1, predict=line)
    with pytest.raises(ConfigError, match="network does not fit this data .the recording has no parameters"):
        r.render(tmp_path, "np")
    assert not (tmp_path / "np").exists()


def test_the_command_line_refuses_what_is_not_a_recording(tmp_path, write):
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    (tmp_path / "text.npz").write_text("hello")
    r = cli("render", tmp_path / "other.npz", tmp_path / "text.npz", "--out", tmp_path / "out")
    errors = [ln for ln in r.output.splitlines() if ln.startswith("Error:")]
    assert r.exit_code == 1 and len(errors) == 2 and all("not a recording saved by nnviz.Recorder" in e for e in errors)
    assert "not an .npz file" in errors[1]
    own = write("s.yaml", "data: {name: sine, samples: 20}\ntrain: {iterations: 20}\n"
                          "render: {size: [320, 240], fps: 5, hold: 0, preset: ultrafast}\n")
    assert cli("render", own, "--out", tmp_path / "out").exit_code == 0
    r = cli("render", tmp_path / "out" / "s" / "s.npz", "--out", tmp_path / "o2")
    assert r.exit_code == 1 and "nnviz's own training: render the config" in r.output
    saved = hand_trained(steps=20).save(tmp_path / "rec.npz")
    r = cli("render", saved, "--out", tmp_path / "o3", "--set", "model.hidden=[3]")
    assert r.exit_code == 1 and "only title and render.* can be set" in r.output
    r = cli("validate", saved)
    assert r.exit_code == 0 and "ok" in r.output
    with pytest.raises(ConfigError, match="render.captions"):
        load_recording(saved, ["render.captions=[{at: 500, text: late}]"])
    assert not (tmp_path / "o3").exists()


def test_a_batch_renders_recordings_beside_configs(tmp_path, write):
    saved = hand_trained(steps=20).save(tmp_path / "rec.npz")
    own = write("s.yaml", "data: {name: sine, samples: 20}\ntrain: {iterations: 20}\n"
                          "render: {size: [320, 240], fps: 5, hold: 0, preset: ultrafast}\n")
    r = cli("render", saved, own, "--out", tmp_path / "out", "-j", "2")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "out" / "rec" / "rec.mp4").is_file() and (tmp_path / "out" / "s" / "s.mp4").is_file()
    assert "rec" in (tmp_path / "out" / "index.html").read_text()


def test_predictions_from_params_alone_use_nnvizs_forward_pass():
    r = rec1(activation="tanh")
    w = {"w0": np.full((1, 2), 0.5), "b0": np.zeros(2), "w1": np.ones((2, 1)), "b1": np.zeros(1)}
    r.record(0, params=w)
    net = r.net
    want = predict(net, layer_views(net, np.concatenate([v.ravel() for v in w.values()])), r.grid)
    np.testing.assert_allclose(r.records[0]["pred"], want)


def test_image_recordings_keep_the_first_units_weights():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(size=(30, 16)), rng.integers(0, 3, 30).astype(float)
    r = Recorder(x, y, image=(4, 4), activation="relu")
    w = {"w0": rng.normal(size=(16, 5)), "b0": np.zeros(5), "w1": rng.normal(size=(5, 3)), "b1": np.zeros(3)}
    r.record(0, params=w)
    r.record(1, params=w)
    h = r.history()
    assert h.grid_x is None and h.image_shape == (4, 4) and h.first_weights.shape == (2, 5, 16)
    np.testing.assert_array_equal(h.first_weights[0], w["w0"].T)
    assert snapshots.keep_of(h).first_weights == 5


def test_the_automatic_schedule_is_the_trainers():
    from nnviz.train import snapshots_at

    r = rec1()
    assert [s for s in range(5001) if r.due(s, 5000)] == list(snapshots_at(None, 5000))
    assert TrainConfig().snapshot_every is None  # (the trainer's default is that schedule)


@pytest.mark.parametrize("change,match", [
    ({"loss": np.zeros(3)}, r"loss must be numbers of shape \(21,\)"),
    ({"iteration": np.arange(21)[::-1].copy()}, "iteration must start at 0 or more and never decrease"),
    ({"grid_pred": np.zeros((21, 5, 1))}, "grid_pred must be numbers"),
    ({"theta": np.zeros((21, 3))}, r"theta must be numbers of shape \(21, 25\)"),
    ({"x": np.full((60, 1), np.nan)}, "x has values that are not finite"),
    ({"mae": np.array(["a"] * 21)}, "mae must be numbers"),
    ({"activations": np.array(["gelu", "linear"])}, "unknown activation or loss 'gelu'"),
    ({"loss_name": np.array("hinge")}, "unknown activation or loss 'hinge'"),
    ({"sizes": np.array([1, 8])}, "x_names and y_names must name 1 inputs and 8 outputs"),
    ({"config": np.array("[" * 100000)}, None),  # not a mapping: the file's title and settings are not used
])
def test_a_hand_made_recording_file_is_checked_before_drawing(tmp_path, change, match):
    saved = hand_trained().save(tmp_path / "rec.npz")
    with np.load(saved) as d:
        arrays = {k: d[k] for k in d.files}
    if "sizes" in change:
        change["activations"] = np.array(["linear"])
    np.savez(tmp_path / "bad.npz", **(arrays | change))
    r = cli("render", tmp_path / "bad.npz", "--out", tmp_path / "out")
    if match is None:
        assert r.exit_code == 0, r.output
        return
    assert r.exit_code == 1 and "Traceback" not in r.output and re.search(match, r.output), r.output
    assert r.output.startswith("Error: ") and "not a recording saved by nnviz.Recorder" in r.output
    assert not (tmp_path / "out" / "bad").exists()


def test_a_recording_file_that_unpacks_beyond_the_limit_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setenv(limits.ENV, "")  # (--limit sets it for this process: put back afterwards)
    saved = hand_trained(steps=20).save(tmp_path / "rec.npz")
    r = cli("render", saved, "--out", tmp_path / "out", "--limit", "file_bytes=1000")
    assert r.exit_code == 1 and "the bytes of the snapshot file's arrays" in r.output


def test_a_recordings_video_is_held_to_the_limits(tmp_path):
    saved = hand_trained(steps=20).save(tmp_path / "rec.npz")
    r = cli("render", saved, "--out", tmp_path / "out", "--set", "render.hold=60", "--set", "render.fps=240",
            "--set", "render.size=[7680,4320]")
    assert r.exit_code == 1 and "render.size: the video's frames x width x height" in r.output, r.output


@pytest.mark.parametrize("make,match", [
    (lambda: rec1().record(0, predict=line, loss=10**400), "not an array of numbers"),
    (lambda: rec1().record(0, predict=lambda g: g + 1j), "complex numbers"),
    (lambda: rec1().record(2**62, predict=line), "the iterations limit"),
    (lambda: rec1().due(0, float("inf")), "total must be the number of updates"),
    (lambda: rec1(loss=["mse"]), "unknown loss"),
    (lambda: rec1(x_names=5), "x_names must be"),
    (lambda: rec1(activation=3), "activation must be"),
    (lambda: rec1(output=["tanh"]), "unknown activation"),
    (lambda: Recorder(np.ones((4, 4)), [0, 1, 0, 1], image=(2.0, 2.0)), "whole numbers"),
    (lambda: Recorder([[1.0], [2.0], [3.0]], [0, 1, 2], loss="cross_entropy", test=([[1.0]], [4])),
     "y_test has class labels up to 4"),
])
def test_more_bad_input_is_one_clear_error(make, match):
    with pytest.raises(RecordError, match=match):
        make()


def test_a_failed_first_record_leaves_no_trace():
    r = rec1(activation="tanh")
    four = {"w0": np.ones((1, 4)), "b0": np.zeros(4), "w1": np.ones((4, 1)), "b1": np.zeros(1)}
    with pytest.raises(RecordError, match="predict raised"):
        r.record(0, predict=lambda g: 1 / 0, params=four)
    three = {"w0": np.ones((1, 3)), "b0": np.zeros(3), "w1": np.ones((3, 1)), "b1": np.zeros(1)}
    r.record(0, params=three)  # a net of another shape: the failed record fixed nothing
    assert r.net.sizes == (1, 3, 1) and len(r.records) == 1


def test_records_are_held_to_the_file_size_limit(monkeypatch):
    monkeypatch.setenv(limits.ENV, "file_bytes=5000")
    r = rec1()
    r.record(0, predict=line)  # 220 x 1 predictions kept on a 200-point grid: 1,600 bytes a record
    r.record(1, predict=line)
    r.record(2, predict=line)
    with pytest.raises(RecordError, match="the bytes the records hold"):
        r.record(3, predict=line)
    assert len(r.records) == 3


def test_divergence_at_the_first_record_still_renders(tmp_path):
    r = rec1(render=FAST)
    r.record(0, predict=lambda g: np.full(len(g), 1e300))  # finite predictions, an infinite loss
    r.record(5, predict=line)
    v = r.render(tmp_path, "d0")
    assert v.diverged_at == 0 and v.video.is_file()
    assert load_recording(r.save(tmp_path / "d0.npz")).history.diverged_at == 0


def test_format_names_and_landscape_weights_are_checked_before_writing(tmp_path):
    r = hand_trained(steps=20)
    with pytest.raises(ConfigError, match="formats: expected some of mp4"):
        r.render(tmp_path, "f", formats="avi")
    r = hand_trained(steps=20, render=FAST | {"panels": ["fit", "landscape"]})
    with pytest.raises(ConfigError, match=r"render.landscape.weights\[1\]: this net has no parameter w0\[1,0\]"):
        r.render(tmp_path, "l")
    assert not list(tmp_path.iterdir())


def test_saving_needs_an_npz_name_and_a_place_to_write(tmp_path):
    r = hand_trained(steps=20)
    with pytest.raises(RecordError, match="ending in .npz"):
        r.save(tmp_path / "run")
    (tmp_path / "dir.npz").mkdir()
    with pytest.raises(RecordError, match="cannot write"):
        r.save(tmp_path / "dir.npz")
    saved = r.save(tmp_path / "UPPER.NPZ")
    (tmp_path / "renamed").write_bytes(saved.read_bytes())  # a recording under another name is still one
    assert cli("validate", saved, tmp_path / "renamed").exit_code == 0


def test_integer_targets_are_classes_only_when_they_look_like_classes():
    assert infer_loss(np.arange(20.0)[:, None]) == "mse"  # counts or ranks: 20 "classes" of one sample each
    assert infer_loss(np.array([[0.0], [1], [2], [0], [1], [2]])) == "cross_entropy"


def test_control_characters_in_a_title_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="control character"):
        rec1(title="bell\x07")


def test_a_bfloat16_torch_net_records():
    torch = pytest.importorskip("torch")
    import nnviz.torch as nt

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(1, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1)).to(torch.bfloat16)
    rec = nt.Recorder(model, np.linspace(-1, 1, 30), np.linspace(-1, 1, 30) ** 2)
    rec.record(0)
    rec.record(1)
    assert rec.history().theta.shape == (2, 13)


def test_the_keras_callback_checks_its_settings_when_made(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    pytest.importorskip("keras")
    import nnviz.keras as nk

    with pytest.raises(ConfigError, match="render"):
        nk.Recorder([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], render={"bogus": 1})
    with pytest.raises(RecordError, match="every must be"):
        nk.Recorder([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], every=True)
    assert nk.Recorder([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], every=np.int64(2)).every == 2
