"""``check()`` in Jupyter: the self-check run on the live functions of a namespace.

:class:`LiveSession` has the interface of :class:`grader.sandbox.Session`
(``.load`` and ``.call(function, args, *, stubs, timeout) -> CallOutcome``) but
calls the functions found in a namespace of *this* process, the student's
kernel.  The grading engine (``grader.runner``'s part grader) is the same as
for ``grade.py --check``, so the verdicts are the same:

* arguments go through :mod:`grader.wire` (encode, decode), exactly as they
  reach a sandbox child: fresh writable copies, never the fixtures themselves;
* a stubbed dependency is rebound in the function's ``__globals__`` for the
  call only, and restored after (also when the call fails);
* names the notebook uses from outside a function (for example ``Wy`` set by a
  test cell) are hidden during the call, as they are absent from the program
  the grader runs;
* the return value and the arguments after the call come back through the wire
  (a value that is not plain data is ``bad_output``), and memory shared between
  returned arrays and with the arguments is reported (``np.shares_memory``);
* an exception becomes an outcome whose frames point at the student's cells
  (IPython cell files) or the caller's file;
* a call is stopped after its timeout with ``signal.setitimer`` where it exists
  (Unix, main thread), from a watchdog thread where it does not (Windows, main
  thread); outside the main thread it runs without a limit. On Python 3.10, which
  runs neither in a loop whose body starts with ``try``, a trace of the student's
  cells stops it as well (``_traced_deadline``).

This runs the student's code in the student's own process, which is what the
student asked for by calling ``check()``; the instructors' grading never does
(it uses :mod:`grader.sandbox`).
"""
from __future__ import annotations

import contextlib
import dataclasses
import inspect
import io
import linecache
import os
import re
import signal
import sys
import textwrap
import threading
import time
import traceback
import types
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Collection, Iterator, Mapping, TextIO

from grader.models import GRADED, Location, PartResult, SubmissionResult, counted_points, marked_bonus
from grader.sandbox import FALLBACK, CallOutcome

__all__ = ["LiveProgram", "LiveSession", "live_extraction", "grade_live", "check"]

_MISSING = object()
_MESSAGE_CHARS = 600
_OUTPUT_BYTES = 64_000
#: Names IPython puts in the user namespace; never part of a submission.
_IPYTHON_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open"})


class _Timeout(BaseException):
    """Raised in the student's code by the alarm; a BaseException so `except Exception` does not eat it."""


# --------------------------------------------------------------------------- places


def _ipython_cells() -> Mapping[str, int]:
    """IPython's map from a cell's code file name to its execution count (empty outside IPython)."""
    ipython_module = sys.modules.get("IPython")
    if ipython_module is None:
        return {}
    try:
        shell = ipython_module.get_ipython()
    except Exception:  # noqa: BLE001 - any failure means "not in IPython"
        return {}
    mapping = getattr(getattr(shell, "compile", None), "_filename_map", None)
    return mapping if isinstance(mapping, dict) else {}


class LiveProgram:
    """Stands for the sandbox's program: maps frame numbers of live outcomes to places.

    A live outcome's ``frames`` hold ``(k, function)`` where ``k`` numbers a place
    recorded here; :meth:`locate` gives ``(cell, line, function)`` as
    ``grader.extract.Program.locate`` does.  ``cell`` is the IPython execution
    count minus one (``Location.describe`` adds one back: cell 7 is ``In [7]``),
    or None for a frame in a file.
    """

    def __init__(self) -> None:
        """An empty table of places."""
        self._places: list[tuple[int | None, int, str, str]] = []  # cell, line, function, filename

    def record(self, *, cell: int | None, line: int, function: str, filename: str) -> int:
        """Remember a place and return its number (1-based, like a program line)."""
        self._places.append((cell, line, function, filename))
        return len(self._places)

    def locate(self, number: int) -> tuple[int | None, int | None, str | None]:
        """``(cell, line, function)`` of a recorded place; all None for an unknown number."""
        if 1 <= number <= len(self._places):
            cell, line, function, _ = self._places[number - 1]
            return cell, line, function
        return None, None, None

    def filename(self, location: Location) -> str:
        """The code file of a location recorded here ("" if unknown)."""
        for cell, line, function, filename in self._places:
            if (cell, line, function) == (location.cell, location.line, location.function):
                return filename
        return ""


def _describe(location: Location) -> str:
    """``In [7], line 3, in rnn_forward`` (a cell) or ``line 3, in rnn_forward`` (a file)."""
    parts = []
    if location.cell is not None:
        parts.append(f"In [{location.cell + 1}]")
    if location.line is not None:
        parts.append(f"line {location.line}")
    if location.function:
        parts.append(f"in {location.function}")
    return ", ".join(parts) or "unknown location"


# --------------------------------------------------------------------------- copies and aliases


def _plain_copy(value: Any) -> Any:
    """``value`` through the sandbox's wire format: a plain-data deep copy; WireError if not plain."""
    from grader import wire

    return wire.decode(wire.encode(value))


#: Most containers and arrays one walk of a value visits (``childruntime.find_aliases``'s ``max_nodes``):
#: far more than any answer of the assignment holds. A list holding itself ten times has 10**32
#: paths within the walk's depth; walked in full, it hung the kernel after the call, past
#: check()'s time limit.
_MAX_VISITS = 100_000


def find_aliases(result: Any, args: tuple) -> tuple[tuple[str, str], ...]:
    """Pairs of leaf paths sharing memory: inside the result, and between result and arguments.

    The sandbox's child's walk (``grader.childruntime.find_aliases``), so both find the same pairs,
    bounded to ``_MAX_VISITS`` nodes a walk (none found past it): check() walks after the call,
    outside its time limit. Paths are spelled as the child spells them (``"result[2][0]"``,
    ``"args[2]['Wax']"``), and pairs come in the child's order: each pair in walk order (the
    returned value before the arguments, ``result[2]`` before ``result[10]``), the pairs sorted.
    The grade's alias message names the first pair that explains a wrong value, so check() must
    see the pairs in the order the grade sees them to say the same sentence.
    """
    from grader.childruntime import find_aliases as child_find_aliases

    pairs = child_find_aliases(result, args, max_nodes=_MAX_VISITS)
    return tuple((a, b) for a, b in pairs)


# --------------------------------------------------------------------------- timeout


