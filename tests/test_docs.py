"""The config reference: its key tables are made from the keys' own declarations and are current; it names
every data set, initialiser, optimizer, activation and loss."""
from pathlib import Path

from nnviz.activations import ACTIVATIONS
from nnviz.datasets import DATASETS
from nnviz.init import INITS
from nnviz.losses import LOSSES
from nnviz.optim import OPTIMIZERS
from nnviz.reference import BLOCK, tables, update

DOC = (Path(__file__).resolve().parent.parent / "docs" / "config.md").read_text()


def test_the_key_tables_are_current():
    assert update(DOC) == DOC, "docs/config.md is stale: run `python -m nnviz.reference docs/config.md`"


def test_every_table_is_in_the_reference():
    shown = set(BLOCK.findall(DOC))
    assert shown == set(tables()), set(tables()) ^ shown


def test_every_registry_entry_is_documented():
    for registry in (DATASETS, INITS, OPTIMIZERS):
        for name in registry:
            assert f"### `{name}`" in DOC, name
    for name in (*ACTIVATIONS, *LOSSES):
        assert f"| `{name}` |" in DOC, name
