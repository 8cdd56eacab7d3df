"""Twenty-eighth session's review of new real notebooks (59 of /work/real28, graded once): the
patterns they showed, written by the tests from the course notebook (``tests/notebooks.py``) and
graded through the real grader; each test failed before its fix."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.extract import FunctionSource, extract
from grader.notebook import load
from tests import notebooks as nbs
from tests.test_live import course_module  # noqa: F401 - a fixture: rnn_utils importable
from tests.test_review_s23 import _grade
from tests.test_review_s24 import _check_and_grade

# --------------------------------------------------------------------------- n_x, m, T_x = None

#: The course's template leaves ``n_x, m, T_x = None`` for the student to fill with ``x.shape``:
#: one real notebook filled every other blank of ``lstm_forward`` and left this one. Unpacking
#: ``None`` can only raise, so the line is a blank as ``x = None`` is.
UNPACKED_BLANK = nbs.mutate("lstm_forward", "n_x, m, T_x = x.shape", "n_x, m, T_x = None")


def _lstm_forward(tmp_path: Path, source: str) -> FunctionSource:
    """The extraction's ``lstm_forward`` of the course notebook with that cell replaced."""
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook({"lstm_forward": source}))
    return extract(load(path)).functions["lstm_forward"]


def test_a_blank_left_as_a_tuple_unpacking_none_is_a_placeholder(tmp_path, context, sandbox):
    # Before: 'error', "Raised TypeError: cannot unpack non-iterable NoneType object", Python's
    # complaint, where the other blanks are named: the same 0 points, said as what is unfinished.
    result = _grade(tmp_path, nbs.course_notebook(UNPACKED_BLANK), context, sandbox)
    part = result.part("lstm_forward")
    assert part.status == "not_implemented", part.status
    assert part.points == 0
    assert any("`n_x, m, T_x = None`" in note for note in part.notes), part.notes
    assert result.part("lstm_cell_forward").points == result.part("lstm_cell_forward").max_points


@pytest.mark.parametrize("line", ["(n_x, m, T_x) = None", "[n_x, m, T_x] = None", "n_x, *rest = None"])
def test_every_target_that_unpacks_a_blank_is_a_placeholder(tmp_path, line):
    source = nbs.COURSE_CELLS["lstm_forward"].replace("n_x, m, T_x = x.shape", line)
    assert source != nbs.COURSE_CELLS["lstm_forward"]
    fn = _lstm_forward(tmp_path, source)
    assert fn.placeholder and "None" in fn.placeholder_detail, fn.placeholder_detail


@pytest.mark.parametrize("line", ["n_x, m, T_x = x.shape", "n_x, m, T_x = x.shape if x is not None else None"])
def test_a_tuple_unpacking_a_value_is_no_placeholder(tmp_path, line):
    source = nbs.COURSE_CELLS["lstm_forward"].replace("n_x, m, T_x = x.shape", line)
    fn = _lstm_forward(tmp_path, source)
    assert not fn.placeholder, fn.placeholder_detail


def test_check_says_what_the_grade_says_of_an_unpacked_blank(tmp_path, course_module, sandbox):  # noqa: F811
    live, graded, _ = _check_and_grade(nbs.course_notebook(UNPACKED_BLANK), tmp_path, sandbox)
    assert ("lstm_forward", "not_implemented") in graded, graded
    assert ("lstm_forward", "not_implemented") in live, live


# --------------------------------------------------------------------------- a loop's own "Epoch k/N"

#: A real notebook trained in a loop of its own that printed ``Epoch k/N`` and then its own
#: loss and accuracy lines (no Keras progress line): every epoch ran, and the bonus's feedback
#: said "stopped during an epoch (0 of 20 epochs completed)". Composed here with tf.keras, one
#: ``fit(epochs=1, verbose=0)`` a pass, as a student may write it.
def _own_loop_lines(epochs: int = 3) -> list[str]:
    lines: list[str] = []
    for e in range(1, epochs + 1):
        lines += [f"Epoch {e}/{epochs}", f"Train Loss: {0.6 - e / 10:.4f} | Train Acc: {0.7 + e / 20:.4f}",
                  f"Val   Loss: {0.5 - e / 20:.4f} | Val   Acc: {0.75 + e / 40:.4f}"]
    return lines


def test_epochs_a_loop_announces_itself_are_complete():
    from grader.imdb.outputs import FitLog, parse_events

    logs = [e for e in parse_events(_own_loop_lines()) if isinstance(e, FitLog)]
    assert [(log.completed, log.planned, log.interrupted) for log in logs] == [(3, 3, False)], logs


def test_a_loop_stopped_by_an_error_or_still_on_its_header_is_interrupted():
    from grader.imdb.outputs import FitLog, parse_events

    lines = _own_loop_lines()
    stopped = lines[:4] + ["KeyboardInterrupt: "]  # during epoch 2
    (log,) = [e for e in parse_events(stopped) if isinstance(e, FitLog)]
    assert (log.completed, log.interrupted) == (1, True), log
    running = lines[:7]  # the output ends on the header of epoch 3
    (log,) = [e for e in parse_events(running) if isinstance(e, FitLog)]
    assert (log.completed, log.interrupted) == (2, True), log
    (log,) = [e for e in parse_events(running, truncated=True) if isinstance(e, FitLog)]
    assert (log.completed, log.interrupted, len(log.epochs)) == (2, False, 2), log


