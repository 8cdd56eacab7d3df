"""Scoring the IMDB bonus: evidence from code and outputs, the student's claims, points.

`score_imdb` never runs student code.  It reads the code cells with `ast`
(`grader.imdb.source`), replays the stored outputs (`grader.imdb.outputs`),
associates each fit log, evaluation and accuracy print with the model that
produced it (by variable name and cell order, then by the alternative named in a
summary or a print), then checks every claimed accuracy (`grader.imdb.claims`)
against those outputs.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

import numpy as np

from grader.imdb.claims import (REPORT_FILES, Claim, Statement, claims_from_markdown, claims_from_report,
                                read_report_file, without_images)
from grader.imdb.config import ImdbConfig
from grader.imdb.labels import distinct, family, is_recurrent
from grader.imdb.outputs import (AccuracyPrint, Epoch, Evaluation, FitLog, Label, Summary, ends_line, parse_events,
                                  Number, parse_number, render)
from grader.imdb.source import HELD_TEXT, CodeFacts, EvalCall, FitCall, read_code
from grader.models import Location, cell_words
from grader.notebook import SourceMemo, skipped_code

__all__ = ["ModelEvidence", "ScoreItem", "ImdbResult", "score_imdb"]


@dataclass(frozen=True)
class ModelEvidence:
    """What the notebook shows about one trained model.

    ``alternative`` is its recurrent layers as a label (``"LSTM"``, ``"Bidirectional(GRU)"``,
    ``"SimpleRNN x2"``), ``None`` when it could not be told; ``alternative_from`` says how it
    was told (``"code"``, ``"summary"``, ``"output"``).  ``validation_source`` is ``"train"``,
    ``"test"``, ``"fit"`` (the data the model trains on), ``"none"`` or ``"unknown"``.
    Accuracies are fractions; ``test_accuracy`` is the best one the outputs show for this model,
    ``best_val_accuracy`` the best over the completed epochs.  ``cells`` are 0-based cell indices.
    """

    name: str | None
    alternative: str | None
    alternative_from: str
    validation: str
    validation_source: str
    validation_fraction: float | None
    epochs_completed: int
    epochs_planned: int | None
    interrupted: bool
    best_val_accuracy: float | None
    test_accuracy: float | None
    val_accuracies: tuple[float, ...]
    test_accuracies: tuple[float, ...]
    cells: tuple[int, ...]
    has_output: bool


@dataclass(frozen=True)
class ScoreItem:
    """One scoring item for the gradebook: ``name``, points earned, its maximum, and why."""

    name: str
    points: float
    max_points: float
    message: str


#: ``ImdbResult.status`` of a bonus written with PyTorch (the assignment asks for tf.keras) and its flag.
OTHER_FRAMEWORK = "other_framework"
NOT_KERAS = "not tf.keras"


@dataclass(frozen=True)
class ImdbResult:
    """The bonus's score with its evidence.

    ``status``: ``"graded"``; ``"absent"`` (no bonus in the notebook: zero points, one feedback
    sentence saying it was not attempted, no items and no flags); ``"other_framework"`` (trained with
    PyTorch, not read: zero points, one sentence, no items, the flag ``"not tf.keras"``);
    ``"code_only"`` (the bonus cells have no outputs: scored from code and text only).
    """

    points: float
    max_points: float
    status: str
    models: tuple[ModelEvidence, ...]
    claims: tuple[Claim, ...]
    flags: tuple[str, ...]
    feedback: tuple[str, ...]
    items: tuple[ScoreItem, ...]
    part: str = "imdb_report"


@dataclass
class _Run:
    """A model being associated with its outputs (mutable while reading the notebook)."""

    fit: FitCall | None
    cell: int
    var: str | None
    alternative: str | None
    alternative_from: str
    log: FitLog | None = None
    tests: list[tuple[float, str]] = field(default_factory=list)
    vals: list[tuple[float, str]] = field(default_factory=list)
    train_evals: list[float] = field(default_factory=list)
    cells: set[int] = field(default_factory=set)

    @property
    def trained(self) -> bool:
        """Outputs show this model ran (a fit log, or accuracies printed for it)."""
        return self.log is not None or bool(self.tests) or bool(self.vals)


def _fmt(x: float | None) -> str:
    """An accuracy for messages, four decimals."""
    return "n/a" if x is None else f"{x:.4f}"


def _cell(cell: Any, *, heading: bool = False) -> str:
    """A cell as the rest of the feedback names it, counted from 1 with the ``In [n]`` prompt the
    saved notebook shows beside it: ``"cell 23 (In [17])"`` in a sentence (``models.cell_words``),
    ``"cell 23, In [17]"`` with ``heading``, inside parentheses ("LSTM (cell 23, In [17]): ...",
    ``Location.cell_label``)."""
    prompt = getattr(cell, "prompt", None)
    if heading:
        return Location(cell=cell.index, line=None, prompt=prompt).cell_label()
    return cell_words(cell.index, prompt)


def _cell_namer(cells: Sequence[Any]) -> Any:
    """``_cell`` for a 0-based cell index of ``cells`` (a notebook's, in order)."""
    def name(index: int, *, heading: bool = False) -> str:
        held = cells[index] if 0 <= index < len(cells) else None
        if held is not None and held.index == index:
            return _cell(held, heading=heading)
        return cell_words(index)
    return name


def _cell_listing(names: Sequence[str]) -> str:
    """Cells' names in heading words (``_cell(heading=True)``) listed: with "; " between them when
    one holds a prompt's comma ("cell 2, In [1]; cell 5, In [3]"), else ", "."""
    return _listing(names, "cells", sep="; " if any(", In [" in name for name in names) else ", ")


def _listing(items: Sequence[str], noun: str = "", *, sep: str = ", ") -> str:
    """``items`` joined by ``sep``, at most `MAX_LISTED` of them, the rest counted (``"a, b, c
    and 12 more"``; ``noun`` names what the rest are: ``"... and 12 more cells"``)."""
    if len(items) <= MAX_LISTED:
        return sep.join(items)
    return sep.join(items[:MAX_LISTED]) + f" and {len(items) - MAX_LISTED:,} more" + (f" {noun}" if noun else "")


def _listed_models(models: Sequence[ModelEvidence]) -> list[ModelEvidence]:
    """The models the feedback has a line for, in their order: all when they are at most
    `MAX_MODEL_LINES`, else the best of each alternative first (by test accuracy, then best
    validation accuracy), then the others in order, up to `MAX_MODEL_LINES`."""
    if len(models) <= MAX_MODEL_LINES:
        return list(models)

    def rank(m: ModelEvidence) -> tuple[float, float]:
        """Test accuracy, then best validation accuracy (-1 when not shown)."""
        return (-1.0 if m.test_accuracy is None else m.test_accuracy,
                -1.0 if m.best_val_accuracy is None else m.best_val_accuracy)

    best: dict[str | None, int] = {}
    for k, m in enumerate(models):
        if m.alternative not in best or rank(m) > rank(models[best[m.alternative]]):
            best[m.alternative] = k
    chosen = sorted(best.values())[:MAX_MODEL_LINES]
    taken = set(chosen)
    chosen += [k for k in range(len(models)) if k not in taken][:MAX_MODEL_LINES - len(chosen)]
    return [models[k] for k in sorted(chosen)]


def _unshown_validation(printed: Sequence[ModelEvidence], config: ImdbConfig, *, cell_name: Any) -> str:
    """The feedback for models whose validation accuracies are printed from data the code does
    not show to be a share of the training set (a loop written by hand, ``validation_data`` of
    unknown origin): "no validation split was found" alone told a student who had one nothing.
    Where it came from is said as far as the grader knows, and what to do either way."""
    seen = _listing([f"{_quoted(m.alternative or 'model')} in {cell_name(m.cells[0]) if m.cells else 'a cell'}: "
                     f"best {_fmt(m.best_val_accuracy)}"
                     + ("" if m.validation == "not shown" else f", {_quoted(m.validation)}")
                     for m in printed], "models", sep="; ")
    # A sentence stating the share counts beside a fit's validation_data the grader cannot trace
    # ("unknown"), not for a loop written by hand ("none": no fit at all).
    said = any(m.validation_source == "unknown" for m in printed)
    return (f"Validation accuracies are printed ({seen}), but the code does not show where that validation "
            f"data comes from, so the {config.validation_points:g} validation points were not given. The grader "
            "reads it from Keras's fit(validation_split=0.2) or fit(validation_data=...) taken from the "
            "training set" + (", with a sentence such as \"20% of the training data for validation\" when "
                              "the grader cannot trace validation_data" if said else "")
            + ". If your validation set holds test reviews (split from the 50,000 reviews pooled, or from the "
            "test set), the test set is no longer unseen until the final evaluation: split it from the 25,000 "
            "training reviews only, and say how much you held out.")


def _validates_on_training(models: Sequence[ModelEvidence], config: ImdbConfig, *, cell_name: Any) -> str:
    """The feedback for models whose ``fit`` validates on the very data it trains on
    (``validation_data=(x_train, y_train)``): read as "from the training set, size not stated",
    such a model earned part of the validation points and was told to state the share."""
    where = _listing([f"{_quoted(m.alternative or 'model')} in {cell_name(m.cells[0]) if m.cells else 'a cell'} "
                      f"({_quoted(m.validation)})" for m in models], "models", sep="; ")
    return (f"Validation on the data the model trains on: {where}. The validation accuracy then shows how well "
            f"the model fits the reviews it learns from, not how it does on reviews it has not seen, so this "
            f"validation earns none of the {config.validation_points:g} validation points. Hold out a share of the "
            f"training data instead: fit(x_train, y_train, validation_split=0.2), or validation_data from a slice "
            f"of the training set that the model does not train on.")


def _quoted(text: str) -> str:
    """A text the student wrote, cut to `MAX_QUOTED` characters for the feedback."""
    return text if len(text) <= MAX_QUOTED else text[:MAX_QUOTED - 3] + "..."


class _Associator:
    """Reads the cells in order and builds `_Run`s with their evidence."""

    fit_cells: frozenset[int] = frozenset()  # the cells with a fit or evaluate call

    def __init__(self, cells: Sequence[Any], facts: CodeFacts) -> None:
        """Prepare per-cell lists of the code's fit and evaluate calls."""
        self.cells = cells
        self.facts = facts
        self.runs: list[_Run] = []
        self.literal_claims: list[Claim] = []
        self.literal_values: dict[int, list[float]] = {}  # cell -> its literals as accuracies, sorted
        self.fits: dict[int, list[FitCall]] = {}
        self.evals: dict[int, list[EvalCall]] = {}
        for f in facts.fits:
            self.fits.setdefault(f.cell, []).append(f)
        for e in facts.evals:
            self.evals.setdefault(e.cell, []).append(e)
        self.fit_cells = frozenset(self.fits) | frozenset(self.evals)
        self.any_log = False
        self.statements: list[Statement] = []
        self.cut_outputs: tuple[int, ...] = ()  # the cells whose outputs were not all read
        self.first_cells: frozenset[int] = frozenset()  # the cells whose outputs are read first

    def new_run(self, fit: FitCall | None, cell: int, hint: tuple[str, str] | None) -> _Run:
        """A run for a fit call (or for a fit log that no code explains)."""
        alternative, source = None, ""
        if fit is not None and fit.alternative and not (fit.in_loop and hint):
            alternative, source = fit.alternative, "code"
        elif hint is not None:
            alternative, source = hint
        elif fit is not None and fit.layers == () and fit.model is not None:
            alternative, source = None, ""
        run = _Run(fit=fit, cell=cell, var=fit.model if fit else None, alternative=alternative,
                   alternative_from=source)
        run.cells.add(cell)
        self.runs.append(run)
        return run

    def by_var(self, var: str | None, cell_runs: list[_Run]) -> _Run | None:
        """The latest run of model variable ``var``, this cell first."""
        if var is None:
            return None
        for run in reversed(cell_runs):
            if run.var == var:
                return run
        for run in reversed(self.runs):
            if run.var == var:
                return run
        return None

    def by_label(self, label: str, current: _Run | None) -> _Run | None:
        """The latest run of alternative ``label`` (exact, then without stacking counts)."""
        for test in (lambda r: r.alternative == label, lambda r: family(r.alternative) == family(label)):
            for run in reversed(self.runs):
                if test(run):
                    return run
        if current is not None and current.alternative is None:
            current.alternative, current.alternative_from = label, "output"
            return current
        return None

    def read(self) -> None:
        """Associate every cell's outputs with runs, in cell order, within the bonus's bounds on
        outputs: which cells' outputs are read, and how much of each, is decided first for the
        whole notebook (`_plan_outputs`: the cells that train, evaluate or print accuracies first)."""
        plan, self.cut_outputs, self.first_cells = _plan_outputs(self.cells, self.fit_cells)
        for cell in self.cells:
            if cell.kind != "code":
                continue
            lines = plan.get(cell.index)
            if lines is None:  # no outputs
                self.read_cell(cell, ())
                continue
            context = ("acc" in cell.source.lower() if cell.source.isascii()  # as the regex, faster
                       else bool(_ACC_WORD.search(cell.source)))
            notes, events = (_OUTPUTS_MEMO(lines, context, True) if cell.index in self.cut_outputs
                             else _OUTPUTS_MEMO(lines, context))
            for fraction, text in notes:
                self.statements.append(Statement(f"output of {_cell(cell)}", fraction, "train", text))
            self.read_cell(cell, events)

    def read_cell(self, cell: Any, events: Sequence[object]) -> None:
        """Associate one cell's events with the runs of its fit calls."""
        fits = self.fits.get(cell.index, [])
        evals = self.evals.get(cell.index, [])
        logs = [e for e in events if isinstance(e, FitLog)]
        self.any_log = self.any_log or bool(logs)
        cell_runs: list[_Run] = []
        used: set[int] = set()
        pointer = 0
        current: _Run | None = None

        def silent(before: float) -> None:
            """Without fit logs in the cell: runs for the fits the code makes before ``before``
            (an evaluate call's order) and that print nothing (``verbose=0``)."""
            nonlocal pointer
            while not logs and pointer < len(fits) and fits[pointer].order < before \
                    and not _prints_one_line(fits[pointer]):
                used.add(id(fits[pointer]))
                cell_runs.append(self.new_run(fits[pointer], cell.index, None))
                pointer += 1

        hint: tuple[str, str] | None = None
        eval_ptr = print_ptr = 0
        logs_left = len(logs)
        for event in events:
            if isinstance(event, Summary):
                if event.label:
                    hint = (event.label, "summary")
            elif isinstance(event, Label):
                if hint is None or hint[1] != "summary":
                    hint = (event.label, "output")
            elif isinstance(event, FitLog):
                fit = None
                if pointer < len(fits):
                    fit = fits[pointer]
                    if not (fit.in_loop and logs_left > len(fits) - pointer):
                        pointer += 1
                elif fits and fits[-1].in_loop:
                    fit = fits[-1]
                logs_left -= 1
                if fit is not None:
                    used.add(id(fit))
                run = self.new_run(fit, cell.index, hint)
                run.log = event
                run.vals.extend((v, f"validation accuracy of epoch {e.number} ({_cell(cell, heading=True)})")
                                for e in event.epochs if e.complete and (v := e.val_acc) is not None)
                cell_runs.append(run)
                current, hint = run, None
            elif isinstance(event, Evaluation):
                if self.is_literal(cell.index, event.acc):
                    # ``print([0.3, 0.91])``, a progress line in a string: what an evaluate
                    # prints, typed; a claim, as any accuracy the cell's code spells out
                    self.literal_claims.append(Claim(
                        source=f"text printed by {_cell(cell)}", alternative=None, kind="test",
                        value=event.acc.value, text=event.acc.text, tolerance=event.acc.tolerance))
                    continue
                if event.form == "list" and not evals and not self.shows_evaluation(cell.source):
                    continue  # two numbers, not an evaluate result: a shape, axis limits, a history
                before = evals[eval_ptr].order if eval_ptr < len(evals) else float("inf")
                silent(before)
                if event.form == "progress" and not logs and pointer < len(fits) and \
                        _prints_one_line(fits[pointer]) and fits[pointer].order < before:
                    # a one-epoch fit without validation (Keras 3 prints no "Epoch 1/1"): the
                    # code runs this fit before any evaluate, so the line is its training log
                    fit = fits[pointer]
                    pointer += 1
                    used.add(id(fit))
                    run = self.new_run(fit, cell.index, hint)
                    run.log = FitLog(line=event.line, epochs=(Epoch(1, 1, event.acc.value, None, True),),
                                     planned=1, interrupted=False)
                    cell_runs.append(run)
                    current, hint = run, None
                    self.any_log = True
                    continue
                call = evals[min(eval_ptr, len(evals) - 1)] if evals else None
                eval_ptr += 1
                run = self.resolve(current, call, cell_runs, hint)
                desc = f"evaluate output in {_cell(cell)}"
                if call is not None and call.on == "train":
                    run.train_evals.append(event.acc.value)
                else:
                    run.tests.append((event.acc.value, desc))
                run.cells.add(cell.index)
            elif isinstance(event, AccuracyPrint):
                if self.is_literal(cell.index, event.acc):
                    self.literal_claims.append(Claim(
                        source=f"text printed by {_cell(cell)}", alternative=event.label,
                        kind=event.kind if event.kind != "train" else "", value=event.acc.value,
                        text=event.text, tolerance=event.acc.tolerance))
                    continue
                if event.kind == "train":
                    continue
                call = evals[min(print_ptr, len(evals) - 1)] if evals else None
                print_ptr += 1
                silent(call.order + 0.5 if call is not None else float("inf"))
                run = self.by_label(event.label, current) if event.label else None
                if run is None:
                    run = self.resolve(current, call, cell_runs, hint if event.label is None else
                                       (event.label, "output"))
                desc = f"printed in {_cell(cell)}: {event.text!r}"
                (run.vals if event.kind == "val" else run.tests).append((event.acc.value, desc))
                run.cells.add(cell.index)
        for fit in fits:
            if id(fit) not in used:  # a fit whose log is not in the outputs (verbose=0, or not reached)
                cell_runs.append(self.new_run(fit, cell.index, None))

    def shows_evaluation(self, source: str) -> bool:
        """Whether a cell that calls no ``evaluate`` names a variable bound to an evaluate result
        (``score``, after ``score = model.evaluate(...)``): only then is a bare pair of numbers in its
        outputs an evaluation (``pred.shape`` shows ``(12500, 1)``, ``ax.set_ylim(...)`` ``(0.5, 1.0)``:
        thirty-first session, each read as a test accuracy of 1.0)."""
        return any(re.search(rf"\b{re.escape(name)}\b", source) for name in self.facts.eval_results)

    def resolve(self, current: _Run | None, call: EvalCall | None, cell_runs: list[_Run],
                hint: tuple[str, str] | None) -> _Run:
        """The run an evaluation or an unlabelled print belongs to: the cell's run of the
        evaluated variable, else the model whose log came last in this cell, else the latest
        run of that variable, else the latest run."""
        if call is not None and call.model is not None:
            for run in reversed(cell_runs):
                if run.var == call.model:
                    return run
        if current is not None:
            return current
        run = self.by_var(call.model, cell_runs) if call is not None else None
        if run is not None:
            return run
        if cell_runs:
            return cell_runs[-1]
        if self.runs:
            return self.runs[-1]
        return self.new_run(None, call.cell if call else -1, hint)

    def is_literal(self, cell: int, acc: Number) -> bool:
        """True when the printed number is written literally in the cell's code: the same
        accuracy to the digits printed, however formatted (``f"{0.91:.4f}"`` prints ``0.9100``,
        ``f"{0.913:.1%}"`` ``91.3%``: compared as text, they were evidence)."""
        digits = acc.text.rstrip("%")
        if "." not in digits:
            return False
        values = self.literal_values.get(cell)
        if values is None:
            values = self.literal_values[cell] = sorted(
                number.value for text in self.facts.literals.get(cell, frozenset())
                if (number := parse_number(text.rstrip("%"), text.endswith("%"))) is not None)
        half = acc.tolerance / 2 + 1e-12
        at = bisect.bisect_left(values, acc.value - half)
        return at < len(values) and values[at] <= acc.value + half


_SPLIT_NOTE = re.compile(r"validation_split\s*[=:]\s*(\d*\.\d+)")
_ACC_WORD = re.compile(r"acc", re.I)


#: How much of a notebook's outputs the bonus reads (docs/imdb.md "The bonus's readers"):
#: characters of stored outputs rendered, where a line break, a carriage return or a run of
#: backspaces counts `BREAK_COST` and each output `OUTPUT_COST` (what the terminal replay spends on
#: each, in characters) ...
MAX_OUTPUT_CHARS = 16_000_000
BREAK_COST = 30
OUTPUT_COST = 100
#: ... and characters of the rendered lines read (each line counted up to MAX_LINE_CHARS, plus
#: LINE_COST: reading a line costs about as much as 20 of its characters). Both are shared between
#: the cells by `_plan_outputs`: the cells that train, evaluate or print accuracies first.
MAX_OUTPUT_LINE_CHARS = 400_000
LINE_COST = 20
#: A rendered line is read up to this many characters.
MAX_LINE_CHARS = 20_000
#: Characters of markdown read for claims, shared between the cells by `_share`: the cells that
#: speak of accuracy or validation first.
MAX_MARKDOWN_CHARS = 300_000
#: Report files read (``imdb_report.json`` and the like beside the notebook, wherever in the folder).
MAX_REPORT_FILES = 3
#: Reported accuracies checked against the outputs (`_select_claims` picks them when there are more).
MAX_CLAIMS = 200
#: What the feedback and the scoring items show of a list taken from the notebook (eighth
#: session): at most MAX_LISTED names in one sentence (alternatives, cells, validation shares),
#: MAX_MODEL_LINES lines about models and MAX_CLAIM_LINES about claims, the rest counted, and
#: at most MAX_QUOTED characters of one text the student wrote.
MAX_LISTED = 6
MAX_MODEL_LINES = 12
MAX_CLAIM_LINES = 12
MAX_QUOTED = 160


def _share(entries: Sequence[tuple[int, int, int, Any]], budget: Any,
           take: Any) -> tuple[dict[int, Any], tuple[int, ...]]:
    """Share ``budget`` between cells: the cells that matter first, and within them the smaller
    first, each read in full while the budget lasts.

    ``entries`` are ``(tier, size, index, payload)``: the cells are served in that order (tier 0
    first, then by size, then by index), each allowed what the cells before it left.
    ``take(payload, allowance)`` reads a cell within ``allowance`` and returns ``(what was read,
    allowance left, whether anything was cut)``; ``budget`` is the first allowance (a number of
    characters, or several budgets together, as ``take`` understands it). Returns ``({index: what was read}, indices of
    the cells cut, in order)``. What all the cells read together is within ``budget``, and
    when they fit in it (whatever the sizes given: they only order the cells) all are read in
    full; when they do not, a big output (a long log, a printed array) takes what the smaller
    ones left instead of leaving nothing to the cells after it.
    """
    read: dict[int, Any] = {}
    cut: list[int] = []
    left = budget
    for _, _, index, payload in sorted(entries, key=lambda e: e[:3]):
        read[index], rest, was_cut = take(payload, left)
        left = rest
        if was_cut:
            cut.append(index)
    return read, tuple(sorted(cut))


def _cut_text(texts: tuple[str, ...], left: int) -> tuple[tuple[str, ...], int, bool]:
    """The first ``left`` characters of ``texts`` (a markdown cell's source, in order):
    ``(texts kept, characters left after them, whether anything was cut)``."""
    total = sum(len(t) for t in texts)
    if total <= left:
        return texts, left - total, False
    kept: list[str] = []
    for t in texts:
        if left <= 0:
            break
        kept.append(t[:left])
        left -= len(kept[-1])
    return tuple(kept), 0, True


_BACKSPACES = re.compile("\x08+")


def _breaks(text: str) -> int:
    """Line breaks, carriage returns and runs of backspaces in ``text``."""
    breaks = text.count("\n") + text.count("\r")
    if "\x08" in text:
        breaks += _BACKSPACES.subn("", text)[1]
    return breaks


def _output_cost(text: str) -> int:
    """What replaying one output costs, in characters (see `MAX_OUTPUT_CHARS`)."""
    return len(text) + BREAK_COST * _breaks(text) + OUTPUT_COST


_CHUNK = 1 << 16


def _fitting_start(text: str, left: int) -> int:
    """The length of the longest start of ``text`` whose `_output_cost` is at most ``left``:
    whole chunks first, then halving within the chunk that does not fit (linear in the start)."""
    used, pos = OUTPUT_COST, 0

    def cost(piece: str, at: int) -> int:
        """Cost of ``piece`` read from ``at`` on (a run of backspaces across ``at`` counted once)."""
        joined = bool(piece) and at > 0 and piece[0] == "\x08" and text[at - 1] == "\x08"
        return len(piece) + BREAK_COST * (_breaks(piece) - joined)

    while pos < len(text):
        chunk = text[pos:pos + _CHUNK]
        c = cost(chunk, pos)
        if used + c > left:
            lo, hi = 0, len(chunk)  # the cost only grows with the length
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if used + cost(chunk[:mid], pos) <= left:
                    lo = mid
                else:
                    hi = mid - 1
            return pos + lo
        used += c
        pos += len(chunk)
    return pos


def _cut_outputs(outputs: tuple[str, ...], left: int) -> tuple[tuple[str, ...], int, bool]:
    """A cell's outputs read within a budget of ``left`` (`_output_cost`): ``(outputs kept, budget
    left after them, whether anything was cut)``; an output that does not fit is kept up to the
    longest start that does."""
    kept: list[str] = []
    for text in outputs:
        cost = _output_cost(text) if len(text) + OUTPUT_COST <= left else left + 1  # (never less than its length)
        if cost <= left:
            kept.append(text)
            left -= cost
            continue
        length = _fitting_start(text, left) if left > OUTPUT_COST else 0
        if length:
            kept.append(text[:length])
        return tuple(kept), 0, True
    return tuple(kept), left, False


def _cut_lines(lines: tuple[str, ...], left: int) -> tuple[tuple[str, ...], int, bool]:
    """Rendered lines read within a budget of ``left`` characters, each line counted up to
    `MAX_LINE_CHARS` and `LINE_COST`: ``(lines, characters left, whether lines were dropped)``.
    The lines are read in order, each in full or not at all (a line cut short could show a
    number cut short): the first that does not fit and all after it are dropped. A line is
    read up to `MAX_LINE_CHARS` characters (not a cut the feedback reports: an accuracy print
    was already read only there)."""
    if all(len(line) <= MAX_LINE_CHARS for line in lines):
        cost = sum(map(len, lines)) + LINE_COST * len(lines)
        if cost <= left:
            return lines, left - cost, False
    kept: list[str] = []
    for line in lines:
        line = line[:MAX_LINE_CHARS]
        cost = len(line) + LINE_COST
        if cost > left:
            return tuple(kept), left, True
        kept.append(line)
        left -= cost
    return tuple(kept), left, False


def _open_end(kept: tuple[str, ...], outputs: tuple[str, ...]) -> bool:
    """Whether the cut that kept ``kept`` of a cell's ``outputs`` may fall inside a line: the last
    output kept is a start of its output, or a whole one after which `render` does not end the
    line (a stream fragment without a line break, which the next output may continue). A whole
    output read to its line break, or a whole value (an ``evaluate``'s ``[loss, accuracy]``) ends
    its line: the cut fell between two lines."""
    if not kept:
        return False
    return len(kept[-1]) < len(outputs[len(kept) - 1]) or not ends_line(kept[-1])


def _whole_lines(outputs: tuple[str, ...], cut: bool) -> tuple[str, ...]:
    """`render` of a cell's outputs as read (memoised); when they were cut inside a line (``cut``,
    see `_open_end`), without the last line unless the cut fell at a line's end (the line the
    cut falls in is not read)."""
    lines = _RENDER_MEMO(outputs)
    if cut and lines and outputs and not outputs[-1].endswith("\n"):
        return lines[:-1]
    return lines


_SHELL = re.compile(r"^[ \t]*(?:!|%run\b|%%(?:bash|sh|script)\b)", re.M)
_BONUS_WORDS = ("acc", "fit", "evaluat", "predict", "train", "epoch", "model", "summary", "history", "imdb", "keras")
_LAYER_WORDS = ("LSTM", "GRU", "RNN", "Bidirectional")


def _bonus_code(source: str) -> bool:
    """Whether a code cell's outputs are read first (tier 0 of `_share`): its code speaks of
    accuracy, fitting, evaluating, predicting, training, epochs or a model, shows a summary or a
    history, names IMDB, Keras or a recurrent layer (``LSTM``, not the NumPy part's ``lstm_``), or
    runs a script or shell command (a log with no code)."""
    low = source.lower()
    return any(w in low for w in _BONUS_WORDS) or any(w in source for w in _LAYER_WORDS) \
        or _SHELL.search(source) is not None


def _plan_outputs(cells: Sequence[Any], fit_cells: frozenset[int]
                  ) -> tuple[dict[int, tuple[str, ...]], tuple[int, ...], frozenset[int]]:
    """Which rendered lines of each code cell's outputs the bonus reads, within `MAX_OUTPUT_CHARS`
    (replayed) and `MAX_OUTPUT_LINE_CHARS` (read) for the notebook: ``({cell index: lines},
    indices of the cells whose outputs were not all read, indices of the cells read first)``.

    Both budgets are shared between the cells by `_share`: the cells with a ``fit`` or
    ``evaluate`` call (``fit_cells``) or whose code `_bonus_code` picks come first, the others
    get what they leave; within each, the smaller outputs first (by their length), each read in
    full while the budgets last, so a big output (a long log, a printed array) takes only what
    the smaller ones left. A cell whose code the grader does not read
    (`grader.notebook.skipped_code`) is never among the first. Once no line fits, no output is
    replayed.
    """
    code = [cell for cell in cells if cell.kind == "code"]
    skipped = {s.index for s in skipped_code((cell.index, len(cell.source)) for cell in code)}
    entries = []
    for cell in code:
        if not cell.outputs:
            continue
        outputs = tuple(cell.outputs)
        first = cell.index not in skipped and (cell.index in fit_cells or _bonus_code(cell.source))
        size = sum(map(len, outputs)) + OUTPUT_COST * len(outputs)
        entries.append((0 if first else 1, size, cell.index, outputs))

    def take(outputs: tuple[str, ...], left: tuple[int, int]) -> tuple[tuple[str, ...], tuple[int, int], bool]:
        """A cell's lines within ``left`` = (characters to replay, characters of lines to read)."""
        replay_left, lines_left = left
        if lines_left < LINE_COST:  # no line fits: not even replayed
            return (), left, any(outputs)
        kept, replay_left, replay_cut = _cut_outputs(outputs, replay_left)
        open_end = replay_cut and _open_end(kept, outputs)
        lines, lines_left, lines_cut = _cut_lines(_whole_lines(kept, open_end), lines_left)
        return lines, (replay_left, lines_left), replay_cut or lines_cut

    read, cut = _share(entries, (MAX_OUTPUT_CHARS, MAX_OUTPUT_LINE_CHARS), take)
    return read, cut, frozenset(index for tier, _, index, _ in entries if tier == 0)


def _render(outputs: tuple[str, ...]) -> tuple[str, ...]:
    """`render` of a cell's outputs, as a tuple (shared between callers by the memo)."""
    return tuple(render(outputs))


def _read_outputs(lines: tuple[str, ...], accuracy_context: bool, truncated: bool = False
                  ) -> tuple[tuple[tuple[float, str], ...], tuple[object, ...]]:
    """A cell's rendered output lines read: ``(validation shares stated in the outputs, events)``.

    The shares are a script's own account of its split (``"validation_split=0.2"``)
    as ``(fraction, line)``; the events are `parse_events` of the lines (``truncated``: they are
    the start of the cell's, the bonus's bounds cut the rest).
    """
    notes = []
    for line in lines:
        m = _SPLIT_NOTE.search(line)
        if m and 0 < float(m.group(1)) < 1:
            notes.append((float(m.group(1)), line.strip()))
    return tuple(notes), tuple(parse_events(lines, accuracy_context=accuracy_context, truncated=truncated))


def _markdown_claims(text: str, source: str) -> tuple[tuple[Claim, ...], tuple[Statement, ...]]:
    """`claims_from_markdown` as tuples (shared between callers by the memo)."""
    claims, statements = claims_from_markdown(text, source)
    return tuple(claims), tuple(statements)


# Per-process memos (grader.notebook.SourceMemo): template cells and identical logs
# repeat across a class.  Events and claims are frozen dataclasses.
_RENDER_MEMO: SourceMemo[tuple[str, ...]] = SourceMemo(_render)
_OUTPUTS_MEMO: SourceMemo[tuple[tuple[tuple[float, str], ...], tuple[object, ...]]] = SourceMemo(_read_outputs)
_MARKDOWN_MEMO: SourceMemo[tuple[tuple[Claim, ...], tuple[Statement, ...]]] = SourceMemo(_markdown_claims)


def clear_memos() -> None:
    """Empty the bonus's per-process memos (tests and benchmarks; no result depends on them)."""
    from grader.imdb import source

    source.clear_memos()
    for memo in (_RENDER_MEMO, _OUTPUTS_MEMO, _MARKDOWN_MEMO):
        memo.clear()


def _prints_one_line(fit: FitCall) -> bool:
    """True for a ``fit`` whose whole log is one progress line with no ``Epoch`` header
    (Keras 3, one epoch, printing): it can pass for an evaluation."""
    return fit.epochs == 1 and fit.verbose != 0


def _validation(run: _Run) -> tuple[str, str, float | None]:
    """``(description, source, fraction)`` of a run's validation, from code then log header."""
    if run.fit is not None and run.fit.validation.kind != "unknown":
        v = run.fit.validation
        if v.source != "unknown" or run.log is None or run.log.val_samples is None:
            return v.text, v.source, v.fraction
    log = run.log
    if log is not None and log.val_samples:
        train = log.train_samples or 0
        text = f"log: train on {train} samples, validate on {log.val_samples} samples"
        if log.val_samples == 25000 and train == 25000:
            return text, "test", None
        total = train + log.val_samples
        return text, "train", (log.val_samples / total if total else None)
    if log is not None and log.val_accs:
        return "validation accuracy in the log, data not shown in code", "unknown", None
    if run.fit is not None:
        return run.fit.validation.text, run.fit.validation.source, run.fit.validation.fraction
    return "not shown", "unknown" if log is None else "none", None


def _evidence(run: _Run) -> ModelEvidence:
    """Freeze a run into `ModelEvidence`."""
    text, source, fraction = _validation(run)
    vals = tuple(v for v, _ in run.vals)
    tests = tuple(v for v, _ in run.tests)
    log = run.log
    return ModelEvidence(
        name=run.var, alternative=run.alternative, alternative_from=run.alternative_from,
        validation=text, validation_source=source, validation_fraction=fraction,
        epochs_completed=log.completed if log else 0,
        epochs_planned=(log.planned if log else run.fit.epochs if run.fit else None),
        interrupted=bool(log and log.interrupted),
        best_val_accuracy=max(vals) if vals else None, test_accuracy=max(tests) if tests else None,
        val_accuracies=vals, test_accuracies=tests, cells=tuple(sorted(c for c in run.cells if c >= 0)),
        has_output=run.trained)


def _values(run: _Run, kind: str) -> list[tuple[float, str]]:
    """The run's ``(accuracy, description)`` pairs of a kind (``""``: test and validation)."""
    if kind == "test":
        return run.tests
    if kind == "val":
        return run.vals
    return run.tests + run.vals


class _Pools:
    """The output accuracies of groups of runs, gathered once for all the claims.

    A pool is a sequence of runs, named by a key; for each kind its accuracies are kept in
    order (run by run, then as each run lists them) as an array, so that the first one within
    a claim's bounds is found by one vectorised comparison: a claim checked against every
    accuracy in Python made many claims and many printed accuracies cost their product.
    """

    def __init__(self) -> None:
        """An empty cache."""
        self._cache: dict[tuple[Any, str], tuple[Any, list[tuple[_Run, float, str]], float | None]] = {}

    def _get(self, key: Any, pool: Sequence[_Run], kind: str
             ) -> tuple[Any, list[tuple[_Run, float, str]], float | None]:
        """``(values as an array, (run, value, description) of each, max as Python's max gives it)``."""
        if (key, kind) not in self._cache:
            rows = [(run, v, desc) for run in pool for v, desc in _values(run, kind)]
            values = [v for _, v, _ in rows]
            self._cache[key, kind] = (np.array(values, dtype=float), rows, max(values) if values else None)
        return self._cache[key, kind]

    def match(self, key: Any, pool: Sequence[_Run], kind: str, lo: float, hi: float
              ) -> tuple[_Run, str] | None:
        """The first run in ``pool`` with an accuracy of ``kind`` in ``[lo, hi]``, and its evidence."""
        values, rows, _ = self._get(key, pool, kind)
        hits = np.flatnonzero((values >= lo) & (values <= hi))
        if not hits.size:
            return None
        run, v, desc = rows[hits[0]]
        return run, f"{desc} shows {_fmt(v)}"

    def shown(self, key: Any, pool: Sequence[_Run], kind: str) -> tuple[int, float | None]:
        """How many accuracies of ``kind`` the pool shows, and the largest (as ``max`` gives it)."""
        _, rows, best = self._get(key, pool, kind)
        return len(rows), best


def _check_claim(claim: Claim, runs: Sequence[_Run], config: ImdbConfig, have_outputs: bool,
                 pools: _Pools | None = None) -> Claim:
    """Verify one claim against the runs' output accuracies (``pools``: shared between the claims
    of one notebook, the runs' accuracies gathered once)."""
    # a number written with unit u of its last digit: rounded (+-u/2) or truncated (up to +u)
    below = max(config.claim_tolerance, claim.tolerance / 2) + 1e-9
    above = max(config.claim_tolerance, claim.tolerance) + 1e-9
    lo, hi = claim.value - below, claim.value + above
    pools = pools if pools is not None else _Pools()

    if not have_outputs:
        return replace(claim, status="unverified", evidence="the notebook has no outputs to check it against")
    same: list[_Run] = []
    if claim.alternative:
        same = [r for r in runs if r.alternative == claim.alternative] or \
               [r for r in runs if family(r.alternative) == family(claim.alternative)]
    if same:
        key = ("same", claim.alternative)  # `same` depends on the claim's alternative only
        found = pools.match(key, same, claim.kind, lo, hi) or pools.match(key, same, "", lo, hi)
        if found:
            return replace(claim, status="verified", evidence=found[1])
        count, best = pools.shown(key, same, claim.kind)
        if not count:
            count, best = pools.shown(key, same, "")
        if count:
            what = {"test": "test accuracy", "val": "validation accuracy"}.get(claim.kind, "accuracy")
            return replace(claim, status="contradicted",
                           evidence=f"the outputs of the {_quoted(claim.alternative)} model show {what} "
                                    f"{_fmt(best) if count == 1 else 'at most ' + _fmt(best)}")
    found = pools.match("all", runs, claim.kind, lo, hi) or pools.match("all", runs, "", lo, hi)
    if found and (not claim.alternative or found[0].alternative in (None, claim.alternative)):
        return replace(claim, status="verified", evidence=found[1])
    if found:
        return replace(claim, status="unverified",
                       evidence=f"the value matches the {_quoted(found[0].alternative or '')} model's output, "
                                f"not a {_quoted(claim.alternative)} model's")
    return replace(claim, status="unverified", evidence="no output in the notebook shows this accuracy")


_MARKDOWN_WORDS = ("acc", "validat", "split", "held", "hold")


def _plan_markdown(cells: Sequence[Any]) -> tuple[dict[int, str], tuple[int, ...]]:
    """What the bonus reads of each markdown cell for claims, within `MAX_MARKDOWN_CHARS` for the
    notebook: ``({cell index: text read}, indices of the cells not read in full)``. The budget is
    shared between the cells (`_share`): those that speak of accuracy or validation first."""
    entries = []
    for cell in cells:
        if cell.kind == "markdown":
            text = without_images(cell.source)  # a figure's base64 is neither read nor counted
            low = text[:MAX_MARKDOWN_CHARS].lower()  # what can be read, at most
            tier = 0 if any(w in low for w in _MARKDOWN_WORDS) else 1
            entries.append((tier, len(text), cell.index, text))

    def take(text: str, allowance: int) -> tuple[str, int, bool]:
        """The start of ``text`` read within ``allowance``, without a word cut short (a number
        cut short would be another number)."""
        kept, rest, cut = _cut_text((text,), allowance)
        piece = kept[0] if kept else ""
        if cut and piece and not piece[-1].isspace() and not text[len(piece)].isspace():
            words = piece.rsplit(None, 1)  # scans back to the last whitespace only
            piece = piece[:len(piece) - len(words[-1])] if len(words) == 2 else ""
        return piece, rest, cut

    return _share(entries, MAX_MARKDOWN_CHARS, take)


def _select_claims(claims: Sequence[Claim], limit: int) -> list[Claim]:
    """At most ``limit`` of ``claims``, in their order: those naming an alternative first, one
    of each alternative in turn (so that every alternative reported has claims checked), then the
    others; a claim repeating one chosen (same alternative, kind, value and precision) is not
    chosen again (it would check the same)."""
    groups: dict[str | None, list[int]] = {}
    for k, c in enumerate(claims):
        groups.setdefault(c.alternative, []).append(k)
    unlabelled = groups.pop(None, [])
    chosen: list[int] = []
    seen: set[tuple[Any, ...]] = set()

    def choose(k: int) -> None:
        """Choose claim ``k`` unless it repeats one chosen."""
        c = claims[k]
        key = (c.alternative, c.kind, c.value, c.tolerance)
        if key not in seen:
            seen.add(key)
            chosen.append(k)

    queues = [iter(g) for g in groups.values()]
    while queues and len(chosen) < limit:
        live = []
        for queue in queues:
            k = next(queue, None)
            if k is None:
                continue
            live.append(queue)
            choose(k)
            if len(chosen) >= limit:
                break
        queues = live
    for k in unlabelled:
        if len(chosen) >= limit:
            break
        choose(k)
    return [claims[k] for k in sorted(chosen)]


def _gather_claims(notebook: Any, facts: CodeFacts, extra_files: Mapping[str, bytes],
                   literal_claims: list[Claim]) -> tuple[list[Claim], list[Statement], list[str]]:
    """Claims and validation statements from files, report literals, markdown and literal prints."""
    cell_name = _cell_namer(notebook.cells)
    claims: list[Claim] = []
    statements: list[Statement] = []
    notes: list[str] = []
    reports = [name for name in sorted(extra_files)
               if name.replace("\\", "/").rsplit("/", 1)[-1].lower() in REPORT_FILES]
    if len(reports) > MAX_REPORT_FILES:  # the shallowest, then by name
        chosen = set(sorted(reports, key=lambda n: (n.replace("\\", "/").count("/"), n))[:MAX_REPORT_FILES])
        notes.append(f"{len(reports) - MAX_REPORT_FILES:,} more report files (imdb_report.json and the like) were "
                     f"not read: the bonus reads {MAX_REPORT_FILES}, the least deep in the folder first.")
        reports = [name for name in reports if name in chosen]
    for name in reports:
        base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
        data, error = read_report_file(base, extra_files[name])
        if error:  # bounded by read_report_file, which quotes at most 100 characters of a parser's text
            notes.append(error)
            continue
        c, s = claims_from_report(data, base)
        claims += c
        statements += s
        if not c:
            notes.append(f"{base} was found but holds no accuracy that could be read: give each "
                         f"alternative its accuracies under keys holding 'acc', e.g. "
                         f'{{"models": [{{"alternative": "LSTM", "test_accuracy": 0.8664}}]}}')
    for literal in facts.reports:
        c, s = claims_from_report(literal.value, f"{literal.name} in {cell_name(literal.cell)}")
        claims += c
        statements += s
    texts, cut = _plan_markdown(notebook.cells)
    for cell in notebook.cells:
        if cell.kind == "markdown" and texts.get(cell.index):
            c, s = _MARKDOWN_MEMO(texts[cell.index], f"markdown {_cell(cell)}")
            claims += c
            statements += s
    if cut:
        where = [f"{cell_name(i)} (its first {len(texts[i]):,} characters)" if texts.get(i) else f"{cell_name(i)} (not read)"
                 for i in cut]
        notes.append(f"Markdown {_listing(where, 'cells')} {'was' if len(cut) == 1 else 'were'} not read in full "
                     f"for reported accuracies: the bonus reads {MAX_MARKDOWN_CHARS:,} characters of markdown of a "
                     f"notebook, shared between its cells (those that speak of accuracy or validation first, "
                     f"and the shorter cells first).")
    claims += literal_claims
    return claims, statements, notes


def _band(config: ImdbConfig, best: float | None) -> tuple[float, str]:
    """Points of the best verified test accuracy, and what they mean for the student: the accuracy
    its points take and, below the top, what the next points take ("band >= 0.70", the rubric's
    word, told a real class nothing of what it earned or lacked)."""
    if best is None or not config.bands:
        return 0.0, ""
    reached = next((band for band in config.bands if best + 1e-9 >= band.min), None)
    if reached is None:
        return 0.0, f"below {config.bands[-1].min:.2f}, the lowest accuracy that earns points"
    top = config.accuracy_points
    if reached.points >= top:
        return reached.points, f"{reached.min:.2f} or more earns all {top:g} points"
    above = [band for band in config.bands if band.min > reached.min][-1]  # bands are listed best first
    return reached.points, (f"{reached.min:.2f} or more earns {reached.points:g} of the {top:g} points, "
                            f"{above.min:.2f} earns {above.points:g}")


@dataclass(frozen=True)
class _Scored:
    """One part of the bonus's score as its section of ``score_imdb`` found it: the item's points
    and message, and the feedback lines and flags the section adds, in order."""

    points: float = 0.0
    message: str = ""
    feedback: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()


def _alternatives_item(models: Sequence[ModelEvidence], checked: Sequence[Claim], *, code_only: bool,
                       config: ImdbConfig, cell_name: Any) -> tuple[_Scored, list[ModelEvidence]]:
    """The distinct recurrent alternatives trained and reported, each model's line, those not
    counted and why, the trainings stopped mid-epoch; and the models counted (``counted``)."""
    feedback: list[str] = []
    flags: list[str] = []
    verified_alts = {c.alternative for c in checked if c.status == "verified" and c.alternative}
    counted: list[ModelEvidence] = []
    unreported: list[ModelEvidence] = []
    for m in models:
        reported = m.test_accuracy is not None or m.best_val_accuracy is not None or m.alternative in verified_alts
        if code_only:
            ok = config.code_only_alternatives
        else:
            ok = m.has_output and reported
        if ok:
            counted.append(m)
        elif m.has_output and m.epochs_completed and not m.interrupted and m.alternative \
                and is_recurrent(m.alternative):
            unreported.append(m)
    alts = distinct(m.alternative for m in counted)
    unknown = [m for m in counted if m.alternative is None]
    nonrec = [m for m in counted if m.alternative and not is_recurrent(m.alternative)]
    n = min(len(alts), config.alternatives_required)
    alt_points = config.alternatives_points * n / config.alternatives_required
    # Said once, in the item (thirty-second session: a note "Only 1 distinct recurrent alternative(s) were
    # trained ..." above it said the same; so did the notes on validation and accuracy below).
    alt_msg = ((f"{len(alts)} distinct recurrent alternative{'' if len(alts) == 1 else 's'} trained and reported: "
                f"{_listing([_quoted(a) for a in alts])}") if alts else "no recurrent alternative trained and reported")
    if len(alts) < config.alternatives_required:
        alt_msg += f"; the bonus asks for {config.alternatives_required} (e.g. SimpleRNN, LSTM, GRU)"
    if code_only:
        alt_msg += "; read from the code only"
    named = [m for m in counted if m.alternative is not None]
    for m in _listed_models(named):
        where = _cell_listing([cell_name(c, heading=True) for c in m.cells])
        if not m.has_output:
            feedback.append(f"{_quoted(m.alternative or '')} ({where}): trained in the code, no outputs; "
                            f"validation: {_quoted(m.validation)}.")
            continue
        feedback.append(f"{_quoted(m.alternative or '')} ({where}): best validation accuracy "
                        f"{_fmt(m.best_val_accuracy)}, test accuracy {_fmt(m.test_accuracy)}, "
                        f"validation: {_quoted(m.validation)}.")
    if len(named) > MAX_MODEL_LINES:
        feedback.append(f"{len(named) - MAX_MODEL_LINES:,} more trained models are not listed here (the feedback "
                        f"lists {MAX_MODEL_LINES}: the best of each alternative first).")
    if unknown:
        feedback.append(f"Could not tell which recurrent layers the model{'' if len(unknown) == 1 else 's'} trained in "
                        + _listing([cell_name(c) for c in sorted({m.cells[0] for m in unknown if m.cells})], "cells")
                        + " use; name the alternative in a print or show model.summary().")
    if nonrec:
        feedback.append("Models without a recurrent layer are not counted as alternatives: "
                        + _listing([_quoted(a) for a in sorted({m.alternative or "" for m in nonrec})]) + ".")
    for m in _listed_models([m for m in unreported if m.alternative not in alts]):
        # thirty-first session: a fit log with training accuracies only was told nothing of its model
        feedback.append(f"{_quoted(m.alternative or '')} ({_cell_listing([cell_name(c, heading=True) for c in m.cells])})"
                        f": trained ({m.epochs_completed} epochs), but no validation or test accuracy of it "
                        f"appears in the outputs, so it is not counted; validate it on held-out training data and "
                        f"evaluate it on the test set, keeping the outputs.")
    stopped = [m for m in models if m.interrupted]
    for m in stopped[:MAX_MODEL_LINES]:
        where = f"{_quoted(m.alternative or 'model')} in {cell_name(m.cells[0]) if m.cells else 'a cell'}"
        if not m.epochs_completed:  # "0 of 5 epochs completed; only the completed epochs were used": none were
            feedback.append(f"Training of the {where} stopped during its first epoch (of {m.epochs_planned}), "
                            f"so no accuracy of it was read.")
            continue
        feedback.append(f"Training of the {where} stopped during an epoch "
                        f"({m.epochs_completed} of {m.epochs_planned} epochs completed); only the completed "
                        f"epochs were used.")
    if len(stopped) > MAX_MODEL_LINES:
        feedback.append(f"The training of {len(stopped) - MAX_MODEL_LINES:,} more models stopped during an epoch "
                        f"(not listed).")
    if stopped:
        flags.append("training stopped mid-epoch")
    return _Scored(alt_points, alt_msg, tuple(feedback), tuple(flags)), counted


def _validation_item(counted: Sequence[ModelEvidence], models: Sequence[ModelEvidence],
                     statements: Sequence[Statement], *, config: ImdbConfig, cell_name: Any) -> _Scored:
    """Whether the models counted validate on a share of the training data (stated), on the test set,
    or on the data they train on."""
    feedback: list[str] = []
    flags: list[str] = []
    pool = [m for m in counted if m.alternative is None or is_recurrent(m.alternative)] or list(models)
    stated_train = [s for s in statements if s.origin != "test" and s.fraction is not None]
    said_test = [s for s in statements if s.origin == "test"]
    on_test = [m for m in pool if m.validation_source == "test"]
    on_fit = [m for m in pool if m.validation_source == "fit"]
    good = [m for m in pool if m.validation_source == "train" or
            (m.validation_source == "unknown" and stated_train and not said_test)]
    if on_fit and not (on_test or said_test):
        flags.append("validates on its training data")
        feedback.append(_validates_on_training(on_fit, config, cell_name=cell_name))
    if on_test or said_test:
        val_points = 0.0
        flags.append("validates on the test set")
        # models of one alternative validating on the same arrays are named once, with their cells
        # (thirty-second session: four SimpleRNNs on validation_data=(x_test, y_test) said it four times)
        groups: dict[tuple[str, str], list[str]] = {}
        for m in on_test:
            groups.setdefault((m.alternative or "model", m.validation), []).append(
                cell_name(m.cells[0], heading=True) if m.cells else "?")
        where = _listing([f"{_quoted(alt)} in {_cell_listing(cells)}: {_quoted(validation)}"
                          for (alt, validation), cells in groups.items()], "models", sep="; ") \
            if on_test else _quoted(said_test[0].text)
        if len(groups) > 1 and len({validation for _alt, validation in groups}) == 1:
            # eight alternatives on validation_data=(x_test, y_test) said it eight times, each model's line
            # above saying it once more (thirty-fourth session, two real notebooks)
            where = (("both" if len(on_test) == 2 else f"all {len(on_test):,}") if len(on_test) == len(pool)
                     else f"{len(on_test):,}") + f" models above: {_quoted(on_test[0].validation)}"
        val_msg = "validation on the test set (the models are named above)"
        feedback.append(f"Validation uses the test set ({where}). Step 3 asks for a share of the training "
                        f"data as validation, so that the test set stays unseen until the final evaluation."
                        + (" Take it from the training part of that split (fit(..., validation_split=0.2), or a "
                           "second train_test_split of the training part) and keep the held-out part for the final "
                           "evaluation." if any(HELD_TEXT in m.validation for m in on_test) else ""))
    elif not pool or not good:
        val_points = 0.0
        val_msg = "no validation split from the training data was found"
        printed = [m for m in pool if m.val_accuracies and m not in on_fit]
        if on_fit:
            val_msg = "validation on the data the model trains on"
            if printed:
                feedback.append(_unshown_validation(printed, config, cell_name=cell_name))
        else:
            feedback.append(_unshown_validation(printed, config, cell_name=cell_name) if printed else
                            # the item below says none was found (thirty-third session: said twice)
                            "Hold out a share of the training data as validation (validation_split=0.2, or "
                            "validation_data from a slice of the training set) and say how much you held out.")
    else:
        share = len(good) / len(pool)
        fractions = sorted({round(m.validation_fraction, 4) for m in good if m.validation_fraction})
        stated = bool(fractions) or bool(stated_train)
        if not fractions and stated_train:
            fractions = [round(stated_train[0].fraction or 0, 4)]
        val_points = config.validation_points * share * (1.0 if stated else config.validation_unstated_share)
        frac_text = _listing([f"{f:.0%}" for f in fractions]) if fractions else "size not stated"
        val_msg = (f"{len(good)} of {len(pool)} model{' validates' if len(pool) == 1 else 's validate'} "
                   f"on training data ({frac_text})")
        if not stated:
            feedback.append("The validation data comes from the training set, but its size is not stated; "
                            "say which share of the training data you held out.")
        missing = [m for m in pool if m not in good and m not in on_fit]  # on_fit: told above
        if missing:
            feedback.append("Without a validation split from the training data: "
                            + _listing([f"{_quoted(m.alternative or 'model')} ({_quoted(m.validation)})"
                                        for m in missing], "models", sep="; ") + ".")
    return _Scored(val_points, val_msg, tuple(feedback), tuple(flags))


def _accuracy_item(models: Sequence[ModelEvidence], *, code_only: bool, config: ImdbConfig) -> _Scored:
    """The best verified test accuracy of a recurrent model, in the config's bands."""
    best_model = None
    best = None
    for m in models:
        if m.test_accuracy is None or (m.alternative and not is_recurrent(m.alternative)):
            continue
        if best is None or m.test_accuracy > best:
            best, best_model = m.test_accuracy, m
    if code_only:
        acc_points, acc_msg = 0.0, "no outputs: the test accuracy cannot be verified"
    elif best is None:
        acc_points = 0.0
        acc_msg = ("no test accuracy in the outputs: evaluate each model on the test set "
                   "(model.evaluate(x_test, y_test)) and keep the output")
    else:
        acc_points, band = _band(config, best)
        who = _quoted(best_model.alternative or "model" if best_model else "model")
        acc_msg = f"best test accuracy in your outputs {_fmt(best)} ({who}): {band}"
    return _Scored(acc_points, acc_msg)


def _claims_told(checked: Sequence[Claim], *, code_only: bool) -> _Scored:
    """What the feedback says of the reported accuracies contradicted by the outputs or backed by none."""
    feedback: list[str] = []
    flags: list[str] = []
    told = 0  # lines about claims
    for c in checked:
        what = {"test": "test accuracy", "val": "validation accuracy"}.get(c.kind, "accuracy")
        who = f"{_quoted(c.alternative)} " if c.alternative else ""
        if c.status == "contradicted":
            if told < MAX_CLAIM_LINES:
                feedback.append(f"Your report ({_quoted(c.source)}) gives {who}{what} {_fmt(c.value)} "
                                f"(written {_quoted(c.text)!r}), but {c.evidence}.")
            told += 1
            if "claim contradicted by outputs" not in flags:
                flags.append("claim contradicted by outputs")
        elif c.status == "unverified" and not code_only:
            if told < MAX_CLAIM_LINES:
                feedback.append(f"The {who}{what} in {_quoted(c.source)} ({_quoted(c.text)!r}) is not backed by "
                                f"any output ({c.evidence}), so it earns no accuracy points.")
            told += 1
            if "unverified claim" not in flags:
                flags.append("unverified claim")
    if told > MAX_CLAIM_LINES:
        feedback.append(f"{told - MAX_CLAIM_LINES:,} more reported accuracies are contradicted by the outputs or "
                        f"not backed by any output (not listed).")
    if code_only and checked:
        feedback.append(f"{len(checked)} reported {'accuracy' if len(checked) == 1 else 'accuracies'} could not "
                        f"be checked without outputs.")
    return _Scored(feedback=tuple(feedback), flags=tuple(flags))


def score_imdb(notebook: Any, *, config: ImdbConfig,
               extra_files: Mapping[str, bytes] | None = None) -> ImdbResult:
    """Score the bonus of ``notebook`` (a `grader.notebook.Notebook`) without running it.

    ``extra_files`` are the files beside the notebook in a folder submission
    (name -> bytes); ``imdb_report.json``/``.yaml``/``.yml`` among them is read as the
    student's report.
    """
    extra_files = extra_files or {}
    cells = tuple(notebook.cells)
    cell_name = _cell_namer(cells)
    facts = read_code(cells)
    assoc = _Associator(cells, facts)
    assoc.read()
    runs = assoc.runs
    claims, statements, notes = _gather_claims(notebook, facts, extra_files, assoc.literal_claims)
    statements += assoc.statements
    bonus_cells = {f.cell for f in facts.fits} | {e.cell for e in facts.evals} | \
        {c for r in runs for c in r.cells if c >= 0}
    have_outputs = assoc.any_log or any(r.tests or r.vals for r in runs) or \
        any(c.outputs for c in cells if c.kind == "code" and c.index in bonus_cells)
    labelled_claims = [c for c in claims if c.alternative]
    present = facts.mentions_imdb or facts.builds_recurrent or bool(facts.fits) or assoc.any_log \
        or bool(labelled_claims) or any(f for f in extra_files  # a backslash separates folders too
                                        if f.replace("\\", "/").rsplit("/", 1)[-1].lower() in REPORT_FILES)
    if not present:
        # Said once, with nothing scored: no items (each would read as a failed case) and no
        # flag (it would repeat the sentence below it).
        msg = (f"IMDB bonus not attempted (it is optional): 0 of its {config.max_points:g} bonus points, and "
               f"the rest of the grade is not affected. No code loads the IMDB data or trains a Keras model, "
               f"and no accuracy report was found (in markdown, an imdb_report dict or an imdb_report.json file).")
        return ImdbResult(points=0.0, max_points=config.max_points, status="absent", models=(), claims=(),
                          flags=(), feedback=(msg,), items=(), part=config.part)
    if facts.torch_cell is not None:
        # Thirty-second session: a PyTorch bonus was read as a Keras one, told "no training code"
        # or to show model.summary(), and some of its printed accuracies earned points.
        msg = (f"0 of the {config.max_points:g} bonus points: the bonus asks for tf.keras recurrent models "
               f"(section 6: \"using TF.Keras Recurrent Neural Networks\"), and this notebook trains with PyTorch "
               f"(torch imported in {cell_name(facts.torch_cell)}), so its models and accuracies were not read. The "
               f"rest of the grade is not affected. To earn the points, build the alternatives with tf.keras "
               f"(layers.SimpleRNN, LSTM, GRU), train them with model.fit(..., validation_split=0.2) and evaluate "
               f"them with model.evaluate(x_test, y_test), keeping the outputs.")
        return ImdbResult(points=0.0, max_points=config.max_points, status=OTHER_FRAMEWORK, models=(), claims=(),
                          flags=(NOT_KERAS,), feedback=(msg,), items=(), part=config.part)
    code_only = not have_outputs and bool(facts.fits)
    if len(claims) > MAX_CLAIMS:
        notes.append(f"{len(claims) - MAX_CLAIMS:,} of the {len(claims):,} reported accuracies were not checked "
                     f"(the bonus checks at most {MAX_CLAIMS}: each alternative's in turn, a repeated value once); "
                     f"report each model's accuracy once.")
        claims = _select_claims(claims, MAX_CLAIMS)
    pools = _Pools()
    checked = tuple(_check_claim(c, runs, config, have_outputs, pools) for c in claims)
    models = tuple(_evidence(r) for r in runs if r.trained or code_only or r.fit is not None)
    feedback: list[str] = []
    flags: list[str] = []
    if code_only:
        flags.append("no outputs")
        feedback.append("The bonus cells were saved without outputs, so it was scored from the code and "
                        "text only: alternatives and validation from the code, no accuracy points "
                        "(an accuracy cannot be verified without the outputs that show it).")
    elif not have_outputs:
        flags.append("no outputs")
        feedback.append("No training code with outputs was found for the bonus, so the reported "
                        "accuracies cannot be verified and earn no points; keep the cells that train "
                        "and evaluate the models, with their outputs.")
    feedback.extend(notes)
    # Only the cells the bonus reads first (those that train, evaluate, print accuracies or speak
    # of the bonus): a cut in the NumPy part's cells, when a bonus cell spent the budget, is noise.
    cut = [index for index in assoc.cut_outputs if index in assoc.first_cells]
    if cut:
        feedback.append(f"The outputs of {_listing([cell_name(i) for i in cut], 'cells')} were not all read: the bonus "
                        f"reads {MAX_OUTPUT_CHARS:,} characters of a notebook's outputs (each line break or "
                        f"progress-bar redraw counting as {BREAK_COST} characters more), {MAX_OUTPUT_LINE_CHARS:,} "
                        f"of the lines they show and {MAX_LINE_CHARS:,} of one line, shared between its cells (those "
                        f"that train, evaluate or print accuracies first, and the smaller outputs first). An accuracy "
                        f"shown past that is not counted: print less (fit(..., verbose=2) prints one line an epoch, "
                        f"not a progress bar) and run the cell again.")
    if facts.unparsed_cells:
        feedback.append("Some code could not be parsed (" + _cell_listing([cell_name(i, heading=True) for i in facts.unparsed_cells])
                        + "): it is not valid Python (a syntax error, or a shell command without its `!`). The "
                        "rest of those cells was read; fix it and run the cell again.")

    alternatives, counted = _alternatives_item(models, checked, code_only=code_only, config=config,
                                               cell_name=cell_name)
    validation = _validation_item(counted, models, statements, config=config, cell_name=cell_name)
    accuracy = _accuracy_item(models, code_only=code_only, config=config)
    told = _claims_told(checked, code_only=code_only)
    for part in (alternatives, validation, accuracy, told):
        feedback.extend(part.feedback)
        flags.extend(part.flags)

    items = (ScoreItem("alternatives", round(alternatives.points, 6), config.alternatives_points,
                       alternatives.message),
             ScoreItem("validation", round(validation.points, 6), config.validation_points, validation.message),
             ScoreItem("accuracy", round(accuracy.points, 6), config.accuracy_points, accuracy.message))
    total = round(sum(i.points for i in items), 6)
    return ImdbResult(points=total, max_points=config.max_points, status="code_only" if code_only else "graded",
                      models=models, claims=checked, flags=tuple(flags), feedback=tuple(feedback),
                      items=items, part=config.part)
