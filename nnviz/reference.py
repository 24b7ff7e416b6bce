"""docs/config.md's key tables, made from the keys' own declarations (schema.Param), so the docs cannot drift.

    python -m nnviz.reference docs/config.md     # rewrite every table between its markers

A table stands between `<!-- keys NAME -->` and `<!-- /keys -->`; NAME is a config section (`top`, `model`,
`train`, `render`, `render.landscape`) or a registry entry (`data.sine`, `init.normal`, `optimizer.adam`,
and `data.common`, `init.common` for the keys every entry takes). tests/test_docs.py checks the file is current.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from . import schema
from .config import Config, LandscapeConfig, ModelConfig, RenderConfig, TrainConfig
from .datasets import COMMON as DATA_COMMON
from .datasets import DATASETS
from .init import COMMON as INIT_COMMON
from .init import INITS
from .optim import OPTIMIZERS

BLOCK = re.compile(r"<!-- keys (\S+) -->\n.*?<!-- /keys -->", re.S)


def tables() -> dict[str, dict[str, schema.Param]]:
    """Every documented table: its name -> the keys it lists."""
    out = {"top": schema.params_of(Config), "model": schema.params_of(ModelConfig),
           "train": schema.params_of(TrainConfig), "render": schema.params_of(RenderConfig),
           "render.landscape": schema.params_of(LandscapeConfig), "data.common": DATA_COMMON,
           "init.common": INIT_COMMON}
    for prefix, registry in (("data", DATASETS), ("init", INITS), ("optimizer", OPTIMIZERS)):
        out.update({f"{prefix}.{name}": entry.params for name, entry in registry.items() if entry.params})
    return out


def update(text: str) -> str:
    """`text` with every marked table made anew; KeyError names a marker that is not a table."""
    specs = tables()
    return BLOCK.sub(lambda m: f"<!-- keys {m[1]} -->\n{schema.doc_table(specs[m[1]])}\n<!-- /keys -->", text)


def main(argv: list[str]) -> int:
    for file in argv or ["docs/config.md"]:
        path = Path(file)
        path.write_text(update(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
