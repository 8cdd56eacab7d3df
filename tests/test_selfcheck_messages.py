"""What a student reads from ``--check`` when something is off: said once, with the file, and what to do."""
from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from grader import selfcheck
from grader.classfiles import DEFAULT_RUBRIC
from grader.selfcheck import EXIT_FAILED, EXIT_PASSED, EXIT_UNUSABLE, missing_requirements, run_check
from tests import notebooks as nbs

REPO = Path(__file__).resolve().parents[1]
SUBMISSIONS = REPO / "submissions"


def check(path: Path, **kw) -> tuple[int, str]:
    """``run_check`` on ``path`` with the default rubric: exit status and printed text."""
    out = io.StringIO()
    code = run_check(path, rubric=DEFAULT_RUBRIC, stream=out, **kw)
    return code, out.getvalue()


def test_a_truncated_notebook_is_named_once_with_what_to_do():
    path = SUBMISSIONS / "donald_truncated.ipynb"
    code, text = check(path)
    assert code == EXIT_UNUSABLE
    assert text.count("donald_truncated.ipynb") == 1, text  # was "cannot read P: P: not JSON"
    assert "truncated" in text and "save it" in text, text


def test_a_notebook_that_is_not_there_gets_no_advice_about_saving(tmp_path):
    code, text = check(tmp_path / "nope.ipynb")
    assert code == EXIT_UNUSABLE and text.count("nope.ipynb") == 1, text
    assert "No such file" in text and "save it" not in text, text


def test_a_syntax_error_is_said_once(tmp_path):
    nb = nbs.course_notebook(nbs.mutate("rnn_forward", "def rnn_forward(x, a0, parameters):",
                                        "def rnn_forward(x, a0, parameters)"))
    code, text = check(nbs.write(tmp_path / "syntax.ipynb", nb), function="rnn_forward")
    assert code == EXIT_FAILED
    assert text.count("Syntax error in cell") == 1, text


def test_a_misspelt_function_option_gets_the_closest_name():
    code, text = check(SUBMISSIONS / "ada_correct.ipynb", function="rnn_fwd")
    assert code == EXIT_UNUSABLE and "did you mean 'rnn_forward'?" in text, text


def test_a_python_without_pyyaml_is_told_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "yaml", None)  # find_spec reports None, import raises
    lacking = missing_requirements()
    assert lacking is not None and "pyyaml" in lacking and "numpy" not in lacking.split("install")[0]
    assert f"{sys.executable} -m pip install numpy pyyaml" in lacking
    started = []
    monkeypatch.setattr(selfcheck, "_sandbox_started", lambda rubric: started.append(rubric))
    code, text = check(SUBMISSIONS / "ada_correct.ipynb")
    assert code == EXIT_UNUSABLE and "Self-check cannot run" in text and "pip install" in text, text
    assert not started  # said before any sandbox starts


def test_nothing_missing_here():
    assert missing_requirements() is None


def test_check_in_a_kernel_without_pyyaml_says_what_to_install(monkeypatch):
    """``from grader import check; check()`` in Jupyter: the pip line, no ModuleNotFoundError."""
    import io

    import grader

    monkeypatch.setitem(sys.modules, "yaml", None)
    stream = io.StringIO()
    assert grader.check(namespace={}, stream=stream) is None
    text = stream.getvalue()
    assert text.startswith("check() cannot run:") and "%pip install numpy pyyaml" in text, text



def kit_lacks_case_text() -> str:
    """What the self-check prints for a public case the kit holds no expected values of (a
    harness case with the batch's sentence); also read by tests/test_polish_s28.py."""
    from grader.models import CASE_GRADER_FAILED, HARNESS, CaseResult, PartResult, SubmissionResult
    from grader.selfcheck import render

    case = CaseResult("rnn_forward/0", "assignment example", "public", HARNESS, 0.0, 10.0,
                      message=CASE_GRADER_FAILED)
    part = PartResult("rnn_forward", "rnn_forward", HARNESS, 0.0, 10.0, cases=(case,))
    stream = io.StringIO()
    render(SubmissionResult("ada", "ada.ipynb", "graded", 0.0, 10.0, parts=(part,)), stream=stream)
    return stream.getvalue()


def test_a_case_the_kit_cannot_grade_is_told_in_the_kits_words():
    """The batch's sentence says the instructor will grade it again, which a self-check never
    does: the kit's fixtures lack the case, and the student is told to ask for the kit again."""
    text = kit_lacks_case_text()
    # Session 28: "fixtures" is the grader's word; the student reads "the expected values".
    assert "The kit lacks the expected values of this case" in text and "grade it again" not in text, text


