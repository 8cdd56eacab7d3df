#!/usr/bin/env python3
"""Command line of the grader: argument parsing only; the work is in ``grader.commands``.

    python3 grade.py SUBMISSIONS [SUBMISSIONS ...] [--out DIR] [--rubric FILE] [--jobs N] [--force]
                     [--similarity | --no-similarity] [--template STARTER.ipynb | --no-template]
                     [--known DIR | --no-known] [--roster CLASS.csv | --no-roster]
                     [--adjust FILE | --no-adjust] [--excel | --no-excel] [--no-html]
    python3 grade.py --check NOTEBOOK [--function NAME] [--rubric FILE]
    python3 grade.py --student-kit DIR [--rubric FILE]
    python3 grade.py --gradescope [--gradescope-root DIR] [--rubric FILE]

SUBMISSIONS is a folder of notebooks, a folder of folders (one notebook each),
one notebook, or the zip of a Canvas or Moodle bulk download; several are graded
into one gradebook; left out, those the --out folder's last class run graded
(remembered in its grading-options.json). These lines are ``--help``'s usage, and
each lists every option its command takes (``TAKES``): an option given to a
command that does not take it is refused, naming the command it goes with.
"""
import argparse
import gc
import os
import sys
from pathlib import Path

from grader import exit_at_once, exit_status_of, older_than_supported, value_left_out  # the package's __init__ only: Python 3.6 or newer reads it


def python_too_old(version: tuple = sys.version_info) -> "str | None":
    """Why this Python cannot run the grader, None when it can (``grader.OLDEST_PYTHON``): said
    before the grader's modules are imported, which an older Python (macOS's own python3 is
    3.9) fails on with a traceback about dataclasses."""
    old = older_than_supported(version)
    if old is None:
        return None
    return (f"grade.py: it needs Python 3.10 or newer, and this Python ({sys.executable or 'python3'}) "
            f"is {old}. Run it with a newer Python: `python3.13 --version` "
            f"(or python3.12, python3.11, python3.10) says whether one is installed; the Python of a recent "
            f"Anaconda or Jupyter usually is new enough.")


_TOO_OLD = python_too_old()
if _TOO_OLD:  # an exit status 2, as for every command that cannot run
    print(_TOO_OLD, file=sys.stderr)
    sys.exit(2)

from grader import commands, exits  # noqa: E402 - after the version's check, which must come first
from grader.classoptions import OPTIONS_FILE  # noqa: E402


#: The end of ``--help``: what the exit status says, and where the guides are.
_EPILOG = """\
exit status: 0 the class was graded, whatever the students scored; 2 the grader
could not run (a bad rubric, roster or --adjust file, named with its file and
line; no submissions; an --out it cannot write in; the disk filling up); 130
interrupted (what was graded is kept). With --check: 0 every public case passes,
1 one does not, 2 the check cannot run.

Guides: docs/instructors.md (grading a class), docs/rubrics.md (rubrics and
fixtures), docs/students.md (--check and the student kit)."""


#: The options each command takes besides its own flag (argparse's ``dest``): the class run
#: (``submissions``), ``--check``, ``--student-kit`` and ``--gradescope``. Another option given to
#: one of them is refused, never ignored (``--check nb.ipynb --out o`` checked and wrote nothing to
#: ``o``): a TA would believe it was used. The docstring's usage lines list the same.
TAKES = {
    "submissions": ("out", "rubric", "jobs", "force", "similarity", "template", "known", "roster",
                    "adjust", "excel", "feedback_html"),
    "check": ("function", "rubric"),
    "student_kit": ("rubric",),
    "gradescope": ("gradescope_root", "rubric"),
}
_COMMAND_NAMES = {"submissions": "a class run (grade.py SUBMISSIONS ...)", "check": "--check",
                  "student_kit": "--student-kit", "gradescope": "--gradescope"}


def usage() -> "str | None":
    """``--help``'s usage: the docstring's command lines (one source for both); None, for
    argparse's own, under ``python3 -OO``, which drops docstrings."""
    if not __doc__:
        return None
    lines = [line[4:] for line in __doc__.split("\n\n")[1].splitlines()]
    return "\n".join([lines[0], *(" " * len("usage: ") + line for line in lines[1:])])


def _option_name(dest: str, value: object) -> str:
    """The option of ``dest`` that gave ``value``, as typed: ``--no-similarity`` for False."""
    if dest == "feedback_html":
        return "--no-html"
    return ("--no-" if value is False else "--") + dest.replace("_", "-")


def given_options(parser: argparse.ArgumentParser, argv: "list[str] | None", *,
                  dests: "list[str]") -> dict:
    """``dest -> option as typed`` for each of ``dests`` that ``argv`` names (a default is not
    given: argparse leaves a value already in the namespace where nothing sets it)."""
    unset = object()
    probe = argparse.Namespace(**{dest: unset for dest in dests})
    parser.parse_known_args(argv, namespace=probe)
    return {dest: _option_name(dest, getattr(probe, dest)) for dest in dests if getattr(probe, dest) is not unset}


