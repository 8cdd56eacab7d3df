"""The student kit: what instructors hand out so that students can self-check.

:func:`write_student_kit` writes a folder that runs on its own::

    KIT/grade.py                          --check only (no batch grading)
    KIT/README.md                         for students
    KIT/grader/*.py                       the modules the self-check needs (KIT_MODULES)
    KIT/rubrics/<rubric>.yaml             the rubric restricted to its public cases
    KIT/rubrics/fixtures/<name>.public.json   the public fixtures, re-encoded from the rubric's

It holds no reference solution, no hidden case and no hidden fixture: the
rubric is written from the public cases only, the fixture file is re-encoded
from the public cases only (so a stale entry in the instructors' file cannot
leak), and the modules copied are an explicit list that leaves out
``grader.regenerate`` (the only importer of ``solution``), the batch and
report commands, similarity detection and the IMDB scorer.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

__all__ = ["KIT_MODULES", "KitError", "KitFiles", "write_student_kit", "public_rubric_yaml", "read_kit",
           "changes_since"]

#: The grader modules a kit carries: the self-check's import closure (kept exact by a test).
KIT_MODULES = (
    "__init__.py", "_child.py", "astnodes.py", "cellparse.py", "cellscan.py", "childruntime.py", "checks.py",
    "codeslips.py", "conversation.py",
    "copycommands.py", "course.py", "definitions.py", "extract.py", "extractnotes.py", "failtexts.py", "fastcheck.py", "files.py",
    "fixedsizes.py", "fixtures.py", "formulahints.py", "gradedsource.py", "hintcode.py", "hints.py", "landlock.py",
    "linux.py", "live.py", "livesaved.py",
    "loading.py", "loophints.py", "mistakeindex.py", "mistakematch.py", "models.py", "notebook.py", "notes.py",
    "outputnotes.py", "placeholders.py", "plaindata.py", "program.py", "reach.py", "rubric.py", "runner.py",
    "sandbox.py", "scopes.py", "seccomp.py", "selfcheck.py", "stephints.py", "valuehints.py", "wire.py", "zygote.py",
    "zygote_site.py",
)

#: The file that marks a folder as a kit, so that writing it again may replace it.
MARKER = ".student-kit"

_GRADE_PY = '''#!/usr/bin/env python3
"""Self-check of your notebook on the public cases of the assignment (student kit).

    python3 grade.py --check NOTEBOOK [--function NAME]

Exit status 0 when every public case passes, 1 when some do not, 2 when the
check cannot run (the notebook cannot be read, --function names no graded
function, NumPy or PyYAML is missing, Python is older than 3.10).  Your instructor
grades hidden cases as well.

Python 2 and 3.5 read this file to its version test (no annotations, no f-strings here).
"""
import sys

if sys.version_info < (3, 6):  # `python grade.py` where python is Python 2: why, not a SyntaxError
    sys.stdout.write("Self-check cannot run: it needs Python 3.10 or newer, and this Python (%s) is %s.\\n"
                     "  Type python3, not python (which is Python 2 on some systems), or a newer Python "
                     "such as python3.12.\\n" % (sys.executable or "python", ".".join(map(str, sys.version_info[:3]))))
    sys.exit(2)

import argparse  # noqa: E402 - after the version's test
from pathlib import Path  # noqa: E402

from grader import exit_status_of, older_than_supported, value_left_out  # the package's __init__ only: Python 3.6 or newer reads it

RUBRIC = Path(__file__).resolve().parent / "rubrics" / {rubric_file!r}


def build_parser():
    """The kit's command line (an ``argparse.ArgumentParser``): --check only."""
    parser = argparse.ArgumentParser(
        prog="grade.py", usage="%(prog)s [-h] [--check NOTEBOOK] [--function NAME]",
        description="Check your notebook on the public cases of the assignment.")
    # --check with no notebook after it (``--check``, ``--check=``): main's command to copy, not
    # argparse's "argument --check: expected one argument" (value_left_out, asked before argparse)
    parser.add_argument("--check", type=Path, metavar="NOTEBOOK",
                        help="your notebook (.ipynb) or a .py file with your functions")
    parser.add_argument("notebooks", type=Path, nargs="*", help=argparse.SUPPRESS)  # --check left out
    parser.add_argument("--function", metavar="NAME", default=None,
                        help="check only this function (for example {example})")
    parser.add_argument("--rubric", type=Path, default=RUBRIC, help=argparse.SUPPRESS)
    return parser


