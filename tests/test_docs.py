"""The config reference names every data set, initialiser, optimizer, activation, loss and their keys."""
from pathlib import Path

from nnviz.activations import ACTIVATIONS
from nnviz.config import ModelConfig, RenderConfig, TrainConfig
from nnviz.datasets import DATASETS
from nnviz.init import COMMON, INITS
from nnviz.losses import LOSSES
from nnviz.optim import OPTIMIZERS

DOC = (Path(__file__).resolve().parent.parent / "docs" / "config.md").read_text()


def test_every_registry_entry_and_key_is_documented():
    for registry in (DATASETS, INITS, OPTIMIZERS):
        for name, entry in registry.items():
            assert f"### `{name}`" in DOC, name
            for key in entry.params:
                assert f"| `{key}` |" in DOC, (name, key)
    for key in COMMON:
        assert f"| `{key}` |" in DOC
    for name in (*ACTIVATIONS, *LOSSES):
        assert f"| `{name}` |" in DOC, name


def test_every_section_key_is_documented():
    for cls in (ModelConfig, TrainConfig, RenderConfig):
        for key in cls.__dataclass_fields__:
            assert f"| `{key}` |" in DOC, key
