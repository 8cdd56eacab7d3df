"""Grading one submission inside Gradescope's autograder container.

Gradescope's documented layout (gradescope-autograders.readthedocs.io, "Autograder
Specifications"): the autograder zip is unpacked into ``/autograder/source``;
the student's files are in ``/autograder/submission``; the harness reads
``/autograder/results/results.json``, whose fields are ``score``,
``execution_time``, ``output``, ``output_format``, ``test_output_format``,
``test_name_format``, ``visibility``, ``stdout_visibility``, ``extra_data`` and
``tests`` (each with ``score``, ``max_score``, ``status``, ``name``, ``output``,
``visibility``). An output is rendered as HTML unless its format says otherwise
(``simple_format`` is the default of the top-level one, ``text`` of the tests'):
the top-level output is the top of ``feedback.md`` (``md``), every test's is
``text``. Whatever ``run_autograder`` prints goes to
``/autograder/results/stdout``, shown to instructors only.

``run_gradescope`` grades the submission folder with the same engine as a
class run and writes that file. The root is a parameter so that tests (and
instructors trying the autograder locally) run it in any folder.
"""
from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from grader.models import HARNESS

if TYPE_CHECKING:
    from grader.sandbox import Capabilities

DEFAULT_ROOT = Path("/autograder")
REPO = Path(__file__).resolve().parent.parent
#: What the autograder zip holds besides setup.sh and run_autograder: no reference
#: solution, no tests, no submissions; the fixtures carry the expected values.
ZIP_FILES = ("grade.py", "requirements.txt")
ZIP_DIRS = ("grader", "rubrics")


def find_submission(folder: Path, *, unpack_into: Path | None = None):
    """The one ``Submission`` in Gradescope's submission folder (id ``submission``).

    Students upload a notebook (sometimes with other files, sometimes in a
    folder); exactly one notebook is graded, as in a class folder. A student who
    uploads a ``.zip`` leaves it packed in the submission folder: with
    ``unpack_into`` (the grader's own folder, hidden from the child), the zips are
    unpacked there under a class run's rules for a student's zips
    (``grader.archive.StudentZips``: sizes, member counts, links, unsafe paths), a
    notebook uploaded beside a zip graded before one inside it, and the feedback
    says what came out of them; without it a zip is a file like any other.
    """
    from grader.discover import Submission, files_under, submission_from_files

    folder = Path(folder)
    if folder.is_file():
        return Submission(id="submission", path=folder)
    if not folder.is_dir():
        return Submission(id="submission", path=folder,
                          problem=f"{folder}: no submission folder was found.")
    unpack = None
    if unpack_into is not None:
        from grader.archive import StudentZips

        unpack = StudentZips(dest=Path(unpack_into))
    return submission_from_files("submission", files_under(folder), folder, unpack=unpack)


def gradescope_payload(result, *, seconds: float) -> dict:
    """``report.gradescope_results`` plus the fields only a Gradescope run needs."""
    from grader.report import feedback_markdown, gradescope_results

    payload = gradescope_results(result)
    payload["execution_time"] = round(seconds, 3)
    payload["stdout_visibility"] = "hidden"  # our log is for instructors
    # The top of feedback.md (score, messages, table of parts), as Markdown: it shows the
    # messages already, each line plain or in a code span (report.markdown_text), so they are
    # not appended again as raw text, which Markdown would render.
    payload["output"] = feedback_markdown(result).split("\n## ", 1)[0].strip()
    payload["output_format"] = "md"
    return payload


def close_to_others(paths: list[Path], *, capabilities: "Capabilities") -> list[str]:
    """Take group's and others' rights from each of ``paths`` that exists, when nothing else keeps
    the children out of them: as root, without a mount namespace and without Landlock. Returns
    the paths changed.

    Gradescope runs the autograder as root in a Docker container, whose default profile refuses
    ``unshare`` and ``mount`` (no ``CAP_SYS_ADMIN``) and, on some kernels, Landlock. The child's
    slot uid then reads every file that others may read: the zip unpacks ``rubrics/fixtures`` as
    0644, so a function could read the hidden cases' expected values and return them. The
    container is the grader's alone and is thrown away, so its modes are changed rather than the
    submission refused; anywhere else a path hidden by a mount or by Landlock is left as it is.
    """
    if not capabilities.running_as_root or capabilities.mount_namespace or capabilities.landlock_abi:
        return []
    closed = []
    for path in paths:
        try:
            mode = os.stat(path, follow_symlinks=False).st_mode
        except OSError:
            continue
        if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
            os.chmod(path, stat.S_IMODE(mode) & 0o700)
            closed.append(str(path))
    return closed