def python_too_old(version=sys.version_info):
    """Why this Python (``version``: ``sys.version_info``) cannot run the check, None when it can: the checker needs 3.10 or newer,
    and on an older one (macOS's own python3 is 3.9) it stopped with a traceback and exit
    status 1, which reads as "a public case failed"."""
    old = older_than_supported(version)
    if old is None:
        return None
    return ("Self-check cannot run: it needs Python 3.10 or newer, and this Python ("
            + (sys.executable or "python3") + ") is " + old + ".\\n"
            "  Run it with a newer Python: `python3.13 --version` (or python3.12, python3.11, python3.10) says "
            "whether one is installed, and the Python of a recent Anaconda or Jupyter usually is "
            "new enough; then install NumPy and PyYAML for it as README.md says.")


def main(argv=None):
    """Parse the arguments (``argv``: a list of strings, None for the command line's) and run the
    self-check; returns the exit status."""
    parser = build_parser()
    words = sys.argv[1:] if argv is None else argv
    # --check with no notebook: parsed as no argument at all, which says the command to copy below
    args = parser.parse_args([] if value_left_out(words, "--check") else words)
    given = ([args.check] if args.check is not None else []) + args.notebooks
    too_old = python_too_old()
    if too_old:  # before the checker's modules, which an older Python cannot import
        print(too_old)
        return 2
    from grader.selfcheck import check_command, notebook_left_out, run_check, unquoted_path

    if not given:  # the command names the Python that ran it (a venv's), as every command to copy does
        parser.error(notebook_left_out())
    if len(given) > 1:
        parser.error(unquoted_path(given, command=check_command())
                     or "%d notebooks given (%s, %s, ...): the check takes one; check them one at a time"
                     % (len(given), given[0], given[1]))

    return run_check(given[0], rubric=args.rubric, stream=sys.stdout, function=args.function)


if __name__ == "__main__":
    sys.exit(exit_status_of(main))
'''

_README = '''# Self-check kit: {title}