def test_the_bonus_does_not_say_a_loop_of_its_own_stopped_mid_epoch():
    from tests.test_imdb_score import LOAD, LOAD_OUT, model_cell, notebook, result_of

    code = (model_cell("model", "LSTM(32)") + "\nfor epoch in range(3):\n    print(f'Epoch {epoch + 1}/3')\n"
            "    history = model.fit(x_train, y_train, epochs=1, validation_split=0.2, verbose=0)\n"
            "    h = history.history\n"
            "    print(f\"Train Loss: {h['loss'][0]:.4f} | Train Acc: {h['accuracy'][0]:.4f}\")\n"
            "    print(f\"Val   Loss: {h['val_loss'][0]:.4f} | Val   Acc: {h['val_accuracy'][0]:.4f}\")\n")
    result = result_of(notebook(
        ("code", LOAD, LOAD_OUT), ("code", code, ("\n".join(_own_loop_lines()) + "\n",)),
        ("code", "loss, acc = model.evaluate(x_test, y_test, verbose=0)\nprint('Test accuracy:', acc)",
         ("Test accuracy: 0.8612\n",))))
    (model,) = result.models
    assert (model.epochs_completed, model.interrupted) == (3, False), model
    assert not any("stopped during an epoch" in line for line in result.feedback), result.feedback
    assert "training stopped mid-epoch" not in result.flags
    assert model.val_accuracies == (0.775, 0.8, 0.825) and model.test_accuracy == pytest.approx(0.8612)


# --------------------------------------------------------------------------- a bare None left

#: The template's ``None`` where ``caches.append(cache)`` belongs, left in a ``lstm_forward``
#: otherwise complete (one real notebook): it runs, ``a``, ``y`` and ``c`` are right and earn
#: their points, and the feedback said only "`caches[0]` should have 7 elements, got 0".
BARE_NONE = nbs.mutate("lstm_forward", "caches.append(cache)", "None")


def test_a_statement_left_as_the_templates_none_is_named(tmp_path, context, sandbox):
    result = _grade(tmp_path, nbs.course_notebook(BARE_NONE), context, sandbox)
    part = result.part("lstm_forward")
    assert part.status == "failed" and 0 < part.points < part.max_points, (part.status, part.points)
    line = next(k for k, text in enumerate(BARE_NONE["lstm_forward"].split("\n"), 1) if text.strip() == "None")
    # Said with the notes on the notebook's code, above the parts (extraction's warnings).
    (note,) = [n for n in result.messages if "only `None`" in n]
    assert note.startswith("`lstm_forward` has a statement that is only `None`"), note
    assert f"line {line})" in note and "runs without that line" in note, note


def test_no_bare_none_note_for_right_code_or_for_a_placeholder(tmp_path, context, sandbox):
    result = _grade(tmp_path, nbs.course_notebook(), context, sandbox)
    assert not any("only `None`" in n for n in result.messages), result.messages
    blank = {"lstm_forward": BARE_NONE["lstm_forward"].replace("n_x, m, T_x = x.shape", "n_x, m, T_x = None")}
    result = _grade(tmp_path / "blank", nbs.course_notebook(blank), context, sandbox)
    assert result.part("lstm_forward").status == "not_implemented"
    assert not any("only `None`" in n for n in result.messages), result.messages  # its note says it all


# --------------------------------------------------------------------------- backward call hint

#: ``rnn_backward`` passing only the carried gradient (``da[:, :, t]`` dropped), as two real
#: notebooks did: the diagnosis told them to check "the previous hidden state, the slice of the
#: input", the words of a forward pass, where a backward step is given a gradient and a cache.
CARRIED_ONLY = nbs.mutate("rnn_backward", "rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])",
                          "rnn_cell_backward(da_prevt, caches[t])")


def test_a_backward_call_hint_speaks_of_gradients_not_only_of_the_hidden_state(tmp_path, context, sandbox):
    result = _grade(tmp_path, nbs.course_notebook(CARRIED_ONLY), context, sandbox)
    part = result.part("rnn_backward")
    assert part.status == "failed" and part.points == 0, (part.status, part.points)
    diagnosis = part.cases[0].diagnosis
    assert diagnosis is not None and "called `rnn_cell_backward` with inputs that differ" in diagnosis.message
    assert "in `da_next`" in diagnosis.message, diagnosis.message
    # Thirty-eighth session: the line's sentence says the fix, first; the general advice is not added to it.
    assert diagnosis.message.startswith("Line 17 passes `da_prevt`") and "Pass `da[:, :, t] + da_prevt`." \
        in diagnosis.message, diagnosis.message
    assert "hidden state" not in diagnosis.message, diagnosis.message


def test_a_forward_call_hint_keeps_its_words(tmp_path, context, sandbox):
    # The zeros of a[:, :, t] passed as a_prev (a real notebook): still the hidden state and the slice.
    zeros = nbs.mutate("rnn_forward", "rnn_cell_forward(x[:, :, t], a_next, parameters)",
                       "rnn_cell_forward(x[:, :, t], a[:, :, t], parameters)")
    result = _grade(tmp_path, nbs.course_notebook(zeros), context, sandbox)
    diagnosis = result.part("rnn_forward").cases[0].diagnosis
    assert diagnosis is not None and diagnosis.id == "unexpected-dependency-inputs", diagnosis
    assert diagnosis.message.startswith("Line 14 passes `a[:, :, t]` to `rnn_cell_forward`") and \
        diagnosis.message.endswith("(first at call 1, in `a_prev` (an array of zeros)).") and \
        "gradient" not in diagnosis.message, diagnosis.message