def test_the_pip_line_quotes_an_interpreter_path_with_spaces(monkeypatch):
    monkeypatch.setitem(sys.modules, "yaml", None)
    monkeypatch.setattr(sys, "executable", "/Applications/My Python/bin/python3")
    lacking = missing_requirements()
    assert "'/Applications/My Python/bin/python3' -m pip install numpy pyyaml" in lacking, lacking


def test_a_rubric_without_public_cases_cannot_be_checked(tmp_path):
    # Thirty-second session: it printed "0 of 0 public case(s) passed; all 0 functions pass their
    # public cases." and exited 1 (a failed check), where --student-kit refuses such a rubric.
    import shutil

    text = DEFAULT_RUBRIC.read_text(encoding="utf-8").replace("visibility: public", "visibility: hidden")
    rubric = tmp_path / "rnn.yaml"
    rubric.write_text(text, encoding="utf-8")
    shutil.copytree(DEFAULT_RUBRIC.parent / "fixtures", tmp_path / "fixtures", ignore=shutil.ignore_patterns(".cache"))
    stream = io.StringIO()
    status = run_check(nbs.write(tmp_path / "nb.ipynb", nbs.course_notebook()), rubric=rubric, stream=stream)
    out = stream.getvalue()
    assert status == EXIT_UNUSABLE, out
    assert "the rubric has no public case, so there is nothing to check" in out and "0 of 0" not in out, out


def test_a_function_that_printed_a_huge_line_shows_its_start_not_the_whole(tmp_path):
    """A wrong function that printed one line of 10 MB: the sandbox keeps 64 kB, and ``--check``
    wrote all of it on its ``printed:`` line, scrolling the verdicts out of the student's terminal
    (thirty-fourth session, as a student). Now 100 characters of each of 5 lines, and the rest counted."""
    wrong = nbs.mutate("rnn_cell_forward", "+ ba)", ")\n    print('x' * 10_000_000)")
    path = nbs.write(tmp_path / "loud.ipynb", nbs.course_notebook(wrong))
    code, text = check(path, function="rnn_cell_forward")
    assert code == EXIT_FAILED
    lines = text.splitlines()
    at = next(k for k, line in enumerate(lines) if line.lstrip().startswith("printed:"))
    printed = lines[at] if lines[at] != "      printed:" else lines[at + 1]  # the sandbox's note of what it cut
    assert printed.lstrip().startswith("x" * 100 + "... (") and "more characters)" in printed, printed[:300]
    assert len(text) < 3000, len(text)
    # many short lines: five shown, the others counted, as before
    case = selfcheck._printed("\n".join(f"line {k}" for k in range(12)))
    assert case == ("      printed:\n" + "".join(f"        line {k}\n" for k in range(5))
                    + "        (+7 more lines)\n"), case


def test_a_printed_array_keeps_its_rows_one_under_the_other(tmp_path):
    """A wrong function that printed an array at each step: its rows were joined by " | " on one
    line of about 520 characters, a wall of numbers (thirty-seventh session, as a student)."""
    wrong = nbs.mutate("rnn_cell_forward", "+ ba)", ")\n    print('a_next =', a_next)")
    code, text = check(nbs.write(tmp_path / "loud.ipynb", nbs.course_notebook(wrong)), function="rnn_cell_forward")
    assert code == EXIT_FAILED
    lines = text.splitlines()
    at = lines.index("      printed:")
    assert lines[at + 1].startswith("        a_next = [[ "), lines[at:at + 4]
    assert all(line.startswith("         ") and line.rstrip()[-1].isdigit() or line.endswith("]")
               for line in lines[at + 2:at + 6]), lines[at:at + 7]
    assert lines[at + 6] == "        (+5 more lines)", lines[at:at + 8]
    assert max(len(line) for line in lines) < 400 and " | " not in text, text


def test_a_syntax_error_in_a_function_quotes_its_line(tmp_path):
    """A function whose def does not parse: the message named "cell 13, line 15" and no code, where
    an exception's line is quoted; in a notebook saved by VS Code or Colab (no prompts, and neither
    numbers its cells) the student had to count 13 cells (thirty-fourth session, as a student)."""
    broken = nbs.mutate("lstm_forward", "for t in range(T_x):", "for t in range(T_x)")
    notebook = nbs.course_notebook(broken)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["execution_count"] = None
    path = nbs.write(tmp_path / "vscode.ipynb", notebook)
    code, text = check(path, function="lstm_forward")
    assert code == EXIT_FAILED
    assert "Syntax error in cell 13, line 15: expected ':'" in text, text
    assert "\n      >   for t in range(T_x)\n" in text, text
    assert text.count("for t in range(T_x)") == 1, text