#: CPython 3.10 runs no signal handler, and raises no other thread's exception, in a loop whose
#: jump back lands on a ``try`` (``while True:`` with a ``try`` first in its body): its eval loop
#: skips pending calls before the SETUP_FINALLY instruction. 3.9 and 3.11 on do not skip them.
_TRY_LOOPS_DEAF = sys.version_info[:2] == (3, 10)


#: Seconds after a ring that the timer rings again, should that ring's exception be ignored.
_RING_AGAIN = 0.1


@contextlib.contextmanager
def _alarm(seconds: float | None, *, files: Collection[str] = ()) -> Iterator[None]:
    """Raise :class:`_Timeout` in the body after ``seconds``, in the main thread: with a real-time
    timer where there is one (Unix), else from a watchdog thread (Windows, see ``_watchdog``); on
    3.10 also from a trace function in the frames of ``files`` (``_traced_deadline``)."""
    usable = (seconds is not None and seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if usable and signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        usable = False  # someone else's timer is running: do not steal it
    if not usable:
        if (seconds is not None and seconds > 0 and not hasattr(signal, "setitimer")
                and threading.current_thread() is threading.main_thread()):
            with _watchdog(seconds), _traced_deadline(seconds, files):
                yield
        else:
            yield
        return

    def ring(signum: int, frame: Any) -> None:
        """The SIGALRM handler: stop the student's code where it is. Raised where the interpreter
        ignores an exception (a ``__del__``, a weakref callback: seen in a test run under load), it
        would be lost with a one-shot timer and an endless loop never stopped: the timer is set to
        ring again, until the body's end turns it off."""
        signal.setitimer(signal.ITIMER_REAL, _RING_AGAIN)
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        with _traced_deadline(seconds, files):
            yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _traced_deadline(seconds: float, files: Collection[str], *,
                     deaf: bool | None = None) -> Iterator[None]:
    """Where loops may not hear the alarm (``deaf``, by default ``_TRY_LOOPS_DEAF``: Python 3.10),
    raise :class:`_Timeout` in the body's frames of ``files`` (the student's cells) from a trace
    function, at their first line event after ``seconds``: a loop's jump back is one. Only those
    frames are traced (about a microsecond a line); nothing when another trace function (a
    debugger's, coverage's) is set, which this would replace."""
    if not (_TRY_LOOPS_DEAF if deaf is None else deaf) or not files or sys.gettrace() is not None:
        yield
        return
    deadline = time.monotonic() + seconds
    clock = time.monotonic
    traced = frozenset(files)

    def in_frame(frame: Any, event: str, arg: Any) -> Any:
        """A line (or return, exception) of the student's frame: stop it past the deadline."""
        if clock() > deadline:
            raise _Timeout()
        return in_frame

    def on_call(frame: Any, event: str, arg: Any) -> Any:
        """A new frame: traced when its code is the student's."""
        return in_frame if frame.f_code.co_filename in traced else None

    sys.settrace(on_call)
    try:
        yield
    finally:
        sys.settrace(None)


@contextlib.contextmanager
def _watchdog(seconds: float) -> Iterator[None]:
    """Raise :class:`_Timeout` in this (the main) thread after ``seconds``, from a thread that
    asks the interpreter to raise it (``PyThreadState_SetAsyncExc``): where there is no
    ``signal.setitimer`` (Windows). Like the timer's, it stops Python code between two of its
    steps, not a long NumPy operation; without ctypes' access to the interpreter, no limit."""
    try:
        import ctypes
        raise_in = ctypes.pythonapi.PyThreadState_SetAsyncExc
    except (ImportError, AttributeError):
        yield
        return
    target = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    ended = threading.Event()
    fired: list[bool] = []

    def watch() -> None:
        """Wait ``seconds``; then, unless the body has ended, raise in it."""
        if not ended.wait(seconds):
            with lock:
                if not ended.is_set():
                    raise_in(target, ctypes.py_object(_Timeout))
                    fired.append(True)

    watcher = threading.Thread(target=watch, name="check-time-limit", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        with lock:
            ended.set()
        watcher.join()
        if fired:  # raised already, or still pending: never after the body
            raise_in(target, None)


class _Capture(io.TextIOBase):
    """A text stream keeping the first ``limit`` characters written to it."""

    def __init__(self, limit: int) -> None:
        """Keep at most ``limit`` characters."""
        super().__init__()
        self.limit = limit
        self.kept: list[str] = []
        self.size = 0
        self.dropped = 0

    def writable(self) -> bool:
        """Always: this stream takes writes."""
        return True

    def write(self, text: str) -> int:
        """Keep what fits, count the rest; report everything as written."""
        room = self.limit - self.size
        if room > 0:
            self.kept.append(text[:room])
            self.size += min(len(text), room)
        self.dropped += max(len(text) - max(room, 0), 0)
        return len(text)

    def text(self) -> str:
        """What was kept, with a note of how much was not."""
        out = "".join(self.kept)
        if self.dropped:
            out += f"\n[... {self.dropped} more characters of output not shown]"
        return out


@contextlib.contextmanager
def _quiet_print(capture: _Capture) -> Iterator[None]:
    """``print`` during a call: the builtin, except that once ``capture`` has spilled a print to it
    returns without formatting its arguments, as the sandbox's child does past what the grader
    keeps (``grader.childruntime.OutputBudget``): formatting arrays is what printing costs (about 0.2 ms
    a (5, 10) array), and a right function printing 3,000 of them a call passed when graded but
    ran out of time in check(). Restored after the call."""
    import builtins

    real = builtins.print

    def print(*args: Any, sep: Any = None, end: Any = None, file: Any = None, flush: bool = False) -> None:  # noqa: A001
        if capture.dropped and (file is capture or file is None and sys.stdout is capture):
            return None
        return real(*args, sep=sep, end=end, file=file, flush=flush)

    builtins.print = print
    try:
        yield
    finally:
        builtins.print = real


# --------------------------------------------------------------------------- the session


class LiveSession:
    """The sandbox session's interface over the functions of a live namespace.

    ``hidden`` maps a function name to the global names to hide while it runs
    (names the graded program would not define); ``student_files`` are the code
    files whose frames count as the student's (IPython cells always do).
    """

    def __init__(self, namespace: Mapping[str, Any], *, program: LiveProgram,
                 hidden: Mapping[str, frozenset[str]] = MappingProxyType({}),
                 student_files: frozenset[str] = frozenset(),
                 output_chars: int = _OUTPUT_BYTES,
                 rebound: Mapping[str, object] = MappingProxyType({})) -> None:
        """A session over ``namespace``; ``program`` records the places of failures; ``rebound``
        holds the global names the grader's program binds otherwise (see ``_graders_bindings``),
        set for each call and restored after."""
        self.namespace = namespace
        self.program = program
        self.hidden = hidden
        self.rebound = rebound
        self.student_files = student_files
        self.output_chars = output_chars
        self.load = CallOutcome("ok")

    def __enter__(self) -> "LiveSession":
        """Sessions are context managers, as the sandbox's are."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Nothing to release."""
        return None

    def close(self) -> None:
        """Nothing to release: the functions belong to the caller."""

    # -- helpers

    def _is_student_file(self, filename: str) -> bool:
        """Whether frames of ``filename`` are the student's (an IPython cell or a known file)."""
        return filename in self.student_files or filename in _ipython_cells()

    def _frames(self, exc: BaseException) -> tuple[tuple[int, str], ...]:
        """The student's frames of ``exc``'s traceback as ``(place number, function)``, innermost last."""
        cells = _ipython_cells()
        frames = []
        tb = exc.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            if self._is_student_file(code.co_filename):
                count = cells.get(code.co_filename)
                number = self.program.record(cell=None if count is None else count - 1, line=tb.tb_lineno,
                                             function=code.co_name, filename=code.co_filename)
                frames.append((number, code.co_name))
            tb = tb.tb_next
        return tuple(frames[-20:])

    def _failure(self, exc: BaseException, output: str, seconds: float) -> CallOutcome:
        """The outcome of a call that raised: type, short message, the student's frames."""
        name = type(exc).__name__
        try:
            text = str(exc)
        except BaseException:  # noqa: BLE001 - a student's exception may fail to print
            text = "<unprintable exception>"
        message = f"{name}: {text}" if text else name
        if len(message) > _MESSAGE_CHARS:
            message = message[:_MESSAGE_CHARS - 3] + "..."
        return CallOutcome("memory" if isinstance(exc, MemoryError) else "error", error_type=name,
                           message=message, frames=self._frames(exc), output=output, seconds=seconds)

    @staticmethod
    def _proxy(name: str, handler: Callable[[tuple], object], original: object,
               pending: list[BaseException]) -> Callable:
        """Stands for the dependency ``name``: asks ``handler``; falls back to ``original``."""
        from grader import wire

        def stub(*args: Any, **kwargs: Any) -> Any:
            """Called by the student's code in place of the dependency."""
            if kwargs:
                from grader.childruntime import positional_arguments  # as the sandbox's child binds them
                args = positional_arguments(name, original, args, kwargs)
            try:
                plain_args = _plain_copy(tuple(args))
            except wire.WireError as exc:
                raise TypeError(f"arguments of {name}() are not plain data: {exc}") from None
            try:
                answer = handler(plain_args)
                reply = answer if answer is FALLBACK else _plain_copy(answer)
            except Exception as exc:  # noqa: BLE001 - the grader's bug, re-raised after the call
                pending.append(exc)
                raise RuntimeError(f"the grader could not answer {name}(): internal grader error") from None
            if reply is FALLBACK:
                if not callable(original):
                    raise NameError(f"name {name!r} is not defined")
                return original(*args)
            from grader.childruntime import own_arguments  # a cache holds the caller's arrays, as in the sandbox
            return own_arguments(reply, args)

        stub.__name__ = stub.__qualname__ = name
        return stub

    # -- public

    def call(self, function: str, args: tuple, *, stubs: Mapping[str, Callable[[tuple], object]] = {},
             timeout: float | None = None) -> CallOutcome:
        """Call the namespace's ``function(*copies of args)`` with ``stubs`` for this call only."""
        from grader import wire

        if type(args) is not tuple:
            raise TypeError("args must be a tuple")
        fn = self.namespace.get(function, _MISSING)
        if fn is _MISSING or not callable(fn):
            return CallOutcome("missing", error_type="NameError",
                               message=f"the program defines no function {function}()")
        call_args = _plain_copy(args)
        scope = getattr(fn, "__globals__", None)
        if not isinstance(scope, dict):
            scope = {}
        pending: list[BaseException] = []
        saved: dict[str, object] = {}
        for name in self.hidden.get(function, frozenset()):
            saved[name] = scope.pop(name, _MISSING)
        for name, value in self.rebound.items():
            if name not in saved:
                saved[name] = scope.get(name, _MISSING)
                scope[name] = value
        members: list[tuple[type, str, object]] = []
        for name, handler in stubs.items():
            if name not in saved:
                saved[name] = scope.get(name, _MISSING)
            scope[name] = self._proxy(name, handler, saved[name], pending)
            members += _stand_in_classes(scope, saved[name], scope[name], name=name)
        defaults = _stand_in_defaults(scope, fn, {id(saved[n]): scope[n] for n in stubs if callable(saved[n])},
                                      by_name={n: scope[n] for n in stubs})
        capture = _Capture(self.output_chars)
        failure: BaseException | None = None
        timed_out = False
        value = None
        t0 = time.perf_counter()
        try:
            with contextlib.redirect_stdout(capture), contextlib.redirect_stderr(capture), _quiet_print(capture):
                with _alarm(timeout, files=self.student_files | set(_ipython_cells())):
                    value = fn(*call_args)
        except _Timeout as exc:  # the student's frames where the alarm stopped it: the message names them
            timed_out = True
            failure = exc
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - SystemExit too: the student's, reported
            failure = exc
        finally:
            for name, original in saved.items():
                if original is _MISSING:
                    scope.pop(name, None)
                else:
                    scope[name] = original
            for cls, attr, member in reversed(members):
                with contextlib.suppress(Exception):
                    setattr(cls, attr, member)
            for function_, attr, held in reversed(defaults):
                with contextlib.suppress(Exception):
                    setattr(function_, attr, held)
        seconds = time.perf_counter() - t0
        if pending:
            raise pending[0]
        output = capture.text()
        if timed_out:
            return CallOutcome("timeout", error_type="Timeout", output=output, seconds=seconds,
                               message=f"no answer within {timeout:g} s (infinite loop?)",
                               frames=self._frames(failure) if failure is not None else ())
        if failure is not None:
            return self._failure(failure, output, seconds)
        try:
            aliases = find_aliases(value, call_args)
        except Exception:  # noqa: BLE001 - exotic values: no alias diagnosis, as in the child
            aliases = ()
        try:
            plain_value = _plain_copy(value)
        except wire.WireError as exc:
            from grader.childruntime import _as_plain_arrays, refused_value_message  # as the sandbox's child
            try:
                plain_value = _plain_copy(_as_plain_arrays(value))
            except KeyboardInterrupt:
                raise
            except BaseException:  # noqa: BLE001 - WireError, or what a student's subclass raises: refused
                return CallOutcome("bad_output", error_type="WireError", output=output, seconds=seconds,
                                   message=refused_value_message(value, exc))
        try:
            args_after = _plain_copy(call_args)
        except wire.WireError:
            args_after = None
        return CallOutcome("ok", value=plain_value, args_after=args_after, aliases=aliases,
                           output=output, seconds=seconds)


def _stand_in_defaults(scope: dict, fn: object, proxies: Mapping[int, Callable], *,
                       by_name: Mapping[str, Callable] = MappingProxyType({})) -> list[tuple[object, str, tuple | dict]]:
    """Put each stub in place of the dependency it stands for among the default values of ``fn``
    and of the notebook's other top-level defs (``def _step(..., cell=rnn_cell_forward)``, which
    ``fn`` may call), as the grader's program does for every such def (``program.defaults_line``);
    ``proxies`` maps the id of each dependency to its stub. Keyword-only parameters' defaults
    (``__kwdefaults__``, a dict) too. Returns ``(function, attribute, what it held)`` for each
    change, to put back after the call. Only ``fn``'s were replaced until the twenty-fourth
    session: a composite calling a helper whose default held a wrong cell failed in check() and
    passed in the grade.

    ``by_name`` maps each dependency's name to its stub: a default holding an earlier def of that
    name (the def run again since, ``_earlier_def``) gets it too, as the program runs that def just
    before the helper and its line then makes the default call the global name
    (``extract._read_then_first``, ``program.defaults_line``)."""
    done: list[tuple[object, str, tuple | dict]] = []
    if not proxies and not by_name:
        return done

    def stub_for(value: object) -> Callable | None:
        found = proxies.get(id(value))
        if found is None and type(value) is types.FunctionType and value.__qualname__ in by_name \
                and _earlier_def(value, value.__qualname__, scope):
            found = by_name[value.__qualname__]
        return found

    others = [value for name, value in list(scope.items())  # a def's own name: no lambda, no alias
              if type(value) is types.FunctionType and value is not fn and value.__qualname__ == name
              and value.__globals__ is scope]
    for function_ in [fn, *others]:
        defaults = getattr(function_, "__defaults__", None)
        if type(defaults) is tuple and any(stub_for(v) is not None for v in defaults):
            try:
                function_.__defaults__ = tuple(v if (stub := stub_for(v)) is None else stub for v in defaults)
                done.append((function_, "__defaults__", defaults))
            except Exception:  # noqa: BLE001 - not a plain function: left as it is
                pass
        keyword = getattr(function_, "__kwdefaults__", None)
        if type(keyword) is dict and any(stub_for(v) is not None for v in keyword.values()):
            try:
                function_.__kwdefaults__ = {k: v if (stub := stub_for(v)) is None else stub
                                            for k, v in keyword.items()}
                done.append((function_, "__kwdefaults__", keyword))
            except Exception:  # noqa: BLE001 - not a plain function: left as it is
                pass
    return done


def _stand_in_classes(scope: dict, original: object, proxy: Callable, *,
                      name: str = "") -> list[tuple[type, str, object]]:
    """Put ``proxy`` in place of ``original`` where a class of ``scope`` holds it (a static method
    or a def without decorators: ``rnn_cell_forward = RNN.cell``), as the grader's program does
    (``program.dispatch_line``): a composite calling ``RNN.cell(...)`` then meets the stub, and
    check() agrees with the grade, which no longer charges a wrong cell twice. Returns
    ``(class, attribute, member it held)`` for each, to put back after the call.

    An earlier def of ``name`` too (a top-level def of that name, of this namespace), which a
    member set after the class holds when the def was run again since (``RNN.cell =
    staticmethod(rnn_cell_forward)``, then the cell defined again): the program sets the member
    after the last def, calling the global name (``extract._member_sets_last``), so the grade met
    the stub where check() ran the kernel's first, wrong, cell."""
    done: list[tuple[type, str, object]] = []
    if original is _MISSING or not callable(original):
        return done
    home = scope.get("__name__")
    for value in list(scope.values()):
        # Only the notebook's own classes: a kernel may hold hundreds imported (`from keras... import *`).
        if not isinstance(value, type) or value.__dict__.get("__module__") != home:
            continue
        try:
            for attr, member in list(vars(value).items()):
                if member is original or _earlier_def(member, name, scope):
                    replacement: object = proxy
                elif type(member) is staticmethod and (member.__func__ is original
                                                       or _earlier_def(member.__func__, name, scope)):
                    replacement = staticmethod(proxy)
                else:
                    continue
                setattr(value, attr, replacement)
                done.append((value, attr, member))
        except Exception:  # noqa: BLE001 - a class that refuses: it keeps its method
            continue
    return done


def _earlier_def(value: object, name: str, scope: dict) -> bool:
    """Whether ``value`` is a def of ``name`` run at the top level of ``scope`` (the one ``name``
    holds now, or one run before it)."""
    return (bool(name) and type(value) is types.FunctionType and value.__qualname__ == name
            and value.__globals__ is scope)


# --------------------------------------------------------------------------- extraction


@dataclass(frozen=True)
class LiveExtraction:
    """What the part grader needs of an extraction: ``functions`` (name -> FunctionSource), and
    the diagnostics of the grader's extraction of the cells the kernel ran (``_graders_program``;
    none outside IPython). A kernel's namespace has nothing left unread for its size."""

    functions: Mapping[str, Any]
    diagnostics: tuple = ()
    unread_cells: tuple[int, ...] = ()
    cells_left_out: int = 0
    assigned_in: Mapping[str, int] = dataclasses.field(default_factory=lambda: MappingProxyType({}))  # from ``In``
    assigned_by: Mapping[str, tuple] = dataclasses.field(default_factory=lambda: MappingProxyType({}))  # likewise


def _module_of(namespace: Mapping[str, Any]) -> str:
    """The module name functions defined in ``namespace`` carry (``__main__`` in a kernel)."""
    return str(namespace.get("__name__", "__main__"))


def _own_function(value: Any, module: str) -> bool:
    """Whether ``value`` is a named function defined in the namespace of ``module``."""
    return isinstance(value, types.FunctionType) and value.__module__ == module \
        and value.__name__ != "<lambda>"


def _defined_as(value: Any, name: str, module: str) -> bool:
    """Whether ``value`` is a function or class of the notebook bound under its own name: a helper
    ``def _gate`` is the student's, as the grade reads it, where ``_`` holding a function that a
    cell showed is IPython's."""
    own = _own_function(value, module) or isinstance(value, type) and value.__module__ == module
    return own and getattr(value, "__name__", None) == name


def _source_of(value: Any) -> str:
    """The source of a live function or class, padded so that its lines keep their numbers."""
    try:
        lines, first = inspect.getsourcelines(value)
    except (OSError, TypeError):
        return ""
    return "\n" * max(first - 1, 0) + textwrap.dedent("".join(lines))


def _namespace_cells(namespace: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(name, source)`` of what a notebook would hold to build this namespace.

    Imports for modules and imported functions, simple constants, and the source
    of the functions and classes defined here.  Data (arrays, dicts, results
    of test calls) is left out, as the grader's extraction leaves it out.
    """
    module = _module_of(namespace)
    cells: list[tuple[str, str]] = []
    for name, value in list(namespace.items()):
        if name in _IPYTHON_NAMES or name.startswith("_") and not _defined_as(value, name, module):
            continue  # IPython's _, _7, _i7 (a function shown in a cell is _ too); not a def's own name
        if isinstance(value, types.ModuleType):
            real = value.__name__
            cells.append((name, f"import {real}" if real == name else f"import {real} as {name}"))
        elif _own_function(value, module) or (isinstance(value, type) and value.__module__ == module):
            source = _source_of(value)
            if source.strip():
                cells.append((name, source))
        elif isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type)):
            home = getattr(value, "__module__", None)
            real = getattr(value, "__name__", name)
            if home and home != module and home != "builtins":
                alias = "" if real == name else f" as {name}"
                cells.append((name, f"from {home} import {real}{alias}"))
        elif type(value) in (int, float, bool, str) and len(repr(value)) < 200:
            cells.append((name, f"{name} = {value!r}"))
    return cells


def live_extraction(namespace: Mapping[str, Any], functions: tuple[str, ...], *,
                    defined: Collection[str] = frozenset()) -> tuple[LiveExtraction, dict]:
    """Extraction facts of the live ``functions`` and the global names to hide per function
    (never one in ``defined``: names the grader's program binds, see ``_graders_program``).

    The namespace is written back as notebook cells (:func:`_namespace_cells`)
    and read with :func:`grader.extract.extract`, so placeholders and names
    used from outside a function are found exactly as in a submitted file.
    Cell and line numbers are the live ones (IPython execution count, line in
    the cell or the file).
    """
    from grader.extract import extract
    from grader.notebook import Cell, Notebook

    cells = _namespace_cells(namespace)
    notebook = Notebook(path="<live>", cells=tuple(Cell(i, "code", src) for i, (_, src) in enumerate(cells)),
                        nbformat=(4, 5))
    extraction = extract(notebook)
    ipython = _ipython_cells()
    found: dict[str, Any] = dict(extraction.functions)  # all of them: "did you mean" hints
    hidden: dict[str, frozenset[str]] = {}
    for name in functions:
        value = namespace.get(name, _MISSING)
        source = extraction.functions.get(name)
        if value is _MISSING or not callable(value) or source is None:
            continue
        code = getattr(value, "__code__", None)
        count = ipython.get(code.co_filename) if code is not None else None
        cell = None if count is None else count - 1  # 0-based, as Location wants
        first = code.co_firstlineno if code is not None else source.first_line
        found[name] = dataclasses.replace(source, cell_index=cell, first_line=first)
        hidden[name] = frozenset(n for n in source.free_names if n in namespace and n not in defined)
    for name in functions:  # callables whose source cannot be read: graded, without the facts
        value = namespace.get(name, _MISSING)
        if name not in found and value is not _MISSING and callable(value):
            from grader.extract import FunctionSource
            found[name] = FunctionSource(name=name, source="", cell_index=None, first_line=0,
                                         last_line=0, free_names=(), placeholder=False,
                                         **_bound_facts(namespace, name, value, found))
    return LiveExtraction(MappingProxyType(found)), hidden


def _bound_facts(namespace: Mapping[str, Any], name: str, value: Any, found: Mapping[str, Any]) -> dict[str, Any]:
    """What the grader's extraction records of ``name`` when the kernel binds it to a def of
    another name, for check()'s messages to name that def's parameters as the grade's do
    (``runner._signature``): ``alias_of`` for ``name = f`` while ``f`` is still that def, else
    ``bound_source`` (a class's member, ``rnn_cell_forward = RNN.cell``, or an ``f`` defined again
    since) with ``bound_skips`` 1 for a method bound to its class or instance (a class method's
    ``cls``). {} otherwise. The kernel's functions are read back under their own def names, so
    ``name`` had no source and check() said "If you read it from argument 3" where the grade
    named ``parameters``."""
    function = value.__func__ if isinstance(value, types.MethodType) else value
    if not _own_function(function, _module_of(namespace)) or function.__name__ == name:
        return {}
    if namespace.get(function.__name__) is value and function.__name__ in found:
        return {"alias_of": function.__name__}
    source = _source_of(function).lstrip("\n")
    if not source:
        return {}
    return {"bound_source": source, "bound_skips": 1 if isinstance(value, types.MethodType) else 0}


def _student_files(namespace: Mapping[str, Any]) -> frozenset[str]:
    """Code files of the functions defined in the namespace, and the namespace's own file."""
    module = _module_of(namespace)
    files = {value.__code__.co_filename for value in list(namespace.values()) if _own_function(value, module)}
    if isinstance(namespace.get("__file__"), str):
        files.add(namespace["__file__"])
    return frozenset(files)


def _history(namespace: Mapping[str, Any]) -> tuple[str, ...]:
    """The cells the kernel ran, in the order it ran them, as typed: IPython's raw input history
    when ``namespace`` is its shell's, else ``In`` (its first entry empty); () outside IPython or
    when it is not a list of texts. ``In`` holds each cell as IPython rewrote it, a ``%%time``
    cell as one ``run_cell_magic`` call whose def extraction cannot see, where the grader reads
    the notebook's text."""
    cells = namespace.get("In")
    if type(cells) is not list or not all(type(c) is str for c in cells):
        return ()
    ipython_module = sys.modules.get("IPython")
    try:
        shell = ipython_module.get_ipython() if ipython_module is not None else None
        raw = shell.history_manager.input_hist_raw if shell is not None and shell.user_ns is namespace else None
    except Exception:  # noqa: BLE001 - any failure: the rewritten cells
        raw = None
    if type(raw) is list and len(raw) == len(cells) and all(type(c) is str for c in raw):
        return tuple(raw)
    return tuple(cells)


def _origin(value: Any) -> tuple[str, str]:
    """Where a global's value comes from: a module's name, or a callable's module and name."""
    if isinstance(value, types.ModuleType):
        return ("module", value.__name__)
    return (str(getattr(value, "__module__", "")), str(getattr(value, "__qualname__", getattr(value, "__name__", ""))))


def _graders_program(namespace: Mapping[str, Any]) -> tuple[dict[str, Any], Any] | None:
    """The namespace the grader's program builds from the cells the kernel ran (IPython's ``In``),
    and the extraction it was built from; None outside IPython, or when the program cannot be built
    or run (the live functions are then checked as they are, as before).

    The grader never runs the notebook: it builds a program from its cells, which leaves out an
    import that comes after every function reading its name (``program.late_imports``: a bonus
    cell's ``from scipy.special import softmax`` or ``import autograd.numpy as np``), puts the
    course's own ``softmax`` and ``sigmoid`` in, and holds the notebook's classes and decorated
    functions, whose source ``inspect`` cannot read back from a kernel. Run here in a namespace
    of its own (the student's code, which ``check()`` runs anyway), it says what the grade will
    bind (``_graders_bindings``) and which names it defines (never hidden from a call)."""
    history = _history(namespace)
    if not history:
        return None
    from grader.extract import extract
    from grader.notebook import Cell, Notebook

    try:
        # Numbered by execution count (``In[0]`` is empty): a cell's index is its count - 1, as
        # ``Location`` wants it, so "cell 7" in the extraction's messages is the cell run as In [7]
        # (`_in_jupyter_words` says it so in check()'s notes).
        extraction = extract(Notebook(path="<history>", nbformat=(4, 5),
                                      cells=tuple(Cell(i - 1, "code", src) for i, src in enumerate(history) if i)))
        program = _run_program(extraction.program())
    except Exception:  # noqa: BLE001 - the live functions are then checked as they are
        return None
    return (program, extraction) if program is not None else None


def _run_program(program: Any) -> dict[str, Any] | None:
    """The namespace of ``program`` (a :class:`grader.program.Program`) run here, a top-level
    statement that raises left out and the rest run again, as the grade loads it
    (``loading.loaded_session``, at most ``LOAD_RETRIES`` statements); None when it cannot be run.
    One statement that raised (``x = np.load("data.npy")``, a file the laptop has) lost the whole
    program, and with it the imports the grade gives the functions (thirty-seventh session)."""
    from grader.loading import LOAD_RETRIES, failing_segment, without_segment

    filename, source = "<grader's program>", program.source
    for _ in range(LOAD_RETRIES + 1):
        namespace: dict[str, Any] = {"__name__": "__grader_program__"}
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                exec(compile(source, filename, "exec"), namespace)  # noqa: S102
            return namespace
        except Exception as exc:  # noqa: BLE001 - the statement is left out, as the grade does
            frames = tuple((line, frame.f_code.co_name) for frame, line in traceback.walk_tb(exc.__traceback__)
                           if frame.f_code.co_filename == filename)
            segment = failing_segment(types.SimpleNamespace(frames=frames), program)
            if segment is None:
                return None
            source = without_segment(source, segment)
    return None


def _graders_bindings(namespace: Mapping[str, Any], program: Mapping[str, Any],
                      own: Collection[str]) -> dict[str, Any]:
    """Modules and imported callables the grader's `program` binds otherwise than the kernel does
    now, by name: the values the program binds. The notebook's own functions (`own`), classes and
    objects stay the live ones: only what an import or the course provides is taken."""
    from grader.course import COURSE_HELPERS as helpers

    module = _module_of(namespace)
    rebound = {}
    for name, value in program.items():
        if name.startswith("__") or name in own:
            continue
        if name not in namespace:  # an import cell that raised before it, or never ran
            if isinstance(value, types.ModuleType) or callable(value) and (
                    name in helpers or _origin(value)[0] != "__grader_program__"):
                rebound[name] = value
            continue
        live = namespace[name]
        if getattr(live, "__module__", None) == module or _origin(value)[0] == "__grader_program__" \
                and name not in helpers:
            continue  # the notebook's own class, decorated function or object: checked as it is
        if not (isinstance(value, types.ModuleType) or callable(value)) or _own_function(live, module):
            continue
        if live is not value and _origin(live) != _origin(value):
            rebound[name] = value
    return rebound


def _graders_constants(namespace: Mapping[str, Any], program: Mapping[str, Any],
                       read: Collection[str]) -> dict[str, Any]:
    """The plain values (numbers, strings, tuples ...: the wire format's) that the grader's
    ``program`` binds to a name of ``read`` (the names the notebook's functions read) where the
    kernel has no such name or another value, by name. A constant the grade binds and the kernel
    lacks (``import tensorflow as tf`` then ``SCALE = 1.0``, the cell stopped at its first line)
    failed in check() with a NameError and passed in the grade (thirty-eighth session)."""
    from grader import wire

    constants = {}
    for name in read:
        value = program.get(name, _MISSING)
        if value is _MISSING or name.startswith("__") or callable(value) or isinstance(value, types.ModuleType):
            continue
        try:
            mine = wire.encode(value)
        except wire.WireError:
            continue  # an object of the notebook's classes: checked as the kernel holds it
        live = namespace.get(name, _MISSING)
        try:
            same = live is not _MISSING and wire.encode(live) == mine
        except wire.WireError:
            same = False
        if not same:
            constants[name] = value
    return constants


def _constant_notes(namespace: Mapping[str, Any], constants: Mapping[str, Any]) -> tuple[str, ...]:
    """What the student is told of ``constants`` (``_graders_constants``): that check() used the
    grade's value, and why the kernel's differs."""
    notes = []
    for name, value in sorted(constants.items()):
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        if name not in namespace:
            notes.append(f"`{name}` is not set in this kernel (did the cell that sets it stop at an error before "
                         f"it, or not run?). The cells your instructor's grader runs set it to `{shown}`, so "
                         f"check() gave it to your functions as the grade will.")
            continue
        live = repr(namespace[name])
        live = live if len(live) <= 60 else live[:57] + "..."
        notes.append(f"`{name}` is `{live}` in this kernel, but the cells your instructor's grader runs set it "
                     f"to `{shown}` (of a cell's top level it runs constants like `{name} = ...`, not loops, "
                     f"calls or code inside functions that change it afterwards); check() used `{shown}`, "
                     f"as the grade will.")
    return tuple(notes)


def _rebinding_notes(namespace: Mapping[str, Any], rebound: Mapping[str, Any]) -> tuple[str, ...]:
    """What the student is told of ``rebound``: a name the kernel took from elsewhere than the
    course's module (scipy's softmax, not ``rnn_utils``'), and what the grader uses instead."""
    from grader.course import COURSE_MODULES

    notes = list(_absent_notes([name for name in rebound if name not in namespace]))
    for name, value in sorted(rebound.items()):
        if name not in namespace:
            continue
        live = namespace.get(name)
        if isinstance(live, types.ModuleType):
            home, now = live.__name__, f"`{live.__name__}`"
        else:
            home = _origin(live)[0]
            public = ".".join(part for part in home.split(".") if not part.startswith("_")) or home
            now = f"`{public}`'s `{name}`"  # scipy.special's, not scipy.special._logsumexp's
        if home.split(".", 1)[0] in COURSE_MODULES:
            continue  # the course's module's own helper: the same maths, said to no one
        if isinstance(value, types.ModuleType):
            graders = f"`{value.__name__}`"
        elif _origin(value)[0] == "__grader_program__":
            graders = f"the course's `{name}`"
        else:
            graders = f"`{_origin(value)[0]}`'s `{name}`"
        notes.append(f"`{name}` is {now} now, imported in a cell after the functions that read it. The grader "
                     f"leaves that import out (they were written and tested before it) and runs them with "
                     f"{graders}; so did check().")
    return tuple(notes)


def _absent_notes(names: Collection[str]) -> tuple[str, ...]:
    """What the student is told of the imported names the grade binds and the kernel lacks (the cell
    importing them raised before them: ``import tensorflow as tf`` first, on a laptop without it),
    which check() gave the functions as the grade does. check() said every function "raised an
    error", ``NameError: name 'np' is not defined``, of a notebook the grade passes (thirty-seventh
    session, as a student)."""
    if not names:
        return ()
    shown = [f"`{name}`" for name in sorted(names)]
    said = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    one = len(shown) == 1
    return (f"{said} {'is' if one else 'are'} not defined in this kernel (did the cell that imports "
            f"{'it' if one else 'them'} stop at an error, or not run?). Your instructor's grader runs the "
            f"imports your functions use, so check() gave {'it' if one else 'them'} to your functions as the "
            f"grade will. To call your functions yourself, make that cell run to its end.",)


# --------------------------------------------------------------------------- grading


#: "cell 7" in a note of the live path: the cell run as In [7] (`_in_jupyter_words`).
_LIVE_CELL = re.compile(r"\bcell (\d+)\b(?! \(In \[)")
#: "cells 2 and 3", "cells 2, 3 and 5", "cells 2, 3, and 5": each number a prompt.
_LIVE_CELLS = re.compile(r"\bcells (\d+(?:(?:,? and |, )\d+)+)\b(?! \(In \[)")
_NUMBER = re.compile(r"\d+")


def _live_cells_said(match: re.Match) -> str:
    """"In [2] and In [3]" for "cells 2 and 3": the separators kept, each number a prompt."""
    return _NUMBER.sub(r"In [\g<0>]", match.group(1))


def _live_words(text: str) -> str:
    """``text`` with "cell 7" said "In [7]" and "cells 2 and 3" "In [2] and In [3]" (`_in_jupyter_words`)."""
    return _LIVE_CELL.sub(r"In [\1]", _LIVE_CELLS.sub(_live_cells_said, text)) if text and "cell" in text else text


def _syntax_notes(diagnostics: Any, parts: Any) -> tuple[str, ...]:
    """The syntax errors of the cells the kernel ran that define a graded function and that no
    part's notes say: a cell run again whose ``def`` does not parse leaves the kernel (and the
    grade) the earlier definition, and check() said "passed" and nothing else (thirty-seventh
    session, as a student editing a cell in place: the notebook saved holds the broken one)."""
    graded = {part.function for part in parts}
    told = {note for part in parts for note in part.notes}
    return tuple(said for d in diagnostics if d.severity == "error" and d.function in graded
                 and d.message.startswith("Syntax error") and (said := _live_words(d.message)) not in told)


def _in_jupyter_words(part: PartResult) -> PartResult:
    """``part`` with "cell 7" in its notes and case messages said "In [7]", and "cells 2 and 3"
    (or "cells 2, 3 and 5") said "In [2] and In [3]".

    A live kernel has no saved notebook: its cells are the ones it ran, numbered by execution
    count (`_graders_program`, `live_extraction`: a cell's index is its count - 1), so the
    grader's words "cell 7" meant In [7], and a student counting cells from the top of their
    notebook found another one. The live path says the prompt alone, as `_describe` does for a
    location ("at In [7], line 3"); the graded path keeps "cell 16 (In [10])" (`cell_words`)."""
    said = _live_words
    cases = tuple(dataclasses.replace(c, message=said(c.message)) if c.message and "cell" in c.message else c
                  for c in part.cases)
    return dataclasses.replace(part, notes=tuple(said(n) for n in part.notes), cases=cases)


def grade_live(namespace: Mapping[str, Any], *, context: Any) -> tuple[SubmissionResult, LiveProgram]:
    """Grade the live functions of ``namespace`` on ``context`` (usually public only)."""
    from grader.runner import _Grader, ordered_parts

    rubric = context.rubric
    built = _graders_program(namespace)
    defined = frozenset(n for n in built[0] if not n.startswith("__")) if built is not None else frozenset()
    extraction, hidden = live_extraction(namespace, tuple(p.function for p in rubric.parts), defined=defined)
    program = LiveProgram()
    rebound = _graders_bindings(namespace, built[0], built[1].functions) if built is not None else {}
    constants: dict[str, Any] = {}
    if built is not None:
        # The names the grade's own extraction finds a function reading from outside are hidden
        # too: the kernel's `SCALE` (a test cell's loop changed it, which the grade leaves out,
        # unsetting the constant) read back as a constant was not hidden, and check() passed
        # what the grade failed with a NameError (thirty-eighth session).
        for part in rubric.parts:
            graders = built[1].functions.get(part.function)
            if graders is not None:
                hidden[part.function] = hidden.get(part.function, frozenset()) | {
                    n for n in graders.free_names if n in namespace}
        read = {n for f in built[1].functions.values() for n in f.uses}
        constants = _graders_constants(namespace, built[0], read)
        rebound = {**rebound, **constants}
    if built is not None:  # a graded name the grader's program does not define is missing, as when graded
        graded_names = {p.function for p in rubric.parts}
        extraction = LiveExtraction(
            MappingProxyType({n: f for n, f in extraction.functions.items()
                              if n in built[1].functions or n not in graded_names}),
            # What the part's notes read, as the grade reads the notebook's: a function whose
            # own cell has a syntax error, where a name comes from (`runner._note_free_names`).
            diagnostics=built[1].diagnostics,
            assigned_in=built[1].assigned_in, assigned_by=built[1].assigned_by)
    session = LiveSession(namespace, program=program, hidden=MappingProxyType(hidden),
                          student_files=_student_files(namespace), rebound=MappingProxyType(rebound))
    t0 = time.perf_counter()
    graded = {}
    for part in ordered_parts(rubric):
        graded[part.name] = _Grader(part=part, context=context, extraction=extraction, program=program,
                                    session=session, fallback=FALLBACK).grade()
    parts = marked_bonus((_in_jupyter_words(graded[p.name]) for p in rubric.parts),
                         rubric.bonus_names)
    result = SubmissionResult(
        submission_id="live", path="<live>", status=GRADED,
        points=round(sum(p.points for p in parts), 6),
        max_points=counted_points(parts), parts=parts,
        messages=(_syntax_notes(built[1].diagnostics, parts) if built is not None else ())
        + _rebinding_notes(namespace, {n: v for n, v in rebound.items() if n not in constants})
        + _constant_notes(namespace, constants),
        timings=MappingProxyType({"checks": time.perf_counter() - t0}))
    return result, program


def default_rubric() -> Path:
    """The rubric beside the grader package: ``rubrics/rnn.yaml``, else the only rubric there."""
    rubrics = Path(__file__).resolve().parent.parent / "rubrics"
    preferred = rubrics / "rnn.yaml"
    if preferred.is_file():
        return preferred
    found = sorted(rubrics.glob("*.yaml"))
    return found[0] if len(found) == 1 else preferred


def _kernel_definitions(namespace: Mapping[str, Any], functions: Collection[str]) -> dict[str, tuple[str, int | None]]:
    """The source and the cell's execution count (None outside IPython) of each of ``functions``
    the kernel defines itself, for ``livesaved.saved_notes``."""
    module, cells = _module_of(namespace), _ipython_cells()
    found = {}
    for name in functions:
        value = namespace.get(name)
        if _own_function(value, module):
            found[name] = (_source_of(value), cells.get(value.__code__.co_filename))
    return found


def _saved_file_notes(namespace: Mapping[str, Any], rubric: Any, notebook: Any) -> tuple[str, ...]:
    """``livesaved.saved_notes`` of the notebook file the kernel was opened from (or ``notebook``);
    where a file is named and not found, ``livesaved.unfound_note``."""
    from grader.livesaved import notebook_on_disk, saved_notes, unfound_note

    path = notebook_on_disk(namespace, notebook)
    if path is None:
        unfound = unfound_note(namespace, notebook)
        return (unfound,) if unfound is not None else ()
    functions = [part.function for part in rubric.parts]
    return saved_notes(path, _kernel_definitions(namespace, functions), functions=functions,
                       named_at_start=notebook is None)


def check(function: str | None = None, *, namespace: Mapping[str, Any] | None = None,
          rubric: Path | None = None, stream: TextIO | None = None,
          notebook: str | os.PathLike[str] | None = None) -> Any:
    """Self-check the live functions: ``check()`` for all, ``check("rnn_forward")`` for one.

    ``namespace`` defaults to the caller's globals (a notebook's user
    namespace).  Prints one verdict per function, like ``grade.py --check``,
    and returns a :class:`grader.selfcheck.CheckSummary`.  An exception inside
    the grader (not the student's code, whose exceptions are verdicts) prints
    :data:`grader.selfcheck.CHECKER_FAILED` then its traceback, and returns
    None; a KeyboardInterrupt still stops it. A graded function whose cell in the notebook file
    (``notebook``, or the file the front end names: ``livesaved.notebook_on_disk``) is not the
    definition the kernel ran is said first: a cell edited and not run again, or not saved.
    """
    from grader.selfcheck import (
        CheckSummary, SelfCheckError, checked, checker_failed_text, kit_version_words, load_public_context,
        render, with_fixed_sizes, withheld_points,
    )

    if namespace is None:
        namespace = sys._getframe(1).f_globals
    out = stream if stream is not None else sys.stdout
    try:
        rubric_file = Path(rubric) if rubric else default_rubric()
        try:
            context = load_public_context(rubric_file, function=function)
        except SelfCheckError as exc:
            out.write(f"check() cannot run: {exc}\n")
            return CheckSummary(verdicts=(), cases_passed=0, cases_total=0)
        result, program = grade_live(namespace, context=checked(context))
        saved = _saved_file_notes(namespace, context.rubric, notebook)
        if saved:  # first: what was checked is not what the file holds
            result = dataclasses.replace(result, messages=saved + result.messages)

        def line_of(location: Location) -> str:
            """The code at ``location``, read from the cell or file through linecache."""
            filename = program.filename(location)
            return linecache.getline(filename, location.line) if filename and location.line else ""

        title = (f"check(): public cases of {context.rubric.title}, on the functions defined now"
                 f"{kit_version_words(rubric_file, context.rubric)}\n")
        result = with_fixed_sizes(  # a live function's source keeps its cell's line numbers
            result, context.rubric, place=lambda where: f"{_describe(dataclasses.replace(where, line=None, function=None))}, ",
            source_of=lambda part: _source_of(namespace.get(part.function)))
        return render(result, stream=out, describe=_describe, line_of=line_of, title=title,
                      withheld=withheld_points(context.rubric))
    except Exception:  # noqa: BLE001 - a bug of the checker's, said as such (not the student's)
        out.write(checker_failed_text())
        return None
