"""The IMDB bonus's bounds: fair to an honest notebook that prints a lot, small in every output.

Eighth session (docs/imdb.md, "The bonus's readers"). The bounds on what the bonus reads of a
notebook's outputs and markdown were spent in cell order, so a big output before the bonus cells
(a printed array, a long log of another model) left the evidence of the bonus unread and its
accuracy points lost. They are now shared between the cells: those that train, evaluate or print
accuracies first, and the smaller outputs first. And every list or text the bonus takes from the
notebook into results.json, result.full.json, feedback.md and the class report is bounded.

The notebooks are built here; the hostile ones are checked on the work done (characters replayed,
parsed and read, claims checked), not on time.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from grader import classreport
from grader.imdb import ImdbConfig, score
from grader.imdb.claims import Claim
from grader.imdb.outputs import parse_events, render
from grader.models import SubmissionResult
from grader.notebook import Cell, Notebook
from grader.report import NOTES_OUTPUT_CHARS, feedback_markdown, gradescope_results, write_submission
from grader.rubric import load_rubric
from grader.runner import _grade_imdb
from tests.test_imdb_score import LOAD, LOAD_OUT, keras3_eval, keras3_fit, model_cell

REPO = Path(__file__).resolve().parent.parent
SPECS = [("rnn_model", "SimpleRNN(32)", [0.61, 0.74, 0.79], [0.70, 0.77, 0.78], 0.7791),
         ("lstm_model", "LSTM(32)", [0.75, 0.88, 0.92], [0.85, 0.87, 0.8712], 0.8664),
         ("gru_model", "GRU(32)", [0.74, 0.89, 0.93], [0.86, 0.88, 0.8790], 0.8759)]
REPORT = ("| model | test accuracy |\n|---|---|\n| SimpleRNN | 0.7791 |\n| LSTM | 0.8664 |\n"
          "| GRU | 0.8759 |\n")


def notebook(*cells: tuple) -> Notebook:
    """A notebook of ``(kind, source[, outputs])`` cells."""
    return Notebook(path="student.ipynb", nbformat=(4, 5), cells=tuple(
        Cell(k, c[0], c[1], tuple(c[2]) if len(c) > 2 else ()) for k, c in enumerate(cells)))


def bonus_cells(fit_logs: dict[str, list[str]] | None = None) -> list[tuple]:
    """The bonus as an honest student writes it: load, then per model a definition, a fit with
    its log (``fit_logs`` replaces a model's) and an evaluation, then a report table."""
    cells: list[tuple] = [("markdown", "## 6 BONUS: Sentiment Analysis"), ("code", LOAD, LOAD_OUT)]
    for var, layer, accs, vals, test in SPECS:
        log = (fit_logs or {}).get(var) or keras3_fit(accs, vals)
        cells += [("code", model_cell(var, layer)),
                  ("code", f"history = {var}.fit(x_train, y_train, epochs={len(accs)}, batch_size=64, "
                           f"validation_split=0.2)", tuple(log)),
                  ("code", f"{var}.evaluate(x_test, y_test)", tuple(keras3_eval(test)))]
    return cells + [("markdown", REPORT)]


def scored(nb: Notebook):
    """`score_imdb` with the default configuration and fresh memos."""
    score.clear_memos()
    return score.score_imdb(nb, config=ImdbConfig())


def item(result, name: str):
    """The scoring item ``name``."""
    return next(i for i in result.items if i.name == name)


def printed_array(chars: int) -> str:
    """What ``print(a)`` of a big float array shows (NumPy's layout, lines of 76 characters)."""
    line = "[" + " ".join(f"{0.1 + k / 1000:.8f}" for k in range(6)) + "]"  # 6 numbers of 10 + spaces
    line = (line + " " * 76)[:75] + "\n"
    return line * (chars // len(line))


# -- fairness: the bonus cells first, the smaller outputs first --------------------------------

@pytest.mark.parametrize("chars, bound", [(800_000, "lines read"), (17_000_000, "characters replayed")])
def test_an_honest_bonus_after_a_big_printed_array_earns_its_points(chars, bound):
    """A printed array over the notebook's bound (the lines read: 800 kB; the characters replayed:
    17 MB) before the bonus cells: before, the bonus's outputs were not read at all (0 accuracy
    points, every claim unverified); now the bonus cells are read first and earn everything."""
    numpy_part = ("code", "a, y, caches = rnn_forward(x, a0, parameters)\nprint(a)", (printed_array(chars),))
    r = scored(notebook(numpy_part, *bonus_cells()))
    assert item(r, "accuracy").points == 5 and r.points == 10, r.feedback
    assert [m.test_accuracy for m in r.models] == pytest.approx([0.7791, 0.8664, 0.8759], abs=1e-4)
    assert [c.status for c in r.claims] == ["verified"] * 3
    assert r.flags == ()
    # the NumPy part's cell is not one the bonus reads first: its cut is not the bonus's (ninth session)
    assert not any("were not all read" in f for f in r.feedback), r.feedback


def test_a_long_log_of_one_model_leaves_the_other_models_their_evidence():
    """The first model's fit log (80 epochs, every step written: about 34 MB to replay) is over
    the bound. The smaller outputs are read first: the other models and every evaluation keep
    their evidence; the long log is read as far as the bound allows, and being cut there is not
    taken for training stopped mid-epoch."""
    epochs = 80
    long_log = keras3_fit([0.6 + k / 1000 for k in range(epochs)], [0.7 + k / 1000 for k in range(epochs)],
                          updates=1600)
    assert sum(map(len, long_log)) + score.OUTPUT_COST * len(long_log) > 2 * score.MAX_OUTPUT_CHARS
    r = scored(notebook(*bonus_cells({"rnn_model": long_log})))
    assert [m.test_accuracy for m in r.models] == pytest.approx([0.7791, 0.8664, 0.8759], abs=1e-4)
    assert item(r, "accuracy").points == 5 and item(r, "alternatives").points == 3
    assert 0 < r.models[0].epochs_completed < epochs and not r.models[0].interrupted
    assert "training stopped mid-epoch" not in r.flags
    assert any(f.startswith("The outputs of cell 4 were not all read") for f in r.feedback), r.feedback


def test_markdown_that_speaks_of_accuracy_is_read_before_a_long_one():
    """440 kB of markdown (one long link; an image pasted as a data URL is not read at all since
    the twenty-seventh session, tests/test_lead_s27.py) before the report: the report is read
    (before, the long cell took the whole budget); what is left of the budget ends inside the
    link's one word, which is not read cut short."""
    link = ("markdown", "[figure](https://example.org/" + "iVBORw0KGgo" * 40_000 + ")")
    r = scored(notebook(link, *bonus_cells()))
    assert [c.status for c in r.claims] == ["verified"] * 3
    assert any(f.startswith("Markdown cell 1 (not read) was not read in full") for f in r.feedback), r.feedback
    words = ("markdown", "Some words about the figure. " * 12_000)
    r = scored(notebook(words, *bonus_cells()))
    assert [c.status for c in r.claims] == ["verified"] * 3
    (note,) = [f for f in r.feedback if f.startswith("Markdown cell 1 (its first ")]
    kept = int(re.match(r"Markdown cell 1 \(its first ([\d,]+) characters\)", note).group(1).replace(",", ""))
    assert 300_000 - 40 - len(REPORT) <= kept <= 300_000 - len(REPORT) - len("## 6 BONUS: Sentiment Analysis")
    assert " " in words[1][kept - 1:kept + 1]  # whole words only


def test_a_cut_log_is_not_taken_for_training_stopped_mid_epoch():
    """`parse_events(truncated=True)`: the epoch open where the lines end is left out, unjudged;
    a real interruption (KeyboardInterrupt) is still one."""
    lines = render(keras3_fit([0.8, 0.85, 0.9], [0.8, 0.84, 0.86], updates=4))
    open_epoch = lines[:-1] + ["100/313 ━━━━━━━━━━━━━━━━━━━━ 41s 130ms/step - accuracy: 0.9000 - loss: 0.3"]
    (log,) = parse_events(open_epoch)
    assert log.interrupted and log.completed == 2
    (log,) = parse_events(open_epoch, truncated=True)
    assert not log.interrupted and log.completed == 2 and len(log.epochs) == 2
    (log,) = parse_events(open_epoch + ["KeyboardInterrupt:"], truncated=True)
    assert log.interrupted


def test_the_cells_read_first_are_the_bonus_cells_not_the_numpy_part():
    """`_bonus_code`: the words of the bonus's code (a helper that trains, a summary, a script's
    log), not the NumPy part's test cells."""
    bonus = ["history = train(build('gru'))", "model.summary()", "!python train.py --epochs 3",
             "  %run experiments.py", "for m in models:\n    m.fit(x, y)", "r = evaluate_all(LSTM)",
             "print(hist.history['val_accuracy'])", "(x, y), _ = imdb.load_data()"]
    numpy_part = ["np.random.seed(1)\n# test cell for lstm_forward\nprint('lstm_forward:', a[4][3][6])",
                  "a, y, caches = rnn_forward(x, a0, parameters)\nprint(a)", "x = 1  # not a shell !command"]
    assert [score._bonus_code(c) for c in bonus] == [True] * len(bonus)
    assert [score._bonus_code(c) for c in numpy_part] == [False] * len(numpy_part)


def test_budgets_read_every_cell_in_full_when_they_fit_and_the_first_tier_first():
    """`_share`: whatever the sizes given (they only order the cells), cells that fit together
    are all read in full; over the budget, tier 0 first, then the smaller first."""
    def take(text, allowance):
        kept = text[:allowance]
        return kept, allowance - len(kept), len(kept) < len(text)

    texts = {0: "a" * 50, 1: "b" * 10, 2: "c" * 30}
    entries = [(0, 1, 0, texts[0]), (0, 99, 1, texts[1]), (1, 0, 2, texts[2])]  # sizes wrong on purpose
    assert score._share(entries, 90, take) == (texts, ())
    read, cut = score._share([(0, len(t), i, t) if i != 2 else (1, 30, 2, t) for i, t in texts.items()], 70, take)
    assert read == {1: "b" * 10, 0: "a" * 50, 2: "c" * 10} and cut == (2,)
    read, cut = score._share([(0, len(t), i, t) for i, t in texts.items()], 45, take)
    assert read == {1: "b" * 10, 2: "c" * 30, 0: "a" * 5} and cut == (0,)


# -- hostile shapes: bounded work -------------------------------------------------------------

class _Counting:
    """A memo stand-in that counts what it is given (characters, calls) and computes."""

    def __init__(self, fn, measure):
        """``measure(args)``: what one call counts."""
        self.fn, self.measure, self.total, self.calls = fn, measure, 0, 0

    def clear(self) -> None:
        """Nothing to empty (as a memo's)."""

    def __call__(self, *args):
        """``fn(*args)``, counted."""
        self.total += self.measure(args)
        self.calls += 1
        return self.fn(*args)


def _lines_cost(args) -> int:
    """What `_cut_lines` charges for the lines parsed."""
    return sum(min(len(line), score.MAX_LINE_CHARS) + score.LINE_COST for line in args[0])


_TRAIN = ("model = Sequential([Embedding(10000, 32), LSTM(32), Dense(1)])\n"
          "model.fit(x, y, epochs=2, validation_split=0.2)\nprint('test accuracy', model.evaluate(xt, yt)[1])\n")
_LOG = ("Epoch 1/2\n625/625 - 10s - loss: 0.5 - accuracy: 0.75 - val_loss: 0.4 - val_accuracy: 0.83\n"
        "Epoch 2/2\n625/625 - 10s - loss: 0.3 - accuracy: 0.88 - val_loss: 0.35 - val_accuracy: 0.86\n"
        "test accuracy 0.8534\n")
_HOSTILE = {
    "many huge cells": lambda: [("code", _TRAIN, (_LOG + "LSTM test accuracy: 0.85\n" * 60_000,))] * 40,
    "one huge cell": lambda: [("code", _TRAIN, (_LOG + "GRU acc 0.5 \n\x08" * 3_000_000,))],
    "many claims": lambda: [("code", _TRAIN, (_LOG,))] + [
        ("markdown", "".join(f"- LSTM test accuracy 0.{k:05d}\n" for k in range(j, 100_000, 4)))
        for j in range(4)],
    "many small cells": lambda: [("code", _TRAIN, (_LOG,))] * 2000 + [("markdown", "GRU acc 0.8 " * 100)] * 2000,
    "many outputs": lambda: [("code", _TRAIN, ("LSTM acc 0.9\n",) * 300_000)],
}


@pytest.mark.parametrize("shape", sorted(_HOSTILE))
def test_hostile_notebooks_are_read_within_the_bounds(shape, monkeypatch):
    """Whatever the shape, the characters replayed, the lines parsed, the markdown read and the
    claims checked stay within the notebook's bounds."""
    replayed = _Counting(score._render, lambda args: sum(map(len, args[0])) + score.OUTPUT_COST * len(args[0]))
    parsed = _Counting(score._read_outputs, _lines_cost)
    markdown = _Counting(score._markdown_claims, lambda args: len(args[0]))
    checked = _Counting(score._check_claim, lambda args: 1)
    monkeypatch.setattr(score, "_RENDER_MEMO", replayed)
    monkeypatch.setattr(score, "_OUTPUTS_MEMO", parsed)
    monkeypatch.setattr(score, "_MARKDOWN_MEMO", markdown)
    monkeypatch.setattr(score, "_check_claim", checked)
    r = scored(notebook(*_HOSTILE[shape]()))
    assert replayed.total <= score.MAX_OUTPUT_CHARS
    assert parsed.total <= score.MAX_OUTPUT_LINE_CHARS
    assert markdown.total <= score.MAX_MARKDOWN_CHARS
    assert checked.calls == len(r.claims) <= score.MAX_CLAIMS
    assert len(r.feedback) <= 60 and max(map(len, r.feedback)) <= 1200, r.feedback


def test_claims_past_the_bound_are_chosen_per_alternative_in_turn_without_repeats():
    """`_select_claims`: named alternatives in turn, a repeated claim once, then the unnamed; the
    chosen keep their order."""
    def claim(alt, value, kind="test"):
        return Claim("m", alt, kind, value, f"{alt} {value}", 0.0001)

    claims = ([claim("LSTM", 0.8)] * 50 + [claim("LSTM", 0.81 + k / 1000) for k in range(50)]
              + [claim(None, 0.7), claim("GRU", 0.85), claim("SimpleRNN", 0.75), claim("GRU", 0.86)])
    chosen = score._select_claims(claims, 5)
    assert [(c.alternative, c.value) for c in chosen] == [
        ("LSTM", 0.8), ("LSTM", 0.81), ("GRU", 0.85), ("SimpleRNN", 0.75), ("GRU", 0.86)]
    everything = score._select_claims(claims, 10_000)  # 50 repeats of one claim count once
    assert everything == claims[49:]


# -- bounded outputs: a notebook that claims 100,000 accuracies --------------------------------

def _hundred_thousand_accuracies() -> Notebook:
    """Every way the bonus takes a list or a text from a notebook, each 100,000 times over (or as
    far as the notebook's bounds let): claims, printed accuracies, fit logs of distinct models,
    models validating on the test set or without validation, cells that do not parse, models
    stopped mid-epoch, validation shares, long labels."""
    fits = "".join(f"LSTM x{k}\nEpoch 1/2\n625/625 - 10s - loss: 0.5 - accuracy: 0.75 - val_loss: 0.4 - "
                   f"val_accuracy: 0.{k:04d}\nEpoch 2/2\n100/625 - ETA: 5s - loss: 0.4 - accuracy: 0.8\n"
                   f"KeyboardInterrupt\n" for k in range(1, 10_000))
    cells = [("code", f"model.fit(x_train, y_train, epochs=2, validation_split=0.{k:04d})\n"
                       f"m.evaluate(x_test, y_test)\nif x:", (_LOG,)) for k in range(1, 500)]
    cells += [("code", _TRAIN, (_LOG + "".join(f"LSTM test accuracy: 0.{k:05d}\n" for k in range(100_000)),)),
              ("code", "!python train.py", (fits,)),
              ("markdown", "".join(f"- {'Bidirectional ' * 30}GRU test accuracy 0.{k:05d} " + "x" * 300 + "\n"
                                   for k in range(100_000)))]
    return notebook(*cells)


def test_a_notebook_claiming_100000_accuracies_writes_small_outputs(tmp_path):
    """results.json, result.full.json, feedback.md and the class report hold a few of each list
    (the best or first few, the rest counted), never tens of thousands of values."""
    score.clear_memos()
    part = _grade_imdb(_hundred_thousand_accuracies(), ImdbConfig(), {})
    result = SubmissionResult(submission_id="hostile", path="hostile.ipynb", status="graded",
                              points=part.points, max_points=100.0, parts=(part,))
    folder = write_submission(result, tmp_path)
    sizes = {name: (folder / name).stat().st_size for name in ("results.json", "result.full.json", "feedback.md")}
    assert all(size < 12_000 for size in sizes.values()), sizes
    assert len(part.notes) <= 60 and max(map(len, part.notes)) <= 1200
    first, *others = json.loads((folder / "results.json").read_text())["tests"]
    assert len(first["output"]) < NOTES_OUTPUT_CHARS + 600  # the part's notes, said once, then its case
    assert all(len(test["output"]) < 600 for test in others)
    notes = "\n".join(part.notes)
    for said in ("more trained models are not listed", "more reported accuracies are contradicted",
                 "The training of", "more cells", "were not checked"):
        assert said in notes, said
    assert len(feedback_markdown(result).encode()) == sizes["feedback.md"]
    assert len(json.dumps(gradescope_results(result))) < 12_000
    rubric = load_rubric(REPO / "rubrics" / "rnn.yaml")
    page = classreport.class_report_html([result], rubric=rubric)
    assert len(re.sub(r"<svg.*?</svg>", "", page, flags=re.S)) < 40_000  # the charts' size is fixed


def test_report_files_read_are_bounded_and_the_rest_counted():
    """A folder of many report files: the shallowest few are read, the others counted."""
    files = {f"d{k:03d}/imdb_report.json": json.dumps({"LSTM": 0.8534}).encode() for k in range(200)}
    files["imdb_report.json"] = json.dumps({"GRU": 0.86}).encode()
    score.clear_memos()
    r = score.score_imdb(notebook(("code", _TRAIN, (_LOG,))), config=ImdbConfig(), extra_files=files)
    assert [c.alternative for c in r.claims] == ["LSTM", "LSTM", "GRU"]  # d000, d001, then the top one
    assert any(f"{201 - score.MAX_REPORT_FILES} more report files" in f for f in r.feedback), r.feedback