@pytest.mark.parametrize("name, meant", [("rnn.ipynb.txt", "rnn.ipynb"), ("rnn.IPYNB", "rnn.ipynb"),
                                         ("rnn.json", "rnn.ipynb"), ("rnn", "rnn.ipynb"), ("rnn.ipynb", None)])
def test_a_notebook_named_as_no_class_run_takes_it_is_told_to_rename_it(tmp_path, name, meant):
    """A browser's download named ``rnn.ipynb.txt`` (Windows' ``.IPYNB``, a ``.json``): the check
    reads a notebook by its content and said "all 6 functions pass", where a class run finds no
    notebook in the student's folder and grades it 0 (thirty-fourth session, as a student). The
    note and the class run's discovery agree on every name."""
    from grader.discover import find_submissions

    path = nbs.write(tmp_path / "class" / "ana" / name, nbs.course_notebook())
    code, text = check(path)
    assert code == 0 and "all 6 functions pass their public cases" in text, text
    (found,) = find_submissions(tmp_path / "class")
    if meant is None:
        assert "Rename it" not in text and not found.problem, (text, found)
    else:
        assert text.endswith(f"\nNote: this file is named {name}, and your instructor's grader takes only a "
                             f"notebook whose name ends in .ipynb (or a .py file): handed in under this name, it "
                             f"would be found to hold no notebook and score 0. Rename it {meant} before you "
                             f"submit it.\n"), text
        assert "holds no notebook" in found.problem, found


def _without_outputs(notebook: dict) -> dict:
    """``notebook`` as VS Code saves it after "Clear All Outputs": no outputs, no prompts."""
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return notebook


def test_training_cells_saved_without_outputs_are_told_to_be_run_and_saved(tmp_path, context, sandbox):
    """The bonus's three training cells saved without outputs: the check said "all 6 functions
    pass" and nothing more, and the class run gave the bonus 5 of 10 (no accuracy points: "saved
    without outputs"; thirty-fourth session, as a student). The same notebook with its outputs
    gets no note."""
    from grader.runner import grade_submission

    bare = nbs.write(tmp_path / "bare.ipynb", _without_outputs(nbs.course_notebook(extra_cells=nbs.imdb_cells())))
    code, text = check(bare)
    assert code == 0 and text.endswith(
        "\nNote: the cells that train a model (cell 23, cell 24 and cell 25) hold no output (not run, or saved "
        "without outputs): your instructor reads training results, such as the bonus's test accuracy, from the "
        "outputs saved in the notebook, and a result no output shows earns no points. Run them and save the "
        "notebook with the outputs before you submit it.\n"), text
    bonus = grade_submission(bare, context=context, sandbox=sandbox).part("imdb_report")
    assert bonus.points < bonus.max_points and any("without outputs" in note for note in bonus.notes), bonus
    full = nbs.write(tmp_path / "full.ipynb", nbs.course_notebook(extra_cells=nbs.imdb_cells()))
    code, text = check(full)
    assert code == 0 and "Note:" not in text and "hold no output" not in text, text
    code, text = check(nbs.write(tmp_path / "no_bonus.ipynb", _without_outputs(nbs.course_notebook())))
    assert code == 0 and "Note:" not in text, text


def test_a_zip_given_to_check_names_its_notebooks_and_the_commands_to_check_one(tmp_path):
    """``--check work.zip`` (the zip a student is about to upload, which a class run unpacks): it
    said "binary file, not a notebook (contains NUL bytes)" and to save the notebook again from
    Jupyter (thirty-fourth session, as a student)."""
    import shlex
    import subprocess
    import zipfile

    notebook = nbs.write(tmp_path / "nb.ipynb", nbs.course_notebook())
    archive = tmp_path / "my work.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(notebook, "rnn/Building_a_Recurrent_Neural_Network.ipynb")
        out.write(notebook, "__MACOSX/rnn/._Building_a_Recurrent_Neural_Network.ipynb")
        out.writestr("rnn/rnn_utils.py", "import numpy as np\n")
    code, text = check(archive)
    folder, inside = tmp_path / "my work", tmp_path / "my work" / "rnn" / "Building_a_Recurrent_Neural_Network.ipynb"
    assert code == EXIT_UNUSABLE and text == (
        f"Self-check cannot read {archive}: it is a zip archive, not a notebook; it holds "
        f"rnn/Building_a_Recurrent_Neural_Network.ipynb. Unzip it and check the notebook: python3 -m zipfile -e "
        f"{shlex.quote(str(archive))} {shlex.quote(str(folder))} && python3 grade.py --check "
        f"{shlex.quote(str(inside))}\n"), text
    subprocess.run([sys.executable, "-m", "zipfile", "-e", str(archive), str(folder)], check=True)  # as said
    assert check(inside)[0] == 0
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as out:
        out.writestr("README.txt", "nothing\n")
    assert check(empty)[1].endswith(": it is a zip archive, and it holds no notebook (.ipynb).\n")


