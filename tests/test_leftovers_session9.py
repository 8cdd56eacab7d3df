"""Small defects the eighth session's reviews left open (its closing note), one test or more
each; every test here fails without its fix. Notebooks and results are made by the tests."""
from __future__ import annotations

from grader.models import ERROR, FAILED, CaseResult, PartResult, SubmissionResult
from grader.files import visible_text
from grader.notes import MAX_NOTE_CHARS, bounded_note, bounded_result
from grader.report import gradescope_results
from tests import notebooks as nbs


def _result(*parts: PartResult) -> SubmissionResult:
    """A graded submission holding ``parts``."""
    return SubmissionResult("ada", "ada.ipynb", "graded", sum(p.points for p in parts),
                            sum(p.max_points for p in parts), parts=parts)


# --------------------------------------------------------------------------- 1. a note's cut


def _notes_output(note: str) -> str:
    """What ``results.json`` shows of ``note``, a note of a part with one failed public case, once
    the result is bounded as the runner bounds it (``grader.notes``, twenty-fourth session)."""
    case = CaseResult("c1", "assignment example", "public", FAILED, 0.0, 3.0, message="wrong values")
    part = PartResult("rnn_forward", "rnn_forward", FAILED, 0.0, 3.0, (case,), notes=(note,))
    output = gradescope_results(bounded_result(_result(part)))["tests"][0]["output"]
    return output.split("\n\nassignment example: failed")[0]


def test_a_note_of_characters_written_out_is_cut_where_it_is_written():
    """The 2,000-character cut was applied before the note's characters were written out: 5,000
    escape characters made an item of 8,000 (``\\x1b`` is four characters). Since the twenty-fourth
    session a note is cut once, where it is made, to ``MAX_NOTE_CHARS`` characters, and every
    report writes that same note: its item here is at most four characters a character."""
    shown = _notes_output("\x1b" * 5000)
    assert shown == "- " + visible_text(bounded_note("\x1b" * 5000))
    assert " [... 3,044 characters cut ...] " in shown and "\x1b" not in shown
    assert len(shown) <= 2 + 4 * MAX_NOTE_CHARS
    # a cut never falls inside a character written out; line ends stay lines
    note = "x\x00" + "\u202e" * 3000 + "\n" + "y" * 10
    shown = _notes_output(note)
    assert "\u202e" not in shown and "\x00" not in shown and shown.startswith("- x\\x00\\u202e")
    assert shown.endswith("\\u202e\n  yyyyyyyyyy") and " characters cut ...] " in shown
    lines = _notes_output("\x07\r\n" * 3000)
    assert "\x07" not in lines and "\r" not in lines and " characters cut ...] " in lines
    assert set(lines.replace(" [... 7,044 characters cut ...] ", "")[2:].split("\n  ")) <= {"\\x07", ""}
    # a note of line ends alone: each is written with the next line's indent, three characters
    ends = _notes_output("\n" * 5000)
    assert len(ends) <= 2 + 3 * MAX_NOTE_CHARS, len(ends)


def test_a_short_or_printable_note_is_shown_as_before():
    """Within the cut a note is written as before; a printable one is cut at 2,000 characters."""
    assert _notes_output("`rnn_forward` uses `x\x1b` from outside.\nSecond line.") == (
        "- `rnn_forward` uses `x\\x1b` from outside.\n  Second line.")
    long = "w" * 5000
    assert _notes_output(long) == f"- {long[:1467]} [... 3,044 characters cut ...] {long[:489]}"
    assert len(_notes_output(long)) <= 2 + MAX_NOTE_CHARS


# --------------------------------------------------------------------------- 2. a syntax error once


def test_feedback_html_says_a_defs_syntax_error_once(tmp_path, context, sandbox):
    """feedback.html repeated the syntax error of a def under each of the part's cases (it is
    also the part's note, just above them); feedback.md says it once, and so does the page now."""
    from grader.feedback_html import feedback_page
    from grader.report import feedback_markdown
    from grader.runner import grade_submission

    overrides = nbs.mutate("rnn_forward", "def rnn_forward(x, a0, parameters):", "def rnn_forward(x, a0, parameters)")
    path = nbs.write(tmp_path / "ada.ipynb", nbs.course_notebook(overrides))
    result = grade_submission(path, context=context, sandbox=sandbox, submission_id="ada")
    part = next(p for p in result.parts if p.function == "rnn_forward")
    assert part.status == ERROR and len(part.cases) > 1 and part.notes[0].startswith("Syntax error in cell")
    assert all(case.message == part.notes[0] for case in part.cases)  # what the page repeated
    page = feedback_page(result, notebook_path=path)
    assert page.count("Syntax error in cell") == 1
    assert feedback_markdown(result).count("Syntax error in cell") == 1
    # every case is still listed with its verdict: in one line since the thirty-second session
    # (report.all_cases_line), as a missing function's cases are
    block = page.split('id="grader-part-rnn_forward"', 1)[1].split("</section>", 1)[0]
    assert block.count('class="grader-fail"') == 1
    assert f"all {len(part.cases)} cases (assignment example and {len(part.cases) - 1} hidden): raised an error" in block