def run_gradescope(*, root: Path = DEFAULT_ROOT, rubric: Path | None = None,
                   stream: TextIO | None = None) -> int:
    """Grade ``ROOT/submission`` and write ``ROOT/results/results.json``; return an exit status.

    Returns 0 once ``results.json`` is written, whatever the score. When the
    harness itself cannot run (bad rubric, missing fixtures) no score is
    written (Gradescope then shows the run as failed to the instructor rather
    than a zero to the student) and the status is ``EXIT_USAGE``.
    """
    from grader.batch import ResilientSandbox, grade_one
    from grader.choice import graded_functions, one_notebook
    from grader.classfiles import DEFAULT_RUBRIC, REPO
    from grader.commands import load_context
    from grader.exits import CommandError, EXIT_OK, EXIT_USAGE
    from grader.protectedpaths import protected_inputs
    from grader.files import visible_text, write_atomic
    from grader.models import GRADER_ERROR
    from grader.report import read_submission
    from grader.sandbox import started_in_thread

    stream = stream or sys.stdout
    started = time.perf_counter()
    root = Path(root)
    if not root.is_dir():  # not inside Gradescope: it made /autograder/results on a TA's machine
        stream.write(f"grade.py --gradescope: {root} is no folder: --gradescope grades inside Gradescope's "
                     f"autograder, whose root it is; to try it elsewhere give --gradescope-root a copy of its "
                     f"layout (docs/gradescope/README.md), or grade a notebook with grade.py NOTEBOOK\n")
        return EXIT_USAGE
    results_dir = root / "results"
    with tempfile.TemporaryDirectory(prefix="gradescope-") as tmp:
        out_dir = Path(tmp)
        # Student code must not reach the fixtures (a ``--rubric`` elsewhere's too: ``protected_inputs``),
        # nor write its own results.json.
        protected = [REPO / "solution", REPO / "rubrics", *protected_inputs([rubric]), results_dir.resolve(),
                     out_dir.resolve()]
        # The sandbox's zygote boots (0.2-0.3 s) while the rubric and the fixtures are loaded.
        with started_in_thread(ResilientSandbox, protected_paths=protected, announce=False) as started_sandbox:
            try:
                context = load_context(Path(rubric or DEFAULT_RUBRIC))
            except CommandError as exc:
                stream.write(f"grade.py --gradescope: the grader cannot run: {exc}\n")
                return EXIT_USAGE
            # A zip the student uploaded is unpacked into this run's own folder, which the
            # sandbox hides from the child (``protected``), and removed with it.
            submission = find_submission(root / "submission", unpack_into=out_dir / ".unpacked")
            # An Untitled.ipynb uploaded beside the work: the notebook that holds it is graded.
            submission = one_notebook(submission, graded=graded_functions(context.rubric))
            results_dir.mkdir(parents=True, exist_ok=True)
            sandbox = started_sandbox()
            stream.write(f"Sandbox: {sandbox.capabilities.describe()}\n")
            closed = close_to_others(protected, capabilities=sandbox.capabilities)
            if closed:
                # The line above says what the sandbox alone allows; this says what was done about it.
                stream.write(f"So the protected paths are closed by file modes instead (no mount namespace, "
                             f"no Landlock): {', '.join(closed)} made unreadable to other users, the child "
                             f"included\n")
            grade_one(submission, context=context, sandbox=sandbox, out_dir=out_dir)
        result = read_submission(out_dir / submission.id)
    if result is None:
        stream.write("grade.py --gradescope: no result was written (grader failure)\n")
        return EXIT_USAGE
    payload = gradescope_payload(result, seconds=time.perf_counter() - started)
    write_atomic(results_dir / "results.json", json.dumps(payload, indent=2))
    stream.write(f"{result.submission_id}: {result.points:g}/{result.max_points:g} ({result.status})"
                 f"{' - harness failure, traceback below' if result.status == HARNESS else ''}\n")
    detail = result.extra.get(GRADER_ERROR) if result.extra else None
    if detail:
        # This log is the instructor's (run_autograder's output, hidden from students): a grader
        # failure's traceback, or the cases a rubric without fixtures lost. The student's
        # results.json says only that the grader failed (``models.GRADER_FAILED``,
        # ``models.CASE_GRADER_FAILED``).
        # An exception's message can hold what the student's notebook put there: characters a
        # terminal acts on are written out (\x1b), as ``--check`` writes its traceback.
        if result.status != HARNESS:
            stream.write("Cases the grader could not grade (not the student's fault):\n")
        lines = str(detail).rstrip("\n").split("\n")
        stream.write("\n".join(visible_text(line, tabs=True) for line in lines) + "\n")
    stream.write(f"Wrote {results_dir / 'results.json'}\n")
    return EXIT_OK