def _defined_again(tmp_path: Path, later: str, name: str) -> Path:
    """The course notebook, with a scratch cell at the end defining ``rnn_cell_forward`` again."""
    source = nbs.COURSE_CELLS["rnn_cell_forward"].replace("+ ba)", later)
    nb = nbs.course_notebook(extra_cells=[nbs.markdown_cell("## scratch"), nbs.code_cell(source, count=20)])
    return nbs.write(tmp_path / name, nb)


def test_a_function_defined_again_wrongly_says_which_definition_under_its_verdict(tmp_path):
    code, text = check(_defined_again(tmp_path, ")", "again.ipynb"))
    assert code == EXIT_FAILED
    head, _, rest = text.partition("rnn_cell_forward   failed  (0 of 1 public case, 0 of 2.5 points)\n")
    assert rest.startswith("    note: `rnn_cell_forward` is defined more than once (cell 4 (In [2]), line 3, and "
                           "cell 22 (In [20]), line 3); the last definition (cell 22 (In [20])) is the one graded.\n"), text
    assert "likely mistake: Your hidden state leaves out the bias `ba`" in rest, text  # read against cell 22
    assert "About the notebook" not in text and text.count("defined more than once") == 1, text


def test_a_function_defined_again_that_passes_keeps_the_note_at_the_end(tmp_path):
    code, text = check(_defined_again(tmp_path, "+ ba)", "again.ipynb"))
    assert code == 0
    assert "About the notebook:\n  - `rnn_cell_forward` is defined more than once" in text, text
    assert "Read the note" not in text, text


def test_a_marked_graded_function_the_kit_does_not_check_is_said(tmp_path):
    """An old kit and a newer notebook: the assignment gained ``lstm_cell_backward`` (its cell marked
    ``# GRADED FUNCTION``), the kit checks the six it knows and said "all 6 functions pass" with no
    word of the seventh (thirty-seventh session, as a student)."""
    seventh = "# GRADED FUNCTION: lstm_cell_backward\n\ndef lstm_cell_backward(da_next, dc_next, cache):\n    return {}\n"
    nb = nbs.course_notebook(extra_cells=[nbs.code_cell(seventh, count=14)])
    code, text = check(nbs.write(tmp_path / "newer.ipynb", nb))
    assert code == EXIT_PASSED, text
    assert ("Note: the notebook marks `lstm_cell_backward` (cell " in text
            and "(In [14])) as a graded function, and this kit does not check it: if you are not sure it is graded, "
                "ask your instructor" in " ".join(text.split())), text
    code, text = check(nbs.write(tmp_path / "course.ipynb", nbs.course_notebook()))
    assert code == EXIT_PASSED and "marks" not in text, text  # the six the kit checks: nothing to say
    code, text = check(tmp_path / "newer.ipynb", function="rnn_forward")
    assert "marks" not in text, text  # one function asked for: the others are not the question


def test_a_timeout_says_its_place_once(tmp_path):
    """A timeout's message says where the code was running ("When the time ran out it was running
    cell 7 (In [4]), line 14, ..."), and the check said the place again on an "at" line below it
    (thirty-seventh session, as a student); the line's code is still quoted."""
    endless = nbs.mutate("rnn_forward", "    for t in range(T_x):", "    while True:\n        pass\n    for t in range(T_x):")
    code, text = check(nbs.write(tmp_path / "endless.ipynb", nbs.course_notebook(endless)), function="rnn_forward")
    assert code == EXIT_FAILED and "timed out" in text, text
    place = re.search(r"When the time ran out it was running (cell \d+ \(In \[\d+\]\), line \d+)", text)
    assert place is not None, text
    assert text.count(place.group(1)) == 1, text
    assert "      >   pass\n" in text or "      >   while True:\n" in text, text


