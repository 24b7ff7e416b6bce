"""Registries: plain dicts filled by a decorator; a lookup miss lists the valid names."""
from __future__ import annotations

import difflib
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


def did_you_mean(name: str, choices) -> str:
    """' (did you mean 'x'?)' for a near miss, '' otherwise."""
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class UnknownName(LookupError):
    """A name that is not in a registry; its message lists the valid names."""

    def __init__(self, kind: str, name: str, choices):
        self.kind, self.name, self.choices = kind, name, sorted(choices)
        super().__init__(
            f"unknown {kind} '{name}'{did_you_mean(name, self.choices)}; "
            f"valid: {', '.join(self.choices)}"
        )


class Registry(dict, Generic[T]):
    """A dict of name -> entry for one pluggable family (datasets, activations, ...)."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def register(self, name: str) -> Callable[[T], T]:
        def add(entry: T) -> T:
            if name in self:
                raise ValueError(f"{self.kind} '{name}' registered twice")
            self[name] = entry
            return entry

        return add

    def lookup(self, name: str) -> T:
        try:
            return self[name]
        except (KeyError, TypeError):
            raise UnknownName(self.kind, name, self.keys()) from None