This folder checks your notebook on the **public cases** of the assignment, with
the same grader your instructor uses. It needs Python 3.10+ with NumPy and PyYAML;
no TensorFlow, no Jupyter, no administrator rights.
`grade.py --check` runs on Linux and macOS; on Windows, run it in WSL (`wsl --install`;
Windows' `C:` drive is `/mnt/c` there) or use `check()` inside Jupyter (below), which works on
Windows too.

## Once: NumPy and PyYAML

If `python3 -c "import numpy, yaml"` prints nothing, you have them. Otherwise install
them in a virtual environment of your own (no administrator rights needed):

    python3 -m venv ~/rnn-check
    ~/rnn-check/bin/python3 -m pip install --upgrade pip
    ~/rnn-check/bin/python3 -m pip install numpy pyyaml

(pip is upgraded first: an old pip does not know NumPy's ready-made packages and tries to build
NumPy itself, which fails without a C compiler: "Unable to get gcc pre-processor defines")

and use `~/rnn-check/bin/python3` instead of `python3` below (or first
`source ~/rnn-check/bin/activate`).

Where `python3 -m venv` fails ("ensurepip is not available": Debian or Ubuntu without
the `python3-venv` package, which needs root), use the Python of your Jupyter instead,
which has NumPy already: in a notebook cell, run `%pip install pyyaml` and
`import sys; print(sys.executable)`, then use the path it prints instead of `python3` below.

## From a terminal

    python3 grade.py --check path/to/your_notebook.ipynb
    python3 grade.py --check path/to/your_notebook.ipynb --function {example}

Run it from this folder (or give the path to this `grade.py`); put a path with spaces in
quotes (`--check "My Notebooks/rnn (1).ipynb"`). It checks the notebook as
last saved: save it in Jupyter first (Ctrl-S). It prints, per function:

- **passed**: every public case gives the expected values.
- **failed**: the function runs but some output is wrong; the message says which
  output ({outputs}...), how (shape, values), and often the likely mistake.
- **not implemented**: the template's `None` placeholders are still there.
- **missing**: no function of that name in the notebook (check the spelling).
- **raised an error**: it raised an exception; the message shows the cell and line,
  and the line itself.
- **timed out**: it ran past its time limit (an endless loop?).
- **crashed**: it ended its process or ran out of memory.

The feedback of your instructor's grading uses the same words.

Places read `cell 16 (In [10]), line 12`: the 16th cell from the top of the notebook,
markdown cells included, the one whose prompt shows `In [10]`, and line 12 of that cell
(line numbers: View > Show Line Numbers in JupyterLab, Ctrl+M L in Colab, L on a cell in
VS Code). A cell saved without being run has no prompt (`cell 16, line 12`; VS Code's
notebooks often have none): count the cells, or look for the function the place names and
the line it quotes. In a `.py` file the places are the file's lines (`line 196`).

The exit status is 0 when everything passes, 1 otherwise, 2 when the check cannot
run: the notebook cannot be read, `--function` names no graded function, NumPy or
PyYAML is missing, this Python is older than 3.10, or the system cannot run it (Windows
outside WSL).

What of your notebook is run, as in your instructor's grading: your `def`s, the classes
your functions use, the imports your functions use (`import numpy as np`; a package a
function imports inside its body, such as SciPy, is imported when the notebook is loaded)
and the constants they read that are written as plain values (`n_a = 5`); then your
functions are called on the public cases. Nothing else runs: not the test cells, prints,
`!pip` or `%` lines, `drive.mount(...)` or training code, so a function must not rely on
variables that other cells compute.

## Inside Jupyter

Put this folder on the path once, then call `check()` after defining your functions
(the notebook's kernel needs PyYAML too: if `import yaml` fails there, run
`%pip install pyyaml` in a cell):

    import sys; sys.path.insert(0, "/path/to/this/folder")
    from grader import check
    {check_all}# every function
    {check_one}# one function

The path is this folder's full path as a Python string: `~` is not your home folder
there (write `/home/ana/handout`, or `os.path.expanduser("~/handout")` after `import os`),
and on Windows write it with `/` (`"C:/Users/ana/handout"`) or as `r"C:\\Users\\ana\\handout"`:
in a plain string `"C:\\Users..."` is a syntax error (`\\U`). If `from grader import check`
says "No module named 'grader'", the path does not name this folder (the one holding
`grade.py` and `grader/`).

In Google Colab: upload this folder to your Google Drive, mount the drive in a cell
(`from google.colab import drive; drive.mount("/content/drive")`), and use the folder's path
in the drive, spaces and all: `sys.path.insert(0, "/content/drive/MyDrive/Colab Notebooks/handout")`
(Colab has NumPy and PyYAML already).

It checks the functions as they are defined in the running notebook (run the
cells you changed first), and prints the same verdicts. Locations read
`In [7], line 3`: cell execution number 7, line 3 of that cell. Where it finds the
notebook's file (JupyterLab, VS Code), it also says a cell edited and not run again. Colab
does not tell it the file, nor does JupyterLab after a rename: give it, saved first,
`check(notebook="/content/drive/MyDrive/Colab Notebooks/rnn.ipynb")`.

## What the check may do on your machine

It runs your functions in a separate process with limits of time and memory. On Linux that
process also cannot read or change your files, use the network or start programs (Landlock and
seccomp, no administrator rights needed); where the kernel has no Landlock (an older Linux, or
macOS) the check ends with a line saying so, and your functions run with your own rights, as
they do in Jupyter. `check()` in Jupyter runs them in the notebook's own kernel.

## What this does not tell you

Your instructor also grades **hidden cases** (other inputs and sizes). Passing
every public case is necessary, not sufficient: avoid hard-coded sizes, and never
write into the arrays you were given.{bonus}
'''


class KitError(Exception):
    """The kit cannot be written (bad rubric or fixtures, output folder in the way)."""


def _path_text(path: tuple) -> str:
    """An output path as the rubric spells it: ``(2, 0)`` -> ``"[2][0]"``, ``("dxt",)`` -> ``"['dxt']"``."""
    return "".join(f"[{key!r}]" if isinstance(key, str) else f"[{key}]" for key in path)


def public_rubric_yaml(rubric: Any) -> str:
    """The YAML text of ``rubric`` restricted to its public cases, every value explicit.

    Every case keeps its id, so that the public fixtures stay keyed as before,
    and its builder, seed, dims, tolerances and timeout, so that the spec
    hashes match.  A part whose cases are all hidden is kept with `cases: []` and its
    `withheld_points:`, so the self-check says it is graded on hidden cases only and counts its
    points.  The bonus section and the comments are not carried over.
    """
    public = rubric.only("public", keep_empty=True)
    parts = []
    for part in public.parts:
        entry: dict[str, Any] = {"function": part.function}
        if part.name != part.function:
            entry["name"] = part.name
        if part.depends:
            entry["depends"] = list(part.depends)
        entry["isolate"] = part.isolate
        entry["mutation_weight"] = part.mutation_weight
        if part.withheld_points:  # what the hidden cases are worth, in one number per part
            entry["withheld_points"] = part.withheld_points
        if part.bonus:  # its points beyond max_score: the self-check says so
            entry["bonus"] = True
        entry["outputs"] = [{"name": o.name, "path": _path_text(o.path), "weight": o.weight,
                             "check": o.check} for o in part.outputs]
        entry["cases"] = [{
            "id": c.id, "name": c.name, "visibility": c.visibility, "builder": c.builder,
            "seed": c.seed, "dims": dict(c.dims), "points": c.points,
            "rtol": c.tolerance.rtol, "atol": c.tolerance.atol, "timeout": c.timeout,
            "outputs": list(c.outputs),
        } for c in part.cases]
        parts.append(entry)
    document = {"version": public.version, "name": public.name, "title": public.title, "parts": parts}
    header = (f"# Public cases of \"{public.title}\" for the students' self-check.\n"
              f"# Written by grader.kit from the instructors' rubric; the fixtures beside it\n"
              f"# match these cases only.\n")
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


#: What a kit writes at its top level: writing a kit again replaces these and nothing else.
_KIT_ENTRIES = frozenset({"grader", "rubrics", "grade.py", "README.md", MARKER})


def _prepare(out_dir: Path) -> None:
    """Create ``out_dir``, or clear a previous kit there; refuse any other non-empty folder.

    Only the kit's own entries (``_KIT_ENTRIES``) of a previous kit are removed: its README
    tells students to run the check from the kit's folder, so notebooks kept there (a TA's
    trial notebooks, a student's own) stay."""
    if out_dir.exists():
        if not out_dir.is_dir():
            raise KitError(f"{out_dir}: exists and is not a folder")
        entries = list(out_dir.iterdir())
        if entries and not (out_dir / MARKER).is_file():
            raise KitError(f"{out_dir}: the folder is not empty (and is not a student kit); "
                           f"choose a new folder")
        for entry in entries:
            if entry.name not in _KIT_ENTRIES:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)


@dataclass(frozen=True)
class KitFiles:
    """What a kit folder holds of its rubric: the version of its public cases
    (``grader.fixtures.public_version``), its rubric's text and its public fixture file's bytes;
    all None when they cannot be read."""

    version: str | None
    rubric_text: str | None
    fixture_file: bytes | None = None
    grader: str | None = None  # grader.files.package_version of its grader/ (None: none there)
    modules: tuple[tuple[str, str], ...] = ()  # (file name, sha256) of each module of its grader/


def read_kit(out_dir: Path) -> KitFiles | None:
    """The rubric of the kit in ``out_dir`` (None: no kit there), read before it is written again
    so that :func:`changes_since` can say what changed. A kit made before kits named their version
    has the same files: its version is computed from them."""
    from grader.files import package_version
    from grader.fixtures import public_version

    out_dir = Path(out_dir)
    if not (out_dir / MARKER).is_file():
        return None
    try:
        package = out_dir / "grader"
        modules = tuple((path.name, hashlib.sha256(path.read_bytes()).hexdigest())
                        for path in sorted(package.glob("*.py")) if path.is_file())
        grader = package_version(package) if modules else None
    except OSError:
        modules, grader = (), None
    rubrics = sorted((out_dir / "rubrics").glob("*.yaml"))
    fixtures = sorted((out_dir / "rubrics" / "fixtures").glob("*.public.json"))
    if len(rubrics) != 1 or len(fixtures) != 1:
        return KitFiles(None, None, grader=grader, modules=modules)
    try:
        rubric_file, fixture_file = rubrics[0].read_bytes(), fixtures[0].read_bytes()
    except OSError:
        return KitFiles(None, None, grader=grader, modules=modules)
    return KitFiles(public_version(rubric_file, fixture_file), rubric_file.decode("utf-8", "replace"), fixture_file,
                    grader=grader, modules=modules)


def _shown(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else json.dumps(value) if isinstance(value, (dict, list)) else str(value)


def _differences(what: str, old: dict, new: dict) -> str:
    """``"rnn_forward/public-1 (points 3 -> 4, seed 1 -> 2)"``: the keys whose values differ, or ""."""
    keys = [key for key in dict.fromkeys([*old, *new]) if key != "cases" and old.get(key) != new.get(key)]
    said = ", ".join(f"{key} {_shown(old.get(key, '(none)'))} -> {_shown(new.get(key, '(none)'))}" for key in keys)
    return f"{what} ({said})" if said else ""


def _public_differences(old_text: str, new_text: str) -> list[str]:
    """What differs between two kits' rubrics (``public_rubric_yaml``): the public cases added,
    removed or changed (inputs, points, tolerances, outputs), the parts' settings and the public points."""
    try:
        old, new = (yaml.safe_load(text) for text in (old_text, new_text))
        parts = [{str(part.get("name", part["function"])): part for part in document["parts"]} for document in (old, new)]
        cases = [{case["id"]: case for part in document.values() for case in part["cases"]} for document in parts]
    except (yaml.YAMLError, TypeError, KeyError, AttributeError):
        return ["the earlier kit's rubric could not be read"]
    said = []
    added = [case_id for case_id in cases[1] if case_id not in cases[0]]
    removed = [case_id for case_id in cases[0] if case_id not in cases[1]]
    changed = [text for case_id in cases[1] if case_id in cases[0]
               for text in [_differences(case_id, cases[0][case_id], cases[1][case_id])] if text]
    said += [f"{len(listed)} {what}: {', '.join(listed)}" for listed, what in
             ((added, "public case(s) added"), (removed, "removed"), (changed, "changed")) if listed]
    said += [text for name in parts[1] if name in parts[0]
             for text in [_differences(f"part {name}", parts[0][name], parts[1][name])] if text]
    totals = [sum(float(case.get("points", 0)) for case in document.values()) for document in cases]
    if abs(totals[0] - totals[1]) > 1e-9:
        said.append(f"the public cases' points {totals[0]:g} -> {totals[1]:g}")
    return said


def _grader_difference(earlier: KitFiles, now: KitFiles | None) -> str:
    """``"grader: 2 of its 46 modules differ (hints.py, selfcheck.py; grader 1a2b... -> 3c4d...)"``
    when the two kits' grader code differs (a kit written again by a newer grader), else ""; "" too
    when either kit's modules cannot be read."""
    if now is None or not earlier.modules or not now.modules or earlier.grader == now.grader:
        return ""
    was, new = dict(earlier.modules), dict(now.modules)
    differ = sorted(name for name in {*was, *new} if was.get(name) != new.get(name))
    shown = ", ".join(differ[:8]) + (f" and {len(differ) - 8} more" if len(differ) > 8 else "")
    return (f"grader: {len(differ)} of its {len(new)} modules differ ({shown}; grader {earlier.grader} -> "
            f"{now.grader})")


def changes_since(earlier: KitFiles | None, out_dir: Path) -> str:
    """What writing the kit in ``out_dir`` again changed since the ``earlier`` one (:func:`read_kit`,
    before writing), for the instructor to announce: the public cases or points that changed, and
    both versions, and the grader's modules when a newer grader wrote it (the version names the
    public cases only: what is checked; the grader, how); "" when there was no kit there."""
    if earlier is None:
        return ""
    now = read_kit(out_dir)
    version = now.version if now is not None else None
    if earlier.version is None or earlier.rubric_text is None:
        return (f"The folder held an earlier kit whose rubric or fixtures could not be read: tell the class to "
                f"take this one (version {version}).")
    code = _grader_difference(earlier, now)
    if earlier.version == version and code:
        return (f"The kit written there before had the same public cases (version {version}) but another "
                f"{code}: its self-check may judge or word some things differently. Its version is the same, "
                f"and the self-check's first line names the grader too (grader {now.grader}): if the change "
                f"matters to students (a verdict or a message fixed), tell the class to take this one.")
    if earlier.version == version:
        return f"The kit written there before was the same (version {version}): nothing to announce."
    from grader.regenerate import value_changes  # the instructors' side: a kit does not carry kit.py

    said = [*_public_differences(earlier.rubric_text, now.rubric_text if now is not None else ""),
            *value_changes(earlier.fixture_file, now.fixture_file if now is not None else None)] or [
        "the public cases' fixtures (made again)"]
    said += [f"the {code}"] if code else []
    return (f"Since the kit written there before (version {earlier.version}, now {version}): {'; '.join(said)}. "
            f"Students who have the earlier kit check the old cases: tell the class to take this one "
            f"(its self-check names version {version}).")


def write_student_kit(out_dir: Path, *, rubric: Path) -> Path:
    """Write the student kit of ``rubric`` into ``out_dir`` and return ``out_dir``.

    ``out_dir`` must be new, empty, or an earlier kit (which is replaced).
    Raises :class:`KitError` when the rubric or its public fixtures cannot be
    read or are out of date.
    """
    from grader.files import package_version
    from grader.fixtures import (
        FixtureError, encode_fixture_file, fixture_path, load_fixtures, public_version, read_fixture_file,
    )
    from grader.rubric import RubricError, load_rubric

    try:
        full = load_rubric(Path(rubric))
    except (RubricError, OSError) as exc:
        raise KitError(str(exc)) from None
    public = replace(full.only("public"), imdb=None)
    if not public.parts:
        raise KitError(f"{full.path}: the rubric has no public case, so a kit could check nothing")
    try:
        fixtures = load_fixtures(public, visibilities=("public",))
        source = fixture_path(public, "public")
        header = read_fixture_file(source)
    except (FixtureError, OSError) as exc:
        raise KitError(str(exc)) from None

    out_dir = Path(out_dir)
    _prepare(out_dir)
    package = out_dir / "grader"
    package.mkdir()
    here = Path(__file__).resolve().parent
    for name in KIT_MODULES:
        shutil.copyfile(here / name, package / name)

    rubric_file = Path(full.path).name
    rubrics_dir = out_dir / "rubrics"
    (rubrics_dir / "fixtures").mkdir(parents=True)
    (rubrics_dir / rubric_file).write_text(public_rubric_yaml(full), encoding="utf-8")
    data = encode_fixture_file(public, "public", fixtures,
                               mutant_messages=dict(fixtures.mutant_messages),
                               generated=str(header.get("generated", "")),
                               numpy_version=str(header.get("numpy", "")))
    (rubrics_dir / "fixtures" / f"{public.name}.public.json").write_bytes(data)

    # The examples name the rubric's own first function and its outputs: a kit of a quiz on
    # one function told its students to try `--function rnn_forward`, which it does not grade.
    example = public.parts[0]
    outputs = ", ".join(f"`{output.name}`" for output in example.outputs[:2])
    (out_dir / "grade.py").write_text(_GRADE_PY.format(rubric_file=rubric_file, example=example.function),
                                      encoding="utf-8")
    (out_dir / "grade.py").chmod(0o755)
    # The bonus is scored from the notebook's stored outputs, never run: no kit can check it, and a
    # student who did it read nothing of it.
    bonus = ("\n\nThe bonus is not checked here: your instructor scores it from your notebook's code and\n"
             "stored outputs (run its cells and save the notebook with their outputs)." if full.imdb else "")
    calls = ("check()", f'check("{example.function}")')  # their comments aligned, whatever the name
    width = max(len(call) for call in calls) + 2
    (out_dir / "README.md").write_text(_README.format(title=public.title, example=example.function,
                                                      outputs=outputs, bonus=bonus, check_all=calls[0].ljust(width),
                                                      check_one=calls[1].ljust(width)), encoding="utf-8")
    version = public_version((rubrics_dir / rubric_file).read_bytes(), data)
    (out_dir / MARKER).write_text(f"student kit of {public.name} ({len(public.cases)} public cases), "
                                  f"version {version}, grader {package_version(package)}\n", encoding="utf-8")
    return out_dir