def _named(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return nbs.write(folder / name, nbs.course_notebook())


def _in_the_kit_s_folder(tmp_path: Path, monkeypatch, given: str) -> str:
    """What ``--check given`` says in a kit's folder ``handout`` beside the notebook ``rnn hw.ipynb``."""
    _named(tmp_path, "rnn hw.ipynb")
    (tmp_path / "handout").mkdir()
    monkeypatch.chdir(tmp_path / "handout")
    code, text = check(Path(given))
    assert code == EXIT_UNUSABLE, text
    return text


def test_a_notebook_in_the_folder_above_the_kit_is_found_with_the_command(tmp_path, monkeypatch):
    # As the kit's README says, the student runs the check inside the kit's folder, and names the
    # notebook that sits beside the kit: "no notebook (.ipynb) is here. Check the path" (thirty-eighth session).
    text = _in_the_kit_s_folder(tmp_path, monkeypatch, "rnn hw.ipynb")
    assert "the folder above has one of that name" in text and "--check '../rnn hw.ipynb'" in text, text


@pytest.mark.parametrize("typed", ["réseau récurrent devoir.ipynb", "Re\u0301seau re\u0301current devoir.ipynb",
                                   "Réseau récurent devoir.ipynb"])
def test_a_name_typed_in_another_form_or_case_or_misspelt_is_named_with_the_command(tmp_path, monkeypatch, typed):
    # The name in the folder is NFC; the one typed is lower case, or NFD (as macOS writes it: the same
    # look, other characters), or a letter short: "No such file" beside a name that looked the same.
    _named(tmp_path, "Réseau récurrent devoir.ipynb")
    _named(tmp_path, "other.ipynb")
    monkeypatch.chdir(tmp_path)
    code, text = check(Path(typed))
    assert code == EXIT_UNUSABLE, text
    assert "the notebook 'Réseau récurrent devoir.ipynb' is. Check it with:" in text, text
    assert text.rstrip().endswith("--check 'Réseau récurrent devoir.ipynb'"), text


def test_a_name_like_none_of_the_notebooks_lists_them_quoted(tmp_path, monkeypatch):
    _named(tmp_path, "Réseau récurrent devoir.ipynb")
    _named(tmp_path, "other.ipynb")
    monkeypatch.chdir(tmp_path)
    code, text = check(Path("homework.ipynb"))
    assert "the notebooks here are 'Réseau récurrent devoir.ipynb', other.ipynb." in text, text


def test_the_kit_s_own_folder_given_names_the_notebooks_above(tmp_path, monkeypatch):
    # `--check .` inside the kit's folder said "(no notebook, .ipynb, is in .)".
    text = _in_the_kit_s_folder(tmp_path, monkeypatch, ".")
    assert "no notebook, .ipynb, is in the folder you are in; the folder above holds 'rnn hw.ipynb'" in text, text
    assert "--check '../rnn hw.ipynb'." in text and "is in .)" not in text, text


@pytest.mark.parametrize("typed", ["rnn hw2.ipynb", "RNN HW.ipynb", "rnn-hw.ipynb"])
def test_a_typo_of_the_notebook_above_the_kit_is_found_with_the_command(tmp_path, monkeypatch, typed):
    # Inside the kit's folder, a typo of the notebook beside the kit was "no notebook (.ipynb) is here.
    # Check the path": only the exact name was looked for above (thirty-eighth session).
    text = _in_the_kit_s_folder(tmp_path, monkeypatch, typed)
    assert "the folder above has the notebook 'rnn hw.ipynb'" in text, text
    assert text.rstrip().endswith("--check '../rnn hw.ipynb'"), text


def test_a_close_name_here_is_offered_before_one_above(tmp_path, monkeypatch):
    _named(tmp_path, "rnn hw.ipynb")
    (tmp_path / "handout").mkdir()
    _named(tmp_path / "handout", "rnn hw.ipynb")
    monkeypatch.chdir(tmp_path / "handout")
    code, text = check(Path("rnn hw2.ipynb"))
    assert code == EXIT_UNUSABLE and "the notebook 'rnn hw.ipynb' is. Check it with:" in text, text
    assert "../" not in text, text


def test_a_typo_of_a_name_in_the_folder_above_says_the_folder_above_not_dot_dot(tmp_path, monkeypatch):
    text = _in_the_kit_s_folder(tmp_path, monkeypatch, "../rnn hw2.ipynb")
    assert "No such file in the folder above; the notebook 'rnn hw.ipynb' is." in text and " in .." not in text, text
    assert text.rstrip().endswith("--check '../rnn hw.ipynb'"), text
