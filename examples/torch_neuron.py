"""Seed 001 ("First Steps With Neural Nets in Keras"), trained in PyTorch and recorded by nnviz:
a single ReLU neuron learns a bilinear function (0 for x <= 1, 2 (x - 1) above, plus noise).

    pip install 'nnviz[torch]'
    python examples/torch_neuron.py            # -> outputs/torch-neuron/torch-neuron.mp4
"""
import argparse

import numpy as np
import torch

import nnviz.torch


def main(epochs: int, out: str) -> None:
    rng = np.random.default_rng(1)
    x = np.sort(rng.uniform(0, 3, 1000))
    y = np.where(x <= 1, 0.0, 2 * (x - 1)) + 0.1 * rng.standard_normal(1000)

    torch.manual_seed(1)
    neuron = torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.ReLU())
    torch.nn.init.normal_(neuron[0].weight, std=0.05)  # Keras' normal initialisation, as in the post
    torch.nn.init.zeros_(neuron[0].bias)
    opt = torch.optim.SGD(neuron.parameters(), lr=0.01)  # Keras' default learning rate
    X, Y = torch.tensor(x, dtype=torch.float32)[:, None], torch.tensor(y, dtype=torch.float32)[:, None]

    rec = nnviz.torch.Recorder(neuron, x, y, title="A single ReLU neuron, trained in PyTorch",
                               render={"panels": ["fit", "landscape", "loss"],
                                       "landscape": {"weights": ["w0[0,0]", "b0[0]"]}})
    batches = [slice(i, i + 128) for i in range(0, len(x), 128)]  # Keras' default batch of 128
    total = epochs * len(batches)
    step = 0
    gen = torch.Generator().manual_seed(1)
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=gen)
        for b in batches:
            if rec.due(step, total):
                rec.record(step)  # the loss over the whole training set, computed by nnviz
            idx = order[b]
            loss = torch.nn.functional.mse_loss(neuron(X[idx]), Y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
    rec.record(step)
    video = rec.render(out, "torch-neuron")
    w, b = neuron[0].weight.item(), neuron[0].bias.item()
    print(f"{video.video}: y = relu({w:.3f} x {b:+.3f}), loss {video.final_loss:.4f}")


if __name__ == "__main__":
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--epochs", type=int, default=300)
    args.add_argument("--out", default="outputs")
    a = args.parse_args()
    main(a.epochs, a.out)
