"""What one config may ask for, checked before any work starts, so a typo or a hostile file cannot run for
days or fill the memory. Each limit can be raised: `nnviz render --limit iterations=1e9` (see docs/limits.md).

The limits in force travel in the environment variable NNVIZ_LIMITS ("name=value,name=value"), so worker
processes and Dask jobs check against the same numbers as the command that started them.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

ENV = "NNVIZ_LIMITS"


@dataclass(frozen=True)
class Limits:
    config_bytes: int = 1 << 20  # a config file: 1 MiB is thousands of lines
    yaml_values: int = 100_000  # values in a config once YAML aliases are expanded
    iterations: int = 10_000_000  # parameter updates of one run (the shipped configs use at most 60,000)
    parameters: int = 10_000_000  # weights and biases of one net (MNIST's 784-100-10 has 79,510)
    classes: int = 1_000  # one-hot width made from integer labels
    samples: int = 10_000_000  # rows of training data
    memory: int = 4 << 30  # bytes of the largest arrays of one run (samples x widest layer, in float64)
    work: int = 10 ** 13  # multiply-adds of one run's training and snapshots (minutes to an hour here)
    frames: int = 100_000  # frames of one video, held frames included (an hour at 30 fps is 108,000)
    video_pixels: int = 200_000_000_000  # frames x width x height of one video (30 min of 1080p at 30 fps)
    file_bytes: int = 1 << 30  # a data file once read (an IDX .gz file decompressed, a CSV); MNIST's is 47 MB

    def check(self, name: str, value: float, what: str) -> str | None:
        """A message when `value` is over the limit `name`, else None."""
        limit = getattr(self, name)
        if value > limit:
            return (f"{what} is {value:,.0f}, over the limit of {limit:,} "
                    f"(raise it with --limit {name}={int(value)} if you mean it)")
        return None


NAMES = tuple(f.name for f in dataclasses.fields(Limits))


def parse(items) -> dict[str, int]:
    """{'iterations': 10**9} from ["iterations=1e9", ...]; ValueError naming what is wrong."""
    out = {}
    for item in items:
        name, _, text = item.partition("=")
        name = name.strip()
        if name not in NAMES:
            raise ValueError(f"unknown limit {name!r}; the limits are {', '.join(NAMES)}")
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"--limit {item}: expected {name}=NUMBER") from None
        if not value >= 1 or value != value or value == float("inf"):
            raise ValueError(f"--limit {item}: a limit is a whole number >= 1")
        out[name] = int(value)
    return out


def encode(values: dict[str, int]) -> str:
    return ",".join(f"{k}={v}" for k, v in values.items())


def current() -> Limits:
    """The limits in force in this process: the defaults, raised or lowered by NNVIZ_LIMITS."""
    text = os.environ.get(ENV, "")
    try:
        return Limits(**parse(t for t in text.split(",") if t))
    except ValueError:
        return Limits()
