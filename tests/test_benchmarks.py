"""The benchmark scripts still run (tiny sizes): they are not timed here, only kept from rotting."""
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # every case trains or renders in full

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))


def test_render_benchmark_pieces(tmp_path):
    import bench_render as b

    cfg, history = b.make_history(4, tmp_path)
    frames = b.frames_in_memory(cfg, history)
    b.nnviz_way(cfg, history, tmp_path)
    b.encode_only(frames, tmp_path)
    b.funcanimation_way(cfg, history, tmp_path)
    pcfg, ph = b.make_panels_history(4, tmp_path)
    b.panels_nnviz_way(pcfg, ph, tmp_path)
    b.panels_funcanimation_way(pcfg, ph, tmp_path)
    for name in "abcde":
        assert (tmp_path / f"{name}.mp4").stat().st_size > 0


def test_train_benchmark_pieces():
    import numpy as np

    import bench_train as b

    x = np.linspace(0, 1, 20)[:, None]
    b.nnviz_run((1, 4, 1), "tanh", "adam", 0.01, x, np.sin(x), 5)()
    b.nnviz_run((1, 4, 1), "tanh", "sgd", 0.01, x, np.sin(x), 5, 8, "float32")()
    if b.torch is not None:
        b.torch_run((1, 4, 1), "tanh", "adam", 0.01, x, np.sin(x), 5)()


def test_batch_benchmark_imports():
    import bench_batch as b

    assert b.SHIPPED.is_dir() and callable(b.compare_sweep)
    pytest.importorskip("yaml")


def test_record_benchmark_pieces():
    pytest.importorskip("torch")
    import bench_record as b

    for how in ("none", "torch20", "predict20", "auto"):
        seconds, recording = b.loop(41, how)
        assert seconds >= recording >= 0


def test_sweep_benchmark_pieces(tmp_path):
    import bench_sweep as b

    config = b.write(tmp_path, "tiny", 30, momentum=False)
    alone, together = b.run(config, tmp_path / "out", "alone"), b.run(config, tmp_path / "out", "together")
    assert alone["train"] > 0 and together["render"] > 0 and together["rss_mb"] > 0
    assert b.per_update(2, 20) > 0


def test_snapshots_benchmark_pieces():
    import bench_snapshots as b

    config = b.ROOT / "configs" / "sine-2x10-sgd.yaml"
    seconds, snapshots = b.train_seconds(config, ["train.snapshot_every=auto", "train.iterations=300"])
    every, few = b.train_seconds(config, ["train.snapshot_every=100", "train.iterations=300"])
    assert seconds > 0 and every > 0 and snapshots > few == 4  # updates 0, 100, 200 and the end
