"""`@frozen` behaves like `@dataclass(frozen=True)`: each case runs against both."""
from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field
from typing import Optional, Tuple

import pytest

from secure_deploy.frozen import frozen
from secure_deploy.model import Finding, Rule, Status


def declare(name, decorator):
    """The same class body under `decorator`: one for @frozen, one for the original.
    Named as the module-level name it is bound to, so that pickle finds it."""

    @decorator
    class Record:
        """A frozen record."""

        name: str
        size: int = 0
        tags: Tuple[str, ...] = ()
        note: Optional[str] = field(default=None, compare=False)
        secret: str = field(default="", repr=False)
        label: str = field(default="", hash=False)

    Record.__name__ = Record.__qualname__ = name
    return Record


F = declare("F", frozen)
D = declare("D", dataclass(frozen=True))


@pytest.mark.parametrize("cls", [F, D])
def test_repr_lists_fields_shown_in_order(cls):
    r = repr(cls("a", 2, ("x",), note="n", secret="hidden", label="l"))
    assert r == f"{cls.__qualname__}(name='a', size=2, tags=('x',), note='n', label='l')"
    assert "hidden" not in r


@pytest.mark.parametrize("cls", [F, D])
def test_equality_uses_compared_fields_only(cls):
    assert cls("a", 1) == cls("a", 1)
    assert cls("a", 1, note="x") == cls("a", 1, note="y")
    assert cls("a", 1) != cls("a", 2)
    assert cls("a", 1, label="x") != cls("a", 1, label="y")   # hash=False still compares


@pytest.mark.parametrize("cls", [F, D])
def test_equality_needs_exactly_the_same_class(cls):
    class Sub(cls):  # type: ignore[misc, valid-type]
        pass

    assert cls("a") != Sub("a")
    assert cls("a") != ("a", 0, (), "", "")
    assert cls.__eq__(cls("a"), "a") is NotImplemented


@pytest.mark.parametrize("cls", [F, D])
def test_hash_agrees_with_equality_and_sets_work(cls):
    a, b = cls("a", 1, note="x", label="p"), cls("a", 1, note="y", label="p")
    assert hash(a) == hash(b)
    assert len({a, b, cls("b")}) == 2
    # label takes part in == but not in the hash: equal hashes, unequal values.
    c = cls("a", 1, label="q")
    assert hash(a) == hash(c) and a != c


@pytest.mark.parametrize("cls", [F, D])
def test_instances_are_immutable(cls):
    x = cls("a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        x.name = "b"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del x.size  # type: ignore[misc]


@pytest.mark.parametrize("cls", [F, D])
def test_dataclass_tools_still_apply(cls):
    x = cls("a", 1, ("t",))
    assert dataclasses.is_dataclass(x)
    assert dataclasses.replace(x, size=2) == cls("a", 2, ("t",))
    assert dataclasses.asdict(x)["tags"] == ("t",)
    assert [f.name for f in dataclasses.fields(x)] == ["name", "size", "tags", "note", "secret", "label"]
    assert pickle.loads(pickle.dumps(x)) == x


def test_a_class_keeps_methods_it_defines():
    @frozen
    class Own:
        """Defines its own repr and equality."""

        v: int

        def __repr__(self) -> str:
            return "own"

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Own) and other.v % 2 == self.v % 2

        def __hash__(self) -> int:
            return self.v % 2

    assert repr(Own(1)) == "own"
    assert Own(1) == Own(3)
    assert hash(Own(1)) == hash(Own(3))


def test_own_eq_without_hash_gets_a_field_hash_like_dataclass():
    # Python sets __hash__ = None for a class body with __eq__; dataclass then still
    # generates a hash for a frozen class, and so does @frozen.
    @frozen
    class OnlyEq:
        """Own equality, no hash."""

        v: int

        def __eq__(self, other: object) -> bool:
            return isinstance(other, OnlyEq) and other.v == self.v

    assert hash(OnlyEq(1)) == hash(OnlyEq(1))


def test_recursive_repr_does_not_loop():
    @frozen
    class Box:
        """Holds a list, which can hold the box itself."""

        items: list

    b = Box([])
    b.items.append(b)
    assert repr(b).endswith("Box(items=[...])")


def test_the_model_classes_are_frozen_records():
    f = Finding(Status.FAIL, "m")
    assert f == Finding(Status.FAIL, "m") and hash(f) == hash(Finding(Status.FAIL, "m"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.message = "x"  # type: ignore[misc]
    # Rule.check has compare=False, repr=False: two rules with the same metadata are equal.
    from secure_deploy import registry
    r = registry.all_rules()[0]
    assert dataclasses.replace(r, check=lambda facts: []) == r
    assert "check=" not in repr(r)
    assert isinstance(r, Rule)