# --------------------------------------------------------------------------- 3. the Gradescope log


def test_the_gradescope_log_writes_out_a_tracebacks_terminal_escapes(tmp_path, monkeypatch):
    """The autograder's log printed a grader failure's traceback as it was: an exception message
    holding terminal escapes (a hostile notebook's text reaching the grader's exception) acted on
    the terminal that shows the log. They are written out, as ``--check`` writes its traceback."""
    import io

    from grader import batch
    from grader.gradescope import run_gradescope

    def broken(*args, **kwargs):
        raise RuntimeError("bad cell \x1b]0;pwned\x07\x1b[2J\rGrade: 100/100 \u202eok")

    monkeypatch.setattr(batch, "grade_submission", broken)
    root = tmp_path / "autograder"
    nbs.write(root / "submission" / "work.ipynb", nbs.course_notebook())
    stream = io.StringIO()
    run_gradescope(root=root, stream=stream)
    log = stream.getvalue()
    assert "Traceback (most recent call last)" in log
    assert "RuntimeError: bad cell \\x1b]0;pwned\\x07\\x1b[2J\\x0dGrade: 100/100 \\u202eok" in log
    assert all(line.isprintable() for line in log.split("\n")), log


# --------------------------------------------------------------------------- 4. the grader's place


def test_a_crash_message_ending_with_a_place_does_not_hide_the_graders_place():
    """Whether feedback.md and results.json add "At cell N, line M" was decided from the case's
    text: a crash's text ends with what the child said, which student code controls, so a message
    ending in "(cell 2, line 3, in rnn_forward)" hid the grader's own line. A crash's place is
    always said now; an error's, whose place the runner writes after the student's text, once."""
    from grader.models import CRASHED, Location
    from grader.report import feedback_markdown

    where = Location(1, 3, "rnn_forward")
    crashed = CaseResult("c1", "assignment example", "public", CRASHED, 0.0, 3.0, location=where,
                         message="The process running `rnn_forward` stopped: SystemExit fine "
                                 "(cell 2, line 3, in rnn_forward)")
    raised = CaseResult("c2", "second example", "public", ERROR, 0.0, 3.0, location=where,
                        message="Raised ValueError: (cell 2, line 3, in rnn_forward) (cell 2, line 3, in rnn_forward)")
    result = _result(PartResult("rnn_forward", "rnn_forward", CRASHED, 0.0, 6.0, (crashed, raised)))
    first, second = gradescope_results(result)["tests"]
    assert first["output"].endswith("\nAt cell 2, line 3, in rnn_forward.")
    assert "\nAt " not in second["output"]  # said by the runner's message already
    markdown = feedback_markdown(result)
    assert markdown.count("At cell 2, line 3, in rnn_forward.") == 1
    assert markdown.index("At cell 2, line 3") < markdown.index("second example")


# --------------------------------------------------------------------------- 5. the bonus's budget's end


