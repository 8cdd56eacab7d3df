"""``models.frozen_record``: frozen dataclasses whose ``__init__`` stores their fields in one step.
Each record class that uses it must behave as ``dataclass(frozen=True)`` makes the same class
behave (same signature, defaults, factories, field order, equality, hash, repr, pickling,
``replace``, assignments refused)."""
from __future__ import annotations

import dataclasses
import inspect
import pickle
from types import MappingProxyType

import pytest

from grader import checks, models, sandbox
from grader.models import frozen_record

#: The classes the grader makes many times a submission, built by ``frozen_record``.
RECORDS = (models.Location, models.Diagnosis, models.CheckResult, models.CaseResult, models.PartResult,
           models.SubmissionResult, sandbox.CallOutcome, checks.Mismatch)


def _reference(cls: type) -> type:
    """The same class as ``dataclass(frozen=True)`` makes it (same name, fields, defaults)."""
    specs = []
    for f in dataclasses.fields(cls):
        options = {"compare": f.compare, "repr": f.repr, "hash": f.hash}
        if f.default is not dataclasses.MISSING:
            options["default"] = f.default
        if f.default_factory is not dataclasses.MISSING:
            options["default_factory"] = f.default_factory
        specs.append((f.name, f.type, dataclasses.field(**options)))
    return dataclasses.make_dataclass(cls.__name__, specs, frozen=True)


def _required(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_a_record_is_built_as_its_frozen_dataclass_would_be(cls):
    ref = _reference(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    assert [(p.name, p.kind) for p in inspect.signature(cls).parameters.values()] == \
        [(p.name, p.kind) for p in inspect.signature(ref).parameters.values()]
    # Every field given, positionally and by name: the same values, in the fields' order.
    values = [f"{name}-value" for name in names]
    for mine, theirs in ((cls(*values), ref(*values)),
                         (cls(**dict(zip(names, values))), ref(**dict(zip(names, values))))):
        assert list(vars(mine).items()) == list(vars(theirs).items())
        assert repr(mine).replace(cls.__qualname__, cls.__name__) == repr(theirs)
        assert hash(mine) == hash(theirs)
    # Only the required ones: the same defaults; each factory called for each record.
    required = {name: f"{name}-value" for name in _required(cls)}
    mine, theirs, again = cls(**required), ref(**required), cls(**required)
    assert list(vars(mine).items()) == list(vars(theirs).items())
    for f in dataclasses.fields(cls):
        if f.default_factory is not dataclasses.MISSING and type(getattr(mine, f.name)) in (dict, list, set):
            assert getattr(mine, f.name) is not getattr(again, f.name)
    # Frozen, comparable, picklable, replaceable as before.
    field = names[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(mine, field, "changed")
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(mine, field)
    assert mine == again
    if any(isinstance(value, MappingProxyType) for value in vars(mine).values()):
        with pytest.raises(TypeError):  # a mapping proxy does not pickle, whoever holds it
            pickle.dumps(mine)
    else:
        assert pickle.loads(pickle.dumps(mine)) == mine
    changed = dataclasses.replace(mine, **{field: "other"})
    assert getattr(changed, field) == "other" and list(vars(changed)) == names
    with pytest.raises(TypeError):
        cls()  # a required field missing
    with pytest.raises(TypeError):
        cls(*values, "one too many")
    with pytest.raises(TypeError):
        cls(*values, no_such_field=1)


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_a_record_stores_its_fields_in_one_step(cls):
    """Its ``__init__`` is ``frozen_record``'s (one store of the whole ``__dict__``), not the frozen
    dataclass's (one ``object.__setattr__`` call per field)."""
    code = cls.__init__.__code__
    assert "__record_store__" in code.co_names and code.co_varnames[0] == "__record_self__"
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen


def test_the_results_defaults_are_fresh_mapping_proxies():
    first = models.SubmissionResult("a", "a.ipynb", "graded", 1.0, 2.0)
    assert first.timings == {} and isinstance(first.timings, MappingProxyType)
    assert first.extra == {} and first.parts == () and first.messages == ()


def test_what_a_frozen_record_refuses():
    with pytest.raises(TypeError, match="__post_init__"):
        @frozen_record
        class Checked:
            x: int

            def __post_init__(self) -> None:
                pass
    with pytest.raises(TypeError, match="__init__"):
        @frozen_record
        class Own:
            x: int

            def __init__(self, x: int) -> None:
                object.__setattr__(self, "x", x)
    with pytest.raises(TypeError, match="positional"):
        @frozen_record
        class Hidden:
            x: int
            y: int = dataclasses.field(default=0, init=False)
    with pytest.raises(TypeError, match="positional"):
        @frozen_record
        class Named:
            x: int
            y: int = dataclasses.field(default=0, kw_only=True)


def test_a_record_without_a_docstring_gets_its_signature_as_dataclass_gives_it():
    assert models.CaseResult.__doc__ == _reference(models.CaseResult).__doc__
    assert models.Location.__doc__.startswith("Where in the student's notebook")
