"""`@frozen`: how this project declares its frozen dataclasses.

`@frozen` is `@dataclass(frozen=True)` with the same behaviour, defined more cheaply.
For each class, `dataclass` writes six methods as source text and compiles them
while the module is imported. A standalone audit in CI imports about 35 such
classes, and that compiling was the largest single part of its start-up (the
`make bench` target is 2x a bare `import lxml.etree`). So `__repr__`, `__eq__` and
`__hash__` are written once, here, and shared; `dataclass` still generates
`__init__` and the frozen `__setattr__`/`__delattr__`.

Same behaviour as the generated methods:
- repr: `Name(field=value, ...)` over the fields with `repr=True`;
- `==`: only with an instance of exactly the same class, comparing the fields with
  `compare=True` in order; anything else is NotImplemented;
- hash: over the fields with `hash=True`, or `compare=True` when `hash` is unset.
A class that defines one of these methods itself keeps its own.
"""
from __future__ import annotations

import reprlib
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any, Callable, Tuple, TypeVar

try:
    from typing import dataclass_transform
except ImportError:  # Python 3.10: type checkers then need typing_extensions; runtime does not
    def dataclass_transform(**_: Any) -> Callable[[Any], Any]:  # type: ignore[no-redef]
        return lambda f: f

T = TypeVar("T", bound=type)


def _getter(names: Tuple[str, ...]) -> Callable[[Any], Tuple[Any, ...]]:
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names)


@reprlib.recursive_repr()
def _repr(self: Any) -> str:
    shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in type(self).__frozen_repr__)
    return f"{type(self).__qualname__}({shown})"


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = type(self).__frozen_compare__
        return key(self) == key(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(type(self).__frozen_hash__(self))


@dataclass_transform(frozen_default=True)
def frozen(cls: T) -> T:
    """`@dataclass(frozen=True)`, with shared repr/eq/hash (see the module docstring)."""
    own = {name for name in ("__repr__", "__eq__", "__hash__") if name in cls.__dict__}
    if "__eq__" in own and cls.__dict__.get("__hash__", 0) is None:
        own.discard("__hash__")  # Python's implicit None for a class with __eq__, not a choice
    cls = dataclass(frozen=True, repr=False, eq=False)(cls)
    fs = fields(cls)
    cls.__frozen_repr__ = tuple(f.name for f in fs if f.repr)
    cls.__frozen_compare__ = _getter(tuple(f.name for f in fs if f.compare))
    cls.__frozen_hash__ = _getter(tuple(f.name for f in fs if (f.compare if f.hash is None else f.hash)))
    if "__repr__" not in own:
        cls.__repr__ = _repr
    if "__eq__" not in own:
        cls.__eq__ = _eq
    if "__hash__" not in own:
        cls.__hash__ = _hash
    return cls
