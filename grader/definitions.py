"""What extraction keeps of a notebook's top-level statements (:mod:`grader.extract`): a
definition (function, class or constant) with its place and the names it reads, a member set after
a class, and one imported name."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import CodeType


@dataclass(frozen=True)
class Def:
    """A kept top-level definition: function, class or constant assignment."""

    kind: str  # "function" | "class" | "constant"
    names: tuple[str, ...]
    source: str
    cell_index: int | None
    first_line: int
    last_line: int
    uses: frozenset[str]
    deftime: frozenset[str] = frozenset()  # names read when the def/class statement itself runs
    code: CodeType | None = field(default=None, compare=False)  # `source` compiled (`compiled_quietly`)
    #: For ``name = other`` run before ``other`` was defined again: the definition of ``other`` it
    #: named, which the program runs just before it (``_Extractor._aliases_of_earlier_defs``).
    before: "Def | None" = field(default=None, compare=False)
    #: Code the program runs just after it (grader's code, located nowhere in the notebook): for
    #: ``name = Cls.attr`` of a static method, ``Cls.attr`` calling ``name`` (``dispatch_line``).
    then: str = field(default="", compare=False)
    #: The definitions of the notebook's functions it reads when its own statement runs (a default
    #: value, a class body, a decorator) as they were then, when a later definition of that name
    #: comes after it in the program: the program runs them just before it
    #: (``_Extractor._read_then_first``).
    runs_first: "tuple[Def, ...]" = field(default=(), compare=False)
    #: The column its statement starts at: a statement after a ``;`` shares its line with the
    #: one before it (``f = lambda ...; g = f; f = lambda ...``), and ``_same_definition`` must
    #: not take the two ``f`` for one statement.
    first_col: int = 0


@dataclass(frozen=True)
class MemberSet:
    """The last ``Cls.attr = f`` (or ``staticmethod(f)``, ``classmethod(f)``) set after a class."""

    held: Def  # the definition of ``f`` when the set ran
    wrapper: str  # "", "staticmethod" or "classmethod"
    line: str  # the program's lines that make the set (``_Extractor._member_set``)


@dataclass(frozen=True)
class Import:
    """One imported name (one alias of an import statement)."""

    source: str  # a one-alias import statement
    module: str
    binds: str | None  # None for a star import
    kind: str  # "light" | "heavy" | "course" | "test"
    cell_index: int | None
    line: int
    imported: str | None = None  # the attribute imported by ``from m import x``
