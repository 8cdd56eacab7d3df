"""Reading the stored outputs of a cell: terminal rendering, then training-log events.

Keras writes its progress bars for a terminal: Keras 2 draws ``[=====>....]``
and rewinds with backspaces and ``\\r``; Keras 3 draws ``━━━━`` inside ANSI
colour codes and rewinds the same way.  A notebook stores every write as it
came, so one cell can hold a hundred stream outputs.  `render` replays them on
a virtual terminal and returns the lines a student saw; `parse_events` turns
those lines into events in order: model summaries, fit logs (epochs with their
accuracies), evaluations and the student's own accuracy prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Sequence

from grader.imdb.labels import RECURRENT, first_label, stack_label

__all__ = ["render", "ends_line", "parse_events", "Epoch", "FitLog", "Evaluation", "AccuracyPrint", "Summary",
           "Number", "parse_number"]

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>]")
_TOKENS = re.compile(r"\r\n|\r|\n|\x08+|[^\r\n\x08]+")
#: A fragment that starts with a progress bar's counter ("25000/25000 [====").
_BAR_START = re.compile(r"^ *\d{1,9}/\d{1,9} \[[=>.]")
_STANDALONE = re.compile(r"^(?:\s*[\[(\{].*[\])\}]\s*|[A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit|Warning)"
                         r"\b.*|\w+Error:.*)$", re.S)


def _render_one(text: str) -> list[str]:
    """Replay ``text`` (ANSI codes already removed) on a terminal; return the final lines."""
    lines: list[str] = []
    line: list[str] = []
    col = 0
    for tok in _TOKENS.findall(text):
        if tok in ("\n", "\r\n"):
            lines.append("".join(line).rstrip())
            line, col = [], 0
        elif tok == "\r":
            col = 0
        elif tok[0] == "\x08":
            col = max(0, col - len(tok))
        else:
            end = col + len(tok)
            if col > len(line):
                line.extend(" " * (col - len(line)))
            line[col:end] = tok
            col = end
    if line:
        lines.append("".join(line).rstrip())
    return lines


def render(outputs: Sequence[str]) -> list[str]:
    """The lines a terminal would show for a cell's outputs, in order.

    Stream fragments are replayed together (a progress bar spans many of them);
    a fragment that is a whole value (an ``execute_result`` such as
    ``[0.35, 0.85]``) or an error line starts on a line of its own, and so does one that starts
    with a progress bar's counter after a fragment that ended mid-line: Keras writes a carriage
    return before each update, and a notebook saved with them stripped glued an epoch's updates
    into one line that began with its first counter ("12800/25000 [...] ... 0.871926112/34700 [")
    and read as an epoch never finished.
    """
    text_parts: list[str] = []
    for frag in outputs:
        frag = _ANSI.sub("", frag)
        standalone = _standalone(frag)
        if text_parts and not text_parts[-1].endswith("\n") and (
                standalone or (not text_parts[-1].endswith("\r") and _BAR_START.match(frag))):
            text_parts.append("\n")
        text_parts.append(frag)
        if standalone and not frag.endswith("\n"):
            text_parts.append("\n")
    return _render_one("".join(text_parts))


def _standalone(frag: str) -> bool:
    """Whether `render` shows ``frag`` (ANSI codes removed) on lines of its own: a whole value
    (an ``execute_result`` such as ``[0.35, 0.85]``) or an error line."""
    return bool(_STANDALONE.match(frag.strip("\n")))


def ends_line(fragment: str) -> bool:
    """Whether `render` ends a line after the whole output ``fragment``, whatever output follows:
    it ends with a line break, or it is shown on lines of its own (`_standalone`)."""
    frag = _ANSI.sub("", fragment)
    return frag.endswith("\n") or _standalone(frag)


@dataclass(frozen=True)
class Number:
    """An accuracy as written: ``value`` is a fraction, ``text`` the digits shown, ``tolerance``
    one unit of the last digit shown (as a fraction)."""

    value: float
    text: str
    tolerance: float


_NUM = r"(?<![\w.])(\d{1,3}(?:\.\d+)?|\.\d+)(?:e-?\d+)?\s*(%)?"


def parse_number(digits: str, percent: bool = False) -> Number | None:
    """Read ``digits`` as an accuracy: a fraction in [0, 1], or a percentage (``%`` or > 1)."""
    try:
        value = float(digits)
    except ValueError:
        return None
    decimals = len(digits.split(".")[1]) if "." in digits and "e" not in digits.lower() else 0
    unit = 10.0 ** -decimals
    if percent or value > 1.0:
        if value > 100.0:
            return None
        value, unit = value / 100.0, unit / 100.0
    if not 0.0 <= value <= 1.0:
        return None
    if not percent and decimals == 0 and value not in (0.0, 1.0):
        return None
    return Number(value=round(value, 10), text=digits + ("%" if percent else ""), tolerance=unit)


@dataclass(frozen=True)
class Epoch:
    """One epoch of a fit log: its number, the last metrics shown, whether it finished."""

    number: int
    total: int
    acc: float | None
    val_acc: float | None
    complete: bool
    steps: str = ""


@dataclass(frozen=True)
class FitLog:
    """A run of ``Epoch k/N`` blocks from one ``fit`` call."""

    line: int
    epochs: tuple[Epoch, ...]
    planned: int
    interrupted: bool
    train_samples: int | None = None
    val_samples: int | None = None
    acc_key: str = ""

    @property
    def completed(self) -> int:
        """Number of epochs that ran to the end."""
        return sum(1 for e in self.epochs if e.complete)

    @property
    def val_accs(self) -> tuple[float, ...]:
        """Validation accuracy of each completed epoch that reported one."""
        return tuple(e.val_acc for e in self.epochs if e.complete and e.val_acc is not None)


@dataclass(frozen=True)
class Evaluation:
    """An ``evaluate`` result: its final progress line, or a bare ``[loss, acc]`` value."""

    line: int
    acc: Number
    form: str  # "progress" | "list" | "dict"


@dataclass(frozen=True)
class AccuracyPrint:
    """A line the student printed that names an accuracy (``"GRU → Test Accuracy: 0.8759"``)."""

    line: int
    acc: Number
    kind: str  # "test" | "val" | "train" | "" (not said)
    label: str | None
    text: str


@dataclass(frozen=True)
class Summary:
    """A ``model.summary()`` table: the recurrent layers it lists, as one label."""

    line: int
    label: str | None
    layers: tuple[str, ...]


@dataclass(frozen=True)
class Label:
    """A non-accuracy line naming an alternative (``"=== Training the GRU ==="``)."""

    line: int
    label: str
    text: str


#: A line that is just a label and a number ("LSTM: 0.85"), read when the cell's code speaks of
#: accuracy. The runs that may be long are read atomically, each whole (``(?=(X*))\1``: a possessive
#: ``X*+``, which Python 3.10's re lacks; each is followed by what it cannot
#: hold, or, for the leading non-word characters, by the label, whose letters they cannot hold):
#: read greedily, 2,000 spaces before "LSTM x" took 13 s, one printed line of 20,000 about 20 minutes.
_LABEL_NUMBER = re.compile(r"(?=(\W*))\1[\w() -]{1,40}?\W{0,4}(?=(\s*))\2"
                           r"(?P<number>(?=(\d*))\4\.\d+|\d{1,3}(?:\.\d+)?\s*%)(?=(\s*))\5")
#: Numbers of at most 9 digits (an epoch count, a number of samples): ``int`` refuses a string of
#: more than 4,300 digits, and "Epoch 1...1/2" printed with 5,000 of them made the bonus, so the
#: whole submission, a harness failure.
_EPOCH = re.compile(r"^\s*Epoch\s+(\d{1,9})\s*/\s*(\d{1,9})\s*$")
_METRIC = re.compile(r"(?<![\w])((?:val_)?[A-Za-z_]*?acc(?:uracy)?)\s*:\s*(nan|-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)")
_LOSS = re.compile(r"(?<![\w])(?:val_)?loss\s*:\s*(?:nan|-?\d)")
_COUNTER = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\b")
#: Keras 2 shows "ETA" while an epoch runs: on its last batch too ("40/40 [...] - ETA: 0s - ..."), before
#: the validation pass and the epoch's final line. Such a line ends no epoch: a callback that spoke
#: in between (EarlyStopping's "Restoring model weights ...") left it on a line of its own. A line is
#: such an update when nothing after its last "ETA: <time>" tells the time the epoch took (" - 95s",
#: "4ms/step", `_TOOK`): a bar saved without its carriage returns joins every update and the summary.
_ETA_VALUE = re.compile(r"\s*\S+")
_TOOK = re.compile(r"\s-\s\d+(?:\.\d+)?(?:us|ms|s)\b|/step\b")


def _still_running(line: str) -> bool:
    """Whether a progress ``line`` is an update shown while its epoch runs (see `_ETA_VALUE`)."""
    at = line.rfind("ETA:")
    if at < 0:
        return False
    value = _ETA_VALUE.match(line, at + 4)
    return not _TOOK.search(line, value.end() if value else at + 4)
# `verbose=2`: "15/15 - 0s - loss", "- 120s - loss", and Keras 2.0's "190s - loss" (no dash first)
_VERBOSE2 = re.compile(r"^\s*(?:(?:\d+\s*/\s*\d+\s*)?-\s*\d+m?s\b|\d+m?s\s+-\s)")
_TRAIN_ON = re.compile(r"Train on (\d{1,9}) samples(?:, validate on (\d{1,9}) samples)?")
_LIST = re.compile(r"^\s*[\[(]\s*(-?[\d.]+(?:e[-+]?\d+)?)\s*,\s*(-?[\d.]+(?:e[-+]?\d+)?)\s*[\])]\s*$")
_DICT_ACC = re.compile(r"^\s*\{.*'((?:val_)?\w*acc(?:uracy)?)'\s*:\s*(-?[\d.]+(?:e[-+]?\d+)?)\s*[,}]")
_MAX_PRINT_LINE = 20000  # characters of one printed line read for accuracies
_MAX_HITS = 50  # accuracy words read on one line
_ACC_WORD = re.compile(r"(?i)\bacc(?:uracy|\.)?\b|_acc(?:uracy)?\b")
_HEADER_NUMBER = re.compile(r"(?<![\w.])\d")  # a number, not a digit in a name (``f1``, ``top5_acc``)
_SUMMARY_START = re.compile(r'^\s*Model:\s*"[^"]*"\s*$')
_SUMMARY_MAX_LINES = 400
_CALLBACK = re.compile(r"^\s*Epoch\s+\d+\s*:")  # "Epoch 3: val_accuracy improved from 0.85 to 0.86, saving ..."
_SUMMARY_LAYER = re.compile(r"\((\w+)\)?")
_SUMMARY_END = re.compile(r"Total params")
_ERROR = re.compile(r"^(?:KeyboardInterrupt|[A-Za-z_][\w.]*(?:Error|Exception|Interrupt))\b")


def _metrics(line: str) -> dict[str, float]:
    """``{name: value}`` of the accuracy metrics on a Keras progress line."""
    out: dict[str, float] = {}
    for name, value in _METRIC.findall(line):
        try:
            out[name] = float(value)
        except ValueError:
            continue
    return out


def _is_progress(line: str) -> bool:
    """True for a Keras progress/summary line (step counter or ``- 2s -``, and a loss)."""
    return bool(_LOSS.search(line)) and bool(_COUNTER.match(line) or _VERBOSE2.match(line))


def _pick(metrics: dict[str, float], val: bool) -> tuple[float | None, str]:
    """The accuracy (or validation accuracy) among metrics, preferring the plain names."""
    prefix = "val_" if val else ""
    for name in ("acc", "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy"):
        if prefix + name in metrics:
            return metrics[prefix + name], name
    for name, value in metrics.items():
        if name.startswith("val_") == val:
            return value, name.removeprefix("val_")
    return None, ""


#: A line a hand-written training loop prints once an epoch (PyTorch's ``Epoch [3/15], Loss: ...``,
#: ``epoch 3: acc 0.81``): an accuracy on it that no word calls validation or test is the training one.
_EPOCH_PRINT = re.compile(r"(?i)^\W{0,3}epoch\W{0,3}\d{1,9}\b")


def _kind(context: str) -> str:
    """``"test"``, ``"val"``, ``"train"`` or ``""`` from the words around a printed accuracy."""
    context = context.lower()
    if re.search(r"\btest|evaluat|held[- ]out", context):
        return "test"
    if re.search(r"\bval|validation|dev\b", context):
        return "val"
    if re.search(r"\btrain(?:ing)?\b", context):
        return "train"
    return ""


def _accuracy_prints(line_no: int, line: str) -> list[AccuracyPrint]:
    """Accuracies named in a printed line; one per occurrence of the word accuracy/acc.

    A list after the word (``"Validation acc: [0.83, 0.86]"``) gives one value per element.
    In a printed dict (``history.history``), a key without ``val_`` is a training accuracy.
    """
    line = line[:_MAX_PRINT_LINE]
    hits = list(_ACC_WORD.finditer(line))[:_MAX_HITS]
    out: list[AccuracyPrint] = []
    label = first_label(line)
    is_dict = line.lstrip().startswith("{")
    text = line.strip()[:200]  # once a line, not once an accuracy word (50 copies of 20,000 characters)
    for k, m in enumerate(hits):
        stop = hits[k + 1].start() if k + 1 < len(hits) else len(line)
        window = line[m.end():min(stop, m.end() + 40)]
        start = hits[k - 1].end() if k else 0
        if is_dict:
            key = line[max(start, m.start() - 30):m.end()]
            kind = "val" if re.search(r"val_\w*$", key) else "train"
        listed = re.match(r"[^\d\[\n]{0,12}\[([^\]]*)\]?", line[m.end():stop])
        if listed:
            numbers = [parse_number(x) for x in re.findall(r"\d*\.\d+|\d+", listed.group(1))]
            context = line[start:m.end()]
            for number in numbers:
                if number is not None:
                    out.append(AccuracyPrint(line=line_no, acc=number, kind=kind if is_dict else _kind(context),
                                             label=label, text=text))
            continue
        num = re.search(_NUM, window)
        if not num:
            continue
        number = parse_number(num.group(1), bool(num.group(2)))
        if number is None:
            continue
        if not is_dict:
            kind = _kind(line[start:m.end() + num.end()])
            if not kind and _EPOCH_PRINT.match(line):
                kind = "train"  # "Epoch [3/15], Loss: 0.36, Accuracy: 0.81": a training loop's own log
        out.append(AccuracyPrint(line=line_no, acc=number, kind=kind, label=label, text=text))
    return out


# One entry of a printed dict of results: a quoted key and a number (NumPy 2 writes np.float64(...)).
_DICT_ENTRY = re.compile(r"""['"]([^'"\n]{1,40})['"]\s*:\s*(?:np\.float(?:16|32|64)\()?""" + _NUM)


def _labelled_dict(line_no: int, line: str) -> list[AccuracyPrint]:
    """A printed dict of accuracies keyed by alternative, in a cell whose code speaks of accuracy
    (``{'SimpleRNN': 0.8012, 'LSTM': 0.8634, 'GRU': 0.8702}``): one accuracy per key, test
    unless the key says otherwise. Nothing unless every key names an alternative."""
    line = line[:_MAX_PRINT_LINE]
    text = line.strip()[:200]
    out: list[AccuracyPrint] = []
    for m in list(_DICT_ENTRY.finditer(line))[:_MAX_HITS]:
        label = first_label(m.group(1))
        number = parse_number(m.group(2), bool(m.group(3)))
        if label is None:
            return []
        if number is not None:
            out.append(AccuracyPrint(line=line_no, acc=number, kind=_kind(m.group(1)), label=label, text=text))
    return out


@dataclass(frozen=True)
class _Column:
    """An accuracy column of a printed table's header: its kind and where its word stands."""

    kind: str
    start: int
    end: int


def _table_row(line_no: int, line: str, columns: list[_Column]) -> list[AccuracyPrint]:
    """A row of a printed results table (pandas style) under a header naming accuracies.

    A row with more numbers than accuracy columns (``model acc precision recall f1``) gives
    each column the number printed under its word (pandas aligns a column's values with its
    header); where some column has none, or they do not come in order, the row's last numbers,
    as many as the columns."""
    label = first_label(line)
    found = [(m.start(), m.end(), n) for m in re.finditer(r"(?<![\w.])\d*\.\d+(?![\w.])", line)
             if (n := parse_number(m.group())) is not None]
    if not label or not found:
        return []
    numbers = [n for _, _, n in found]
    if len(found) > len(columns):
        under = [max(found, key=lambda f: min(f[1], c.end) - max(f[0], c.start)) for c in columns]
        aligned = all(min(f[1], c.end) > max(f[0], c.start) for f, c in zip(under, columns)) \
            and all(a[0] < b[0] for a, b in zip(under, under[1:]))
        numbers = [n for _, _, n in under] if aligned else numbers[-len(columns):]
    return [AccuracyPrint(line=line_no, acc=n, kind=column.kind, label=label, text=line.strip())
            for n, column in zip(numbers, columns)]


@dataclass
class _Open:
    """A fit log being read."""

    line: int
    planned: int
    position: int = 0  # where the log goes among the events: before what was printed during training
    epochs: list[Epoch] = field(default_factory=list)
    current: Epoch | None = None
    train: int | None = None
    val: int | None = None
    key: str = ""
    said: bool = False  # a line came after the current epoch's header

    def headers_only(self) -> bool:
        """No epoch of the log showed a line of Keras's progress: the ``Epoch k/N`` headers
        were printed by a loop of the student's (``fit(epochs=1, verbose=0)`` per pass, or a
        PyTorch loop), whose epochs end where the next header or the output does."""
        shown = [*self.epochs, *([self.current] if self.current is not None else [])]
        return not any(e.complete or e.steps or e.acc is not None or e.val_acc is not None for e in shown)

    def close(self, interrupted: bool, truncated: bool = False) -> FitLog:
        """Finish the log; an unfinished current epoch marks it interrupted, unless the lines
        were ``truncated`` there (the grader stopped reading: the epoch is left out, unjudged).
        A log of headers alone is interrupted only by an error (``interrupted``): there each
        epoch ran to its end unless an error line came before the next header."""
        if self.headers_only():
            return self._close_headers(interrupted, truncated)
        epochs = list(self.epochs)
        broken = interrupted
        if self.current is not None and (self.current.complete or not truncated):
            epochs.append(self.current)
            broken = broken or not self.current.complete
        if not broken and epochs and epochs[-1].number < self.planned and epochs[-1].complete:
            broken = False  # early stopping: a clean end before the planned epochs
        return FitLog(line=self.line, epochs=tuple(epochs), planned=self.planned,
                      interrupted=broken, train_samples=self.train, val_samples=self.val, acc_key=self.key)

    def _close_headers(self, interrupted: bool, truncated: bool) -> FitLog:
        """`close` for a log of headers alone (see `headers_only`): the epochs a later header
        followed are complete; the last is when something was printed after its header and no
        error stopped it (``interrupted``). A header the output ends on is still running, unless
        the lines were ``truncated`` there (then it is left out, unjudged)."""
        epochs = [replace(e, complete=True) for e in self.epochs]
        ended = self.said and not interrupted
        if self.current is not None and (ended or interrupted or not truncated):
            epochs.append(replace(self.current, complete=ended))
        return FitLog(line=self.line, epochs=tuple(epochs), planned=self.planned,
                      interrupted=self.current is not None and not ended and not (truncated and not interrupted),
                      train_samples=self.train, val_samples=self.val, acc_key=self.key)


def parse_events(lines: Sequence[str], *, accuracy_context: bool = False, truncated: bool = False) -> list[object]:
    """Events in output order: `Summary`, `FitLog`, `Evaluation`, `AccuracyPrint`, `Label`.

    ``accuracy_context``: the cell's code speaks of accuracy, so a line that is just an
    alternative and a fraction (``"LSTM: 0.8664"``) is read as an accuracy print.
    ``truncated``: the lines are the start of the cell's (the grader's bounds cut the rest), so
    a fit log still open at the end is not taken for training stopped mid-epoch.
    """
    table: list[_Column] = []
    events: list[object] = []
    fit: _Open | None = None
    header: tuple[int | None, int | None] = (None, None)
    summary: list[str] | None = None
    summary_line = 0
    last_eval: Evaluation | None = None

    def close_fit(interrupted: bool = False, at_end: bool = False) -> None:
        """Emit the fit log being read, if any (``at_end``: where the lines end)."""
        nonlocal fit
        if fit is not None:
            events.insert(fit.position, fit.close(interrupted, truncated and at_end))
            fit = None

    for no, line in enumerate(lines):
        if summary is not None and no - summary_line > _SUMMARY_MAX_LINES:
            summary = None  # not a summary after all; the lines it swallowed are lost
        if summary is not None:
            if _SUMMARY_END.search(line):
                label = stack_label([x for x in summary])
                events.append(Summary(line=summary_line, label=label, layers=tuple(summary)))
                summary = None
                continue
            for name in _SUMMARY_LAYER.findall(line):
                if name.startswith("Bidirection"):  # Keras 2 wraps long names: "(Bidirectiona" / "l)"
                    summary.append("Bidirectional()")
                    break
                if name in RECURRENT:
                    summary.append(name)
                    break
            continue
        if _CALLBACK.match(line):
            continue
        if _SUMMARY_START.match(line):
            summary, summary_line = [], no
            continue
        m = _TRAIN_ON.search(line)
        if m:
            header = (int(m.group(1)), int(m.group(2)) if m.group(2) else None)
            continue
        m = _EPOCH.match(line)
        if m:
            k, n = int(m.group(1)), int(m.group(2))
            if fit is not None:
                last = fit.current or (fit.epochs[-1] if fit.epochs else None)
                if last is None or k != last.number + 1 or n != fit.planned:
                    close_fit(interrupted=fit.current is not None and not fit.current.complete
                              and not fit.headers_only())
            if fit is None:
                fit = _Open(line=no, planned=n, position=len(events), train=header[0], val=header[1])
                header = (None, None)
            elif fit.current is not None:
                fit.epochs.append(fit.current)
            fit.current = Epoch(number=k, total=n, acc=None, val_acc=None, complete=False)
            fit.said = False
            last_eval = None
            continue
        if fit is not None and line.strip():
            fit.said = True
        if _is_progress(line):
            metrics = _metrics(line)
            counter = _COUNTER.match(line)
            done = counter is None or counter.group(1) == counter.group(2)
            if fit is not None and fit.current is not None and not fit.current.complete:
                acc, key = _pick(metrics, val=False)
                val_acc, _ = _pick(metrics, val=True)
                fit.key = fit.key or key
                fit.current = Epoch(number=fit.current.number, total=fit.current.total, acc=acc,
                                    val_acc=val_acc,
                                    complete=(done and not _still_running(line)) or val_acc is not None,
                                    steps=counter.group(0).strip() if counter else "")
                continue
            acc, key = _pick(metrics, val=False)
            val_acc, _ = _pick(metrics, val=True)
            if done and val_acc is not None and (fit is None or fit.current is None or fit.current.complete):
                # Keras 3 prints no "Epoch 1/1" header for a one-epoch fit
                close_fit()
                events.append(FitLog(line=no, epochs=(Epoch(1, 1, acc, val_acc, True, counter.group(0).strip()
                                                            if counter else ""),),
                                     planned=1, interrupted=False, acc_key=key))
                last_eval = None
                continue
            if done and acc is not None and not any(k.startswith("val_") for k in metrics):
                close_fit()
                number = parse_number(f"{acc}")
                if number is not None:
                    last_eval = Evaluation(line=no, acc=number, form="progress")
                    events.append(last_eval)
            continue
        if _ERROR.match(line):
            if fit is not None and fit.current is not None and not fit.current.complete:
                close_fit(interrupted=True)
            continue
        m = _LIST.match(line) or _DICT_ACC.match(line)
        if m:
            is_dict = m.re is _DICT_ACC
            if is_dict and m.group(1).startswith("val_"):
                continue
            number = parse_number(m.group(2)) if is_dict else parse_number(m.group(2))
            if number is None:
                continue
            if last_eval is not None and abs(last_eval.acc.value - number.value) <= 2e-3 \
                    and last_eval.line >= no - 2:
                continue  # the returned value of the evaluation whose progress line we just read
            close_fit()
            events.append(Evaluation(line=no, acc=number, form="dict" if is_dict else "list"))
            last_eval = None
            continue
        if table:
            found = _table_row(no, line, table)
            if found:
                events.extend(found)
                continue
            table = []
        if _ACC_WORD.search(line):
            found = _accuracy_prints(no, line)
            if found:
                events.extend(found)
                continue
            columns = [_Column(_kind(line[max(0, m.start() - 12):m.end()]), m.start(), m.end())
                       for m in _ACC_WORD.finditer(line)]
            if columns and not _HEADER_NUMBER.search(line):
                table = columns  # the header of a printed table: Model  Val accuracy  Test accuracy
                continue
        label = first_label(line)
        if accuracy_context and label and line.lstrip().startswith("{"):
            found = _labelled_dict(no, line)
            if found:
                events.extend(found)
                continue
        if accuracy_context and label:
            m = _LABEL_NUMBER.fullmatch(line)
            number = parse_number(m["number"].rstrip("% "), m["number"].endswith("%")) if m else None
            if number is not None:
                events.append(AccuracyPrint(line=no, acc=number, kind="", label=label, text=line.strip()))
                continue
        if label and len(line) < 200:
            events.append(Label(line=no, label=label, text=line.strip()))
    close_fit(at_end=True)
    if summary is not None:
        events.append(Summary(line=summary_line, label=stack_label(summary), layers=tuple(summary)))
    return events