def test_a_whole_evaluate_result_at_the_end_of_the_outputs_budget_counts(monkeypatch):
    """A cut between two outputs of a cell dropped the last line read as if the cut fell inside
    it: an ``evaluate``'s ``[loss, accuracy]`` (an ``execute_result``, which ends no line break but
    is a line of its own) read whole, followed by an output that did not fit (within 100
    characters of the budget's end, what an output costs), was not evidence."""
    from grader.imdb import score
    from tests.test_imdb_bounds import notebook, scored
    from tests.test_imdb_score import LOAD, LOAD_OUT, keras3_fit, model_cell

    result_list = "[0.34120306372642517, 0.8664300000000000]"
    after = "x" * 75 + "\n"
    cells = [("code", LOAD, LOAD_OUT), ("code", model_cell("lstm_model", "LSTM(32)")),
             ("code", "history = lstm_model.fit(x_train, y_train, epochs=2, validation_split=0.2)",
              tuple(keras3_fit([0.75, 0.88], [0.85, 0.87]))),
             ("code", "lstm_model.evaluate(x_test, y_test, verbose=0)\nprint(weights)", (result_list, after * 200))]
    assert [m.test_accuracy for m in scored(notebook(*cells)).models] == [0.86643]
    before = sum(score._output_cost(text) for cell in cells[:-1] if len(cell) > 2 for text in cell[2])
    for left in (0, 40, score.OUTPUT_COST):  # what the cell's second output finds of the budget
        monkeypatch.setattr(score, "MAX_OUTPUT_CHARS", before + score._output_cost(result_list) + left)
        result = scored(notebook(*cells))
        assert [m.test_accuracy for m in result.models] == [0.86643], left
        assert any("The outputs of cell 4 were not all read" in line for line in result.feedback)
    # a line the cut may have left open is still not read: a stream cut between two fragments
    stream = ("\r782/782 - accuracy: 0.8664", " - loss: 0.3412\n")
    assert score._whole_lines(stream[:1], score._open_end(stream[:1], stream)) == ()
    assert score._whole_lines(("[0.3, 0.8",), score._open_end(("[0.3, 0.8",), ("[0.3, 0.86]",))) == ()


# --------------------------------------------------------------------------- 6. functions.json in the key


def test_functions_json_written_for_a_kept_submission_is_listed_in_its_key(tmp_path):
    """The key of a folder lists every file in it (a run rewriting the folder lists even a stale
    functions.json it finds there), but a kept submission's functions.json, written by the first
    run with the similarity check after one without it, was left out of its key; now it is
    listed with the bytes written, and the next run still keeps the submission."""
    import hashlib
    import io
    import json

    from grader import commands
    from grader import classfiles
    from grader.incremental import KEY_FILE, files_intact

    subs, out = tmp_path / "subs", tmp_path / "out"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    options = {"jobs": 1, "class_report": False, "feedback_html": False, "stream": io.StringIO()}
    commands.grade_class(subs, out_dir=out, similarity=False, **options)
    folder = out / "ada"
    assert classfiles.SOURCES_FILE not in json.loads((folder / KEY_FILE).read_text())["files"]
    summary = commands.grade_class(subs, out_dir=out, similarity=True, **options)
    assert summary.skipped == summary.total == 1
    record = json.loads((folder / KEY_FILE).read_text())
    data = (folder / classfiles.SOURCES_FILE).read_bytes()
    assert record["files"][classfiles.SOURCES_FILE] == [len(data), hashlib.sha256(data).hexdigest()]
    assert files_intact(folder, record["files"])
    summary = commands.grade_class(subs, out_dir=out, similarity=True, **options)
    assert summary.skipped == summary.total == 1


# --------------------------------------------------------------------------- 7. cells not read in full


def test_a_hostile_bonus_cell_does_not_make_the_numpy_cells_listed_as_not_read(monkeypatch):
    """A bonus cell that prints past the bonus's budget leaves nothing for the other cells, and
    the feedback listed the NumPy part's cells among those "not read in full": true, but nothing
    the bonus looks in. Only the cells the bonus reads first (those that train, evaluate, print
    accuracies or speak of the bonus) are listed."""
    from grader.imdb import score
    from tests.test_imdb_bounds import bonus_cells, notebook, scored

    numpy_cells = [("code", f"a{k}, y{k}, caches{k} = rnn_forward(x, a0, parameters)\nprint(a{k}.shape)",
                    (f"(5, 10, {k + 4})\n",)) for k in range(3)]
    monkeypatch.setattr(score, "MAX_OUTPUT_CHARS", 200_000)  # the bonus cells hold about 20,000
    flood = ("code", "for epoch in range(10**9):\n    print('accuracy: 0.5 ' * 80)",
             ("accuracy: 0.5 " * 80 + "\n",) * 300)  # 336,000 characters
    cells = [*numpy_cells, *bonus_cells(), flood]
    result = scored(notebook(*cells))
    [line] = [f for f in result.feedback if "were not all read" in f]
    flood_cell = f"cell {len(cells)}"
    assert line.startswith(f"The outputs of {flood_cell} were not all read"), line
    assert not any(f"cell {k + 1}," in line or f"cell {k + 1} " in line for k in range(3)), line
    # the NumPy cells were cut all the same (nothing left for them): only the listing changed
    nb_cells = notebook(*cells).cells
    assoc = score._Associator(nb_cells, score.read_code(nb_cells))
    assoc.read()
    assert {0, 1, 2} <= set(assoc.cut_outputs) and not {0, 1, 2} & assoc.first_cells