def command_of(args: argparse.Namespace) -> str:
    """Which command ``args`` runs: a key of ``TAKES``."""
    for command in ("check", "student_kit"):
        if getattr(args, command) is not None:
            return command
    return "gradescope" if args.gradescope else "submissions"


def refused_options(command: str, given: dict) -> "str | None":
    """What to say of the options in ``given`` that ``command`` does not take, grouped by the
    command each goes with; None when it takes them all."""
    by_home: dict = {}
    for dest, name in given.items():
        if dest in TAKES[command]:
            continue
        home = next(other for other, takes in TAKES.items() if dest in takes)
        by_home.setdefault(home, []).append(name)
    if not by_home:
        return None
    said = []
    for home, names in by_home.items():
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        said.append(f"{listed} {'goes' if len(names) == 1 else 'go'} with {_COMMAND_NAMES[home]}")
    if len(said) == 1:
        return f"{said[0]}, not with {_COMMAND_NAMES[command]}"
    return f"not with {_COMMAND_NAMES[command]}: {'; '.join(said)}"


def _workers(text: str) -> int:
    """``--jobs``: a whole number of workers, at least 1 (``--jobs -3`` and ``--jobs 0`` were taken
    without a word, for one worker and for the machine's cores)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number of parallel workers, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"at least 1 worker, not {value} (without --jobs: one per core)")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; defaults come from the library functions it calls."""
    grade = commands.grade_class
    parser = argparse.ArgumentParser(
        prog="grade.py", usage=usage(),
        description="Grade recurrent-network notebooks: gradebook, results and feedback per\n"
                    "student, a class report, and a similarity check.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("submissions", type=Path, nargs="?", metavar="SUBMISSIONS",
                        help="a folder of notebooks (or of folders holding one notebook each), "
                             "one notebook, or a Canvas/Moodle zip; several folders and zips "
                             "(sections) grade into one gradebook; none: those the --out folder's class "
                             "was graded from")
    parser.add_argument("--out", type=Path, metavar="DIR", default=commands.default_of(grade, "out_dir"),
                        help="output folder (default: %(default)s)")
    parser.add_argument("--rubric", type=Path, metavar="FILE", default=commands.default_of(grade, "rubric"),
                        help="rubric YAML (default: rubrics/rnn.yaml beside grade.py)")
    parser.add_argument("--jobs", type=_workers, metavar="N", default=commands.default_of(grade, "jobs"),
                        help="parallel workers (default: the machine's cores)")
    parser.add_argument("--force", action="store_true",
                        help="grade every submission again, even those unchanged since the last run")
    # These options are each remembered in the output folder (OUT/grading-options.json) and used
    # by every later run into it that does not name it; --no-X drops it.
    def remembered(name: str, *, use: str, drop: str, metavar: "str | None" = None) -> None:
        """``--NAME`` (a file, with ``metavar``; else a switch) and ``--no-NAME``, which exclude each other."""
        group = parser.add_mutually_exclusive_group()
        given = {"type": Path, "metavar": metavar} if metavar else {"action": "store_const", "const": True}
        group.add_argument(f"--{name}", default=commands.default_of(grade, name), help=use, **given)
        group.add_argument(f"--no-{name}", dest=name, action="store_const", const=False, help=drop)

    remembered("similarity", use="run the copied-code check an earlier run into --out skipped",
               drop="skip the copied-code check (similarity.csv); later runs into --out do until --similarity")
    remembered("template", metavar="STARTER.ipynb",
               use="the starter notebook given to students: its code does not count as similar; "
                   "later runs into --out use it until --no-template",
               drop="leave out the starter notebook an earlier run into --out used")
    remembered("known", metavar="DIR",
               use="a folder (or zip) of solutions found online or from earlier years to compare "
                   "every submission with; later runs into --out use it until --no-known",
               drop="leave out the known solutions an earlier run into --out used")
    remembered("roster", metavar="CLASS.csv",
               use="the class list (a CSV file with a header naming an id column): every student on "
                   "it gets a row of grades.csv, with a status when they submitted nothing; later "
                   "runs into --out use it until --no-roster",
               drop="leave out the roster an earlier run into --out used")
    remembered("adjust", metavar="FILE",
               use="a TA's points by hand (a CSV file: submission, points, reason), added to the "
                   "scores of grades.csv; later runs into --out use it until --no-adjust",
               drop="leave out the points by hand an earlier run into --out used")
    remembered("excel", use="write grades.csv with a UTF-8 byte-order mark, so that Excel shows accented "
                            "names right; later runs into --out do until --no-excel",
               drop="leave out the byte-order mark an earlier run into --out wrote")
    parser.add_argument("--no-html", dest="feedback_html", action="store_false",
                        help="skip feedback.html per submission")
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--check", type=Path, metavar="NOTEBOOK",
                       help="students: run the public cases on NOTEBOOK (exit 0 when all pass)")
    modes.add_argument("--student-kit", type=Path, metavar="DIR",
                       help="write the kit handed to students (public cases, --check) into DIR")
    modes.add_argument("--gradescope", action="store_true",
                       help="grade inside Gradescope's autograder (reads ROOT/submission, "
                            "writes ROOT/results/results.json)")
    parser.add_argument("--function", metavar="NAME",
                        help="with --check: only this function")
    parser.add_argument("--gradescope-root", type=Path, metavar="DIR",
                        default=commands.default_of(commands.gradescope, "root"),
                        help="with --gradescope: the autograder root (default: /autograder)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit status (``grader.exits.EXIT_*``)."""
    parser = build_parser()
    # --check with no notebook after it (``--check``, ``--check --function f``, ``--check=``): argparse
    # said "argument --check: expected one argument" (and ``--check=`` checked the working folder), where
    # a bare ``grade.py`` of the kit names the command to copy; this says what that says.
    if value_left_out(sys.argv[1:] if argv is None else argv, "--check"):
        from grader.selfcheck import notebook_left_out
        parser.error(notebook_left_out())
    args, extra = parser.parse_known_args(argv)
    if any(word.startswith("-") for word in extra):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    given = [args.submissions, *map(Path, extra)] if args.submissions is not None else []
    if given:  # one path with spaces, typed without quotes: the shell cut it into words
        from grader.copycommands import grade_command, unquoted_path

        named = [args.check] if args.check is not None else []
        if named:  # (not for a class run: grader.selfcheck imports logging, 4-6 ms before its zygotes start)
            from grader.selfcheck import check_command
        unquoted = unquoted_path([*named, *given], command=check_command() if named else grade_command())
        if unquoted is not None:
            parser.error(unquoted)
    notebooks = [path for path in given if path.suffix.lower() in (".ipynb", ".py")]
    if len(given) > 1 and len(notebooks) > 1:  # grade.py submissions/*.ipynb said "unrecognized arguments"
        parser.error(f"{len(notebooks)} notebooks given ({notebooks[0]}, {notebooks[1]}, ...): a class run "
                     f"takes folders and zips, or one notebook; for a shell pattern such as "
                     f"submissions/*.ipynb, give the folder (submissions/)")
    if given and (args.check is not None or args.student_kit is not None or args.gradescope):
        # --check a.ipynb b.ipynb checked a.ipynb alone: b.ipynb was taken for a class, and dropped
        parser.error(f"{given[0]}: --check, --student-kit and --gradescope grade no class; --check takes "
                     f"one notebook, written after it (check several one at a time)")
    options = given_options(parser, argv, dests=[dest for dest in vars(args) if dest not in TAKES])
    refused = refused_options(command_of(args), options)
    if refused:  # ignored, it would let a TA believe it was used (a roster, --out, --known...)
        parser.error(refused)
    try:
        if args.check is not None:
            return commands.check_notebook(args.check, rubric=args.rubric, function=args.function,
                                           stream=sys.stdout)
        if args.student_kit is not None:
            commands.student_kit(args.student_kit, rubric=args.rubric)
            return exits.EXIT_OK
        if args.gradescope:
            return commands.gradescope(root=args.gradescope_root, rubric=args.rubric,
                                       stream=sys.stdout)
        # None given: those the --out folder's class was graded from, when --out is typed (a bare
        # `grade.py` is a usage error, not a run of whatever the default folder graded last).
        if args.submissions is None and not ("out" in options and (args.out / OPTIONS_FILE).is_file()):
            again = (f", or --out {args.out} to grade again the submissions its class was graded from"
                     if (args.out / OPTIONS_FILE).is_file() else "")
            parser.error(f"give the submissions to grade (a folder, a notebook or a zip), "
                         f"or --check NOTEBOOK{again}")
        summary = commands.grade_class(  # none given: those the --out folder's class was graded from
            given if len(given) > 1 else args.submissions, out_dir=args.out, rubric=args.rubric, jobs=args.jobs,
            force=args.force, similarity=args.similarity, template=args.template,
            known=args.known, feedback_html=args.feedback_html, roster=args.roster,
            excel=args.excel, adjust=args.adjust)
    except exits.CommandError as exc:
        print(f"grade.py: {exc}", file=sys.stderr)
        return exits.EXIT_USAGE
    except KeyboardInterrupt as exc:  # its text: what a class run stopped there leaves, and what to run
        print(f"grade.py: interrupted{f'. {exc}' if str(exc) else ''}", file=sys.stderr)
        return exits.EXIT_INTERRUPTED
    return exits.EXIT_INTERRUPTED if summary.interrupted else exits.EXIT_OK


if __name__ == "__main__":
    # numpy's OpenBLAS starts a pool of threads at import that spin for about 0.1 s of CPU each
    # before they sleep; the grading process and its workers do no linear algebra worth a
    # thread (students' code runs in the sandbox, which sets its own counts), so one is enough.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    status = exit_status_of(main)
    # The interpreter's last garbage collection walks every object numpy and the grader made
    # (0.2-0.4 s at exit), and its teardown frees them one by one (20-60 ms after a class run's
    # last line); the operating system frees the memory anyway. (Frozen first, for an exit that
    # must go the usual way: see exit_at_once.)
    gc.freeze()
    exit_at_once(status)
