"""Rendering on a Dask cluster: a LocalCluster on loopback, started by the test; files come back by value."""
import imageio_ffmpeg
import pytest
from click.testing import CliRunner

from conftest import SMALL
from nnviz.cli import main

distributed = pytest.importorskip("distributed", reason="the Dask extra is not installed: pip install 'nnviz[dask]'")
pytestmark = [pytest.mark.dask, pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=40) as c:
        yield c


def test_render_on_a_cluster(cluster, tmp_path):
    import numpy as np

    d = tmp_path / "configs"
    d.mkdir()
    np.savez(d / "points.npz", x=np.linspace(-1, 1, 30)[:, None], y=np.linspace(-1, 1, 30) ** 2)
    (d / "a.yaml").write_text(SMALL)
    (d / "b.yaml").write_text(SMALL.replace("data: {name: sine, samples: 40, noise: 0.1}",
                                            "data: {name: file, path: points.npz}"))
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["render", str(d), "--out", str(out), "--scheduler", cluster.scheduler_address])
    assert r.exit_code == 0, r.output
    assert "2 rendered" in r.output
    for name in ("a", "b"):
        video = out / name / f"{name}.mp4"
        assert imageio_ffmpeg.count_frames_and_secs(str(video))[0] == 16
        assert (out / name / f"{name}.json").is_file() and (out / name / "embed.html").is_file()
    assert (out / "index.html").is_file()
    # nothing changed: nothing is sent; a render-only change is drawn from the stored snapshots
    r = CliRunner().invoke(main, ["render", str(d), "--out", str(out), "--scheduler", cluster.scheduler_address])
    assert "2 up to date" in r.output
    stamp = (out / "a" / "a.npz").stat().st_mtime_ns
    r = CliRunner().invoke(main, ["render", str(d / "a.yaml"), "--out", str(out), "--set", "render.fps=12",
                                  "--scheduler", cluster.scheduler_address])
    assert r.exit_code == 0 and (out / "a" / "a.npz").stat().st_mtime_ns == stamp


def test_unreachable_scheduler_is_a_clear_error(tmp_path):
    (tmp_path / "a.yaml").write_text(SMALL)
    r = CliRunner().invoke(main, ["render", str(tmp_path / "a.yaml"), "--out", str(tmp_path / "out"),
                                  "--scheduler", "tcp://127.0.0.1:9"])
    assert r.exit_code == 1 and "cannot reach a Dask scheduler at tcp://127.0.0.1:9" in r.output


def test_a_data_folder_travels_to_the_cluster(cluster, tmp_path, mnist_folder):
    d = tmp_path / "configs"
    d.mkdir()
    (d / "m.yaml").write_text("data: {name: mnist, path: ../mnist}\nmodel: {hidden: [8], output: softmax}\n"
                              "train: {loss: cross_entropy, iterations: 20}\n"
                              "render: {size: [320, 240], fps: 10, hold: 0, preset: ultrafast}\n")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["render", str(d), "--out", str(out), "--scheduler", cluster.scheduler_address])
    assert r.exit_code == 0 and "rendered" in r.output, r.output
    assert imageio_ffmpeg.count_frames_and_secs(str(out / "m" / "m.mp4"))[0] == 21
    # the same folder's content gives the same key here as on the workers: up to date
    r = CliRunner().invoke(main, ["render", str(d), "--out", str(out)])
    assert r.exit_code == 0 and "up to date" in r.output, r.output


@pytest.mark.parametrize("address", ["garbage", "tcp://[::1", "http://x", "tcp://host:99999", "tcp://host"])
def test_a_malformed_scheduler_address_is_a_usage_error(tmp_path, address):
    (tmp_path / "a.yaml").write_text(SMALL)
    r = CliRunner().invoke(main, ["render", str(tmp_path / "a.yaml"), "--scheduler", address])
    assert r.exit_code == 2 and "is not a scheduler address" in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("server", ["http", "silent"])
def test_a_server_that_is_not_dask_is_a_clean_error(tmp_path, server):
    import socket
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(BaseHTTPRequestHandler):
        def log_message(self, *args):  # (it would print after pytest's summary)
            pass

    if server == "http":
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)  # (a handler may wait forever)
        httpd.daemon_threads = True
        port = httpd.server_address[1]
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        stop = httpd.shutdown
    else:  # accepts connections and never says a word
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        stop = listener.close
    (tmp_path / "a.yaml").write_text(SMALL)
    try:
        r = CliRunner().invoke(main, ["render", str(tmp_path / "a.yaml"), "--out", str(tmp_path / "out"),
                                      "--scheduler", f"tcp://127.0.0.1:{port}"])
    finally:
        stop()
    assert r.exit_code == 1 and "cannot reach a Dask scheduler" in r.output, r.output
    assert "Traceback" not in r.output


def test_a_recording_renders_on_the_cluster(cluster, tmp_path):
    import numpy as np

    import nnviz

    rec = nnviz.Recorder(np.linspace(0, 1, 20), np.linspace(0, 1, 20) ** 2, title="recorded",
                         render={"size": [320, 240], "fps": 10, "hold": 0, "preset": "ultrafast", "frames": 6})
    for step in range(0, 60, 10):
        rec.record(step, predict=lambda g, s=step: g * s / 50)
    saved = rec.save(tmp_path / "rec.npz")  # the file stays here: the job carries the recording itself
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["render", str(saved), "--out", str(out), "--scheduler", cluster.scheduler_address])
    assert r.exit_code == 0 and "rendered" in r.output, r.output
    assert imageio_ffmpeg.count_frames_and_secs(str(out / "rec" / "rec.mp4"))[0] == 6
    assert (out / "rec" / "rec.npz").is_file() and (out / "rec" / "rec.json").is_file()


def test_a_comparisons_groups_train_on_the_workers(cluster, tmp_path):
    """Runs of two net shapes: two groups, each trained together on a worker; the video is drawn here, from
    the same numbers local training gives."""
    import numpy as np

    from nnviz import snapshots
    from nnviz.experiment import load_config
    from nnviz.pipeline import train_runs

    config = tmp_path / "two.yaml"
    config.write_text(SMALL.replace("size: [320, 240]", "size: [640, 360]")
                      + "sweep:\n  model.hidden: [[3], [5]]\n  train.optimizer.lr: [0.01, 0.05]\n")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["-v", "render", str(config), "--out", str(out), "--scheduler",
                                  cluster.scheduler_address])
    assert r.exit_code == 0 and "rendered" in r.output, r.output
    assert r.output.count("trained together on tcp://127.0.0.1") == 2, r.output
    labels, got = snapshots.load_runs(out / "two" / "two.npz")
    want = [h for h, _ in train_runs(load_config(config).runs)]
    for h, w in zip(got, want, strict=True):
        np.testing.assert_allclose(h.loss, w.loss, rtol=1e-12)
    assert (out / "two" / "two.mp4").is_file() and (out / "two" / "two.json").is_file()