#: The lines of the scripts that name the rubric: ``build --rubric`` gives them another one.
_RUN_LINE = b'exec "$PYTHON" grade.py --gradescope --gradescope-root "$ROOT"'
_SETUP_LINE = b"context = load_context(DEFAULT_RUBRIC)"


def _scripts_for(scripts: Path, rubric: str | None) -> dict[str, bytes]:
    """setup.sh and run_autograder of ``scripts``, naming ``rubric`` (``rubrics/NAME.yaml``, a
    path inside the zip) where given."""
    from grader.exits import CommandError

    texts = {name: (scripts / name).read_bytes() for name in ("setup.sh", "run_autograder")}
    if rubric is not None:
        for name, line, new in (("run_autograder", _RUN_LINE, _RUN_LINE + b' --rubric "' + rubric.encode() + b'"'),
                                ("setup.sh", _SETUP_LINE, b"context = load_context(" + repr(rubric).encode() + b")")):
            if texts[name].count(line) != 1:
                raise CommandError(f"{scripts / name}: no line {line.decode()!r} to name the rubric on")
            texts[name] = texts[name].replace(line, new)
    return texts


def _rubric_in_zip(rubric: Path, repo: Path) -> str:
    """``rubric`` as the zip names it (``rubrics/NAME.yaml``), after loading it and its fixtures:
    a rubric outside ``rubrics/`` would not be in the zip, and one whose fixtures are stale
    would fail every student's run instead of this command."""
    from grader.commands import load_context
    from grader.exits import CommandError

    where = Path(rubric).resolve()
    if not where.is_relative_to((repo / "rubrics").resolve()):
        raise CommandError(f"{rubric}: the zip holds the rubrics of {repo / 'rubrics'}; put the rubric "
                           f"there (its fixtures in rubrics/fixtures/) and build again")
    load_context(where)  # CommandError naming the file and line, or the fixture to regenerate
    return where.relative_to(repo.resolve()).as_posix()


def build_autograder_zip(dest: Path, *, repo: Path = REPO, rubric: Path | None = None) -> Path:
    """Write the zip to upload to Gradescope: setup.sh and run_autograder at its root, then
    ``grade.py``, ``requirements.txt``, ``grader/`` and ``rubrics/`` (no ``solution/``, and no
    fixture cache of a class run: the container decodes the instructor's JSON itself).

    ``rubric``: a rubric of ``repo/rubrics`` other than the default, which both scripts then
    name (``run_autograder`` grades with it, ``setup.sh`` loads it when the image is built);
    it and its fixtures are loaded first, and a ``CommandError`` says what is wrong."""
    from grader.fixturecache import CACHE_DIR

    repo, dest = Path(repo), Path(dest)
    scripts = _scripts_for(repo / "docs" / "gradescope",
                           None if rubric is None else _rubric_in_zip(Path(rubric), repo))
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in scripts.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o100755 << 16  # executable regular file
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text)
        for name in ZIP_FILES:
            zf.write(repo / name, name)
        for folder in ZIP_DIRS:
            for path in sorted((repo / folder).rglob("*")):
                if (path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
                        and CACHE_DIR not in path.relative_to(repo).parts):
                    zf.write(path, path.relative_to(repo).as_posix())
    return dest


def main(argv: list[str] | None = None) -> int:
    """``python3 -m grader.gradescope build autograder.zip``: the zip for Gradescope."""
    import argparse

    from grader.exits import CommandError, EXIT_USAGE

    parser = argparse.ArgumentParser(prog="python3 -m grader.gradescope")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="write the autograder zip to upload to Gradescope")
    build.add_argument("zip", type=Path, nargs="?", default=Path("autograder.zip"),
                       help="where to write the zip (default: autograder.zip)")
    build.add_argument("--rubric", type=Path, metavar="FILE", default=None,
                       help="grade with this rubric of rubrics/ (default: rubrics/rnn.yaml)")
    args = parser.parse_args(argv)
    try:
        path = build_autograder_zip(args.zip, rubric=args.rubric)
    except CommandError as exc:
        print(f"python3 -m grader.gradescope build: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Wrote {path} ({path.stat().st_size // 1024} KiB): upload it as the autograder of a "
          f"Gradescope programming assignment.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
