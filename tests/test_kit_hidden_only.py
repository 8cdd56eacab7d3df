"""A part whose cases are all hidden, in the student kit: the kit keeps it (`cases: []` and its
`withheld_points:`), and the self-check (``--check`` and Jupyter's ``check()``) says the function is
graded on hidden cases only, never "passed", and counts its points among the hidden ones out of
the assignment's whole total. Until the thirty-eighth session the kit left the part out: "the other
64.5 of the 85 points" of a 100-point assignment, and "this kit does not check `rnn_forward` ...
ask your instructor"."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from grader.course import COURSE_MODULES
from grader.fixtures import encode_fixture_file, fixture_path, load_fixtures
from grader.kit import write_student_kit
from grader.live import check
from grader.rubric import RubricError, load_rubric
from grader.selfcheck import EXIT_PASSED, EXIT_UNUSABLE, run_check
from tests import notebooks as nbs

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "rubrics" / "rnn.yaml"
#: The rubric's line of rnn_forward's only public case.
PUBLIC_FORWARD = "      - {name: assignment example, visibility: public, seed: 1, dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 4}, points: 3}\n"


@pytest.fixture(scope="module")
def hidden_forward(tmp_path_factory) -> tuple[Path, Path]:
    """The shipped rubric without rnn_forward's public case (its three hidden ones left, 12 of the
    97 points), its public fixtures written for it, and the kit of it: (rubric, kit folder)."""
    folder = tmp_path_factory.mktemp("hidden-forward")
    text = SHIPPED.read_text(encoding="utf-8")
    assert text.count(PUBLIC_FORWARD) == 1
    rubric_path = folder / "rnn.yaml"
    rubric_path.write_text(text.replace(PUBLIC_FORWARD, ""), encoding="utf-8")
    shutil.copytree(SHIPPED.parent / "fixtures", folder / "fixtures", ignore=shutil.ignore_patterns(".cache"))
    shipped = load_fixtures(load_rubric(SHIPPED).only("public"), visibilities=("public",))
    rubric = load_rubric(rubric_path)
    cases = {case_id: fixture for case_id, fixture in shipped.items() if case_id != "rnn_forward/public-1"}
    fixture_path(rubric, "public").write_bytes(encode_fixture_file(
        rubric, "public", cases, mutant_messages=dict(shipped.mutant_messages), generated="now", numpy_version="x"))
    return rubric_path, write_student_kit(folder / "kit", rubric=rubric_path)


def kit_rubric(kit: Path) -> Path:
    return kit / "rubrics" / "rnn.yaml"


def test_the_kit_keeps_the_part_with_no_public_case_and_its_points(hidden_forward):
    rubric_path, kit = hidden_forward
    full = load_rubric(rubric_path)
    assert full.max_points == 97
    public = load_rubric(kit_rubric(kit))
    forward = public.part("rnn_forward")
    assert forward.cases == () and forward.withheld_points == 12
    assert [p.function for p in public.parts] == [p.function for p in full.parts]
    # what every part is worth in all, public and hidden: the instructor's total
    assert sum(p.max_points + p.withheld_points for p in public.parts) == full.max_points
    assert "hidden" not in kit_rubric(kit).read_text(encoding="utf-8")
    assert "(5 public cases)" in (kit / ".student-kit").read_text()


def test_restricting_keeps_an_empty_part_only_when_asked(hidden_forward):
    rubric_path, _ = hidden_forward
    full = load_rubric(rubric_path)
    assert "rnn_forward" not in [p.function for p in full.only("public").parts]
    kept = full.only("public", keep_empty=True)
    assert kept.part("rnn_forward").withheld_points == 12
    assert kept.only("public", keep_empty=True) == kept  # restricting again adds nothing
    assert [p.function for p in kept.with_cases().parts] == [p.function for p in full.only("public").parts]


def test_cases_may_be_empty_only_with_withheld_points(tmp_path):
    text = ("version: 1\nname: q\ntitle: Q\nparts:\n  - function: rnn_forward\n    outputs: [{name: a, path: \"[0]\"}]\n"
            "    cases: []\n")
    path = tmp_path / "q.yaml"
    path.write_text(text)
    with pytest.raises(RubricError, match=r"q\.yaml:7.*cases of part 'rnn_forward' must not be empty"):
        load_rubric(path)
    path.write_text(text + "    withheld_points: 12\n")
    assert load_rubric(path).part("rnn_forward").withheld_points == 12


def check_text(notebook: Path, rubric: Path, **kw) -> tuple[int, str]:
    out = io.StringIO()
    status = run_check(notebook, rubric=rubric, stream=out, **kw)
    return status, out.getvalue()


def assert_hidden_only_said(text: str) -> None:
    assert "rnn_cell_forward   passed\nrnn_forward        graded on hidden cases only\n" in text, text
    assert ("This kit has no public case of `rnn_forward`: your instructor grades it on hidden cases only, "
            "worth 12 points.") in text, text
    assert "rnn_forward        passed" not in text, text
    # the hidden cases are worth what the instructor's grading leaves beyond the public ones, out of 97
    assert "worth the other 76.5 of the 97 points of these functions" in text, text
    assert "does not check" not in text and "ask your instructor" not in text, text


def test_check_of_a_correct_notebook_says_the_part_is_graded_on_hidden_cases_only(hidden_forward, tmp_path):
    _, kit = hidden_forward
    notebook = shutil.copyfile(REPO / "submissions" / "ada_correct.ipynb", tmp_path / "ada.ipynb")
    status, text = check_text(notebook, kit_rubric(kit))
    assert status == EXIT_PASSED, text
    assert "(5 functions; 1 graded on hidden cases only)" in text.splitlines()[0], text
    assert "5 of 5 public case(s) passed, 20.5 of their 20.5 points; all 5 functions pass" in text, text
    assert_hidden_only_said(text)


def test_check_of_the_function_alone_says_it_has_no_public_case(hidden_forward, tmp_path):
    _, kit = hidden_forward
    notebook = shutil.copyfile(REPO / "submissions" / "ada_correct.ipynb", tmp_path / "ada.ipynb")
    status, text = check_text(notebook, kit_rubric(kit), function="rnn_forward")
    assert status == EXIT_UNUSABLE, text
    assert ("rnn_forward is graded on hidden cases only (its 12 points): this kit has no public case to "
            "check it with") in text, text


def test_jupyter_check_says_the_same(hidden_forward):
    _, kit = hidden_forward
    namespace: dict = {}
    exec("import numpy as np\n" + "\n".join(COURSE_MODULES["rnn_utils"].values()), namespace)
    for source in nbs.COURSE_CELLS.values():
        exec(source, namespace)
    out = io.StringIO()
    summary = check(namespace=namespace, rubric=kit_rubric(kit), stream=out)
    text = out.getvalue()
    assert summary.ok and summary.hidden_only == ("rnn_forward",), text
    assert summary.verdict("rnn_forward") is None, text
    assert_hidden_only_said(text)


def test_a_kits_rubric_does_not_grade_a_class(hidden_forward, tmp_path):
    """The lead's merge of this: a rubric that says `cases: []` (a kit's, or an instructor's who
    copied it) graded the shipped class with rnn_forward a 0 column and every total out of 85
    instead of 100, without a word. A class run (and Gradescope's, both through load_context with
    the hidden cases) now refuses it, naming the part's line; the kit's self-check keeps it."""
    from grader import commands
    from grader.exits import CommandError
    from grader.gradingcontext import load_context

    _, kit = hidden_forward
    with pytest.raises(CommandError, match=r"rnn\.yaml:\d+: rnn_forward has no cases \(`cases: \[\]`\)"):
        load_context(kit_rubric(kit))
    with pytest.raises(CommandError, match="only a student kit's rubric may say"):
        commands.grade_class(REPO / "submissions", out_dir=tmp_path / "out", rubric=kit_rubric(kit), jobs=1,
                             similarity=False, feedback_html=False, class_report=False, stream=io.StringIO())
    assert not (tmp_path / "out" / "grades.csv").exists()
