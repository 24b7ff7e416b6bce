"""Seed 000 ("Watch Tiny Neural Nets Learn"), trained in Keras and recorded by nnviz: two layers of 10
sigmoid neurons, 120 weights and no biases, fit a noisy sine with Adam.

    pip install 'nnviz[keras]' torch
    KERAS_BACKEND=torch python examples/keras_sine.py   # -> outputs/keras-sine/keras-sine.mp4
"""
import argparse
import os

os.environ.setdefault("KERAS_BACKEND", "torch")  # Keras 3 on PyTorch: no TensorFlow needed

import keras  # noqa: E402
import numpy as np  # noqa: E402

import nnviz.keras  # noqa: E402


def main(epochs: int, out: str) -> None:
    rng = np.random.default_rng(1)
    x = np.linspace(0, 2 * np.pi, 100)
    y = np.sin(x) + 0.2 * rng.standard_normal(100)

    keras.utils.set_random_seed(1)
    model = keras.Sequential([
        keras.Input((1,)),
        keras.layers.Dense(10, activation="sigmoid", use_bias=False),
        keras.layers.Dense(10, activation="sigmoid", use_bias=False),
        keras.layers.Dense(1, use_bias=False),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.03), loss="mse")
    rec = nnviz.keras.Recorder(x, y, title="Two layers of 10 neurons, Adam, trained in Keras",
                               render={"panels": ["fit", "network", "loss"]})
    model.fit(x, y, epochs=epochs, batch_size=len(x), verbose=0, callbacks=[rec])  # full batch: 1 update an epoch
    video = rec.render(out, "keras-sine")
    print(f"{video.video}: loss {video.final_loss:.4f} after {epochs:,} updates")


if __name__ == "__main__":
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--epochs", type=int, default=20000)
    args.add_argument("--out", default="outputs")
    a = args.parse_args()
    main(a.epochs, a.out)
