"""The student's own report: accuracies claimed in markdown, a report literal or a report file.

Accepted forms (docs/imdb.md lists them with examples):

- a markdown table with an accuracy column and a column naming the alternative;
- markdown sentences naming an alternative and an accuracy (``"The GRU reached 87.6% test accuracy"``);
- ``imdb_report = {...}`` assigned in a code cell (a dict literal, read with `ast.literal_eval`);
- ``imdb_report.json`` / ``imdb_report.yaml`` beside the notebook in a folder submission.

Percentages and fractions are both read (``86.2%``, ``86.2``, ``0.862``).  Statements
about the validation split (``"20% of the training data for validation"``) are
collected separately.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from grader.discover import REPORT_FILES  # one list: the files discover reads first
from grader.imdb.labels import find_labels, first_label
from grader.imdb.outputs import Number, parse_number

__all__ = ["Claim", "Statement", "claims_from_report", "claims_from_markdown", "read_report_file",
           "REPORT_FILES"]

_MAX_REPORT_BYTES = 256 * 1024
#: YAML is parsed by PyYAML's pure-Python loader (the only one that can refuse aliases): about
#: 8 ms a KB, so 256 KB cost 5-6 s of a worker (rv8). A report is a few hundred bytes.
_MAX_YAML_REPORT_BYTES = 16 * 1024


@dataclass(frozen=True)
class Claim:
    """One reported accuracy and how it checks against the outputs.

    ``kind``: ``"test"``, ``"val"`` or ``""`` (not said).  ``status``: ``"verified"``,
    ``"unverified"`` (no output supports it) or ``"contradicted"`` (the outputs show
    something else for that alternative).  ``evidence`` says which output matched or
    what the outputs show instead.
    """

    source: str
    alternative: str | None
    kind: str
    value: float
    text: str
    tolerance: float
    status: str = "unverified"
    evidence: str = ""


@dataclass(frozen=True)
class Statement:
    """A statement of the validation split: its share of the training data and where it was read.

    ``origin`` is ``"train"``, ``"test"`` or ``""`` (not said).
    """

    source: str
    fraction: float | None
    origin: str
    text: str


_ACC_KEY = re.compile(r"acc", re.I)
_BARE_KEYS = ("val", "valid", "best_val", "val_best", "test", "test_set", "best_test", "dev")
_LABEL_KEYS = ("alternative", "architecture", "model", "name", "type", "layer", "layers", "cell")
_VAL_KEYS = ("validation_split", "validation_fraction", "val_split", "validation", "validation_share")


def _kind_of(text: str) -> str | None:
    """``"test"``/``"val"``/``""`` from a key or header; ``None`` for training accuracy."""
    low = text.lower()
    if "test" in low or "eval" in low:
        return "test"
    if re.search(r"val|dev", low):
        return "val"
    if "train" in low:
        return None
    return ""


def _number(value: Any) -> Number | None:
    """An accuracy from a report value: a number or a string such as ``"86.2%"``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        text = repr(value) if isinstance(value, float) else str(value)
        return parse_number(text) if "e" not in text else parse_number(f"{value:.6f}")
    if isinstance(value, str):
        m = re.search(r"(\d+(?:\.\d+)?|\.\d+)\s*(%)?", value)
        if m:
            return parse_number(m.group(1), bool(m.group(2)))
    return None


def _fraction(value: Any) -> float | None:
    """A validation share from a number (0.2, 20) or a string (``"20%"``)."""
    n = _number(value)
    if n is None or not 0 < n.value < 1:
        return None
    return n.value


def _statement(value: Any, source: str) -> Statement | None:
    """A validation statement from a report value (number, string or mapping)."""
    if isinstance(value, Mapping):
        frac = None
        origin = ""
        for k, v in value.items():
            key = str(k).lower()
            if key in ("split", "fraction", "share", "validation_split", "size", "ratio"):
                frac = _fraction(v)
            elif key in ("from", "source", "taken_from", "origin"):
                text = str(v).lower()
                origin = "test" if "test" in text else "train" if "train" in text else ""
        return Statement(source, frac, origin or ("train" if frac is not None else ""), json.dumps(value, default=str))
    if isinstance(value, str):
        low = value.lower()
        origin = "test" if "test" in low and "train" not in low else "train" if "train" in low else ""
        return Statement(source, _fraction(value), origin, value)
    frac = _fraction(value)
    if frac is not None:
        return Statement(source, frac, "train", str(value))
    return None


def _entry(label: str | None, entry: Any, source: str, claims: list[Claim],
           statements: list[Statement]) -> None:
    """Claims of one model entry of a report."""
    if isinstance(entry, Mapping):
        for key in _LABEL_KEYS:
            if isinstance(entry.get(key), str) and first_label(entry[key]):
                label = first_label(entry[key])
                break
        for key, value in entry.items():
            k = str(key)
            if k.lower() in _VAL_KEYS:
                st = _statement(value, source)
                if st:
                    statements.append(st)
                continue
            if not _ACC_KEY.search(k) and k.lower() not in _BARE_KEYS:
                continue
            kind = _kind_of(k)
            if kind is None:
                continue
            values = value if isinstance(value, list) else [value]
            for v in values:
                n = _number(v)
                if n is not None:
                    claims.append(Claim(source, label, kind, n.value, f"{k}: {v}", n.tolerance))
        return
    n = _number(entry)
    if n is not None:
        claims.append(Claim(source, label, "", n.value, f"{label}: {entry}", n.tolerance))


def claims_from_report(data: Any, source: str) -> tuple[list[Claim], list[Statement]]:
    """Claims and validation statements of a report given as plain data (file or literal); none
    when it holds an integer of more than 4,300 digits, which ``str`` refuses (ValueError): a YAML
    file's or a code literal's in hex (``0x`` and 3,600 digits) made the bonus, so the whole
    submission, a harness failure. None either when it is nested too deeply to write out again
    (RecursionError): ``json.loads`` reads a file's lists a few levels deeper than ``json.dumps``
    of a validation statement can write them from here (988 in ``imdb_report.json`` raised out
    of ``grade_submission``)."""
    try:
        return _report_claims(data, source)
    except (ValueError, RecursionError):
        return [], []


def _report_claims(data: Any, source: str) -> tuple[list[Claim], list[Statement]]:
    """``claims_from_report``, which may raise ValueError (see there)."""
    claims: list[Claim] = []
    statements: list[Statement] = []
    if isinstance(data, list):
        for entry in data:
            _entry(None, entry, source, claims, statements)
        return claims, statements
    if not isinstance(data, Mapping):
        return claims, statements
    for key, value in data.items():
        k = str(key)
        if k.lower() in _VAL_KEYS:
            st = _statement(value, source)
            if st:
                statements.append(st)
        elif k.lower() in ("models", "alternatives", "results", "runs"):
            if isinstance(value, list):
                for entry in value:
                    _entry(None, entry, source, claims, statements)
            elif isinstance(value, Mapping):
                for name, entry in value.items():
                    _entry(first_label(str(name)) or str(name), entry, source, claims, statements)
        elif first_label(k):
            _entry(first_label(k), value, source, claims, statements)
        elif _ACC_KEY.search(k):
            _entry(None, {k: value}, source, claims, statements)
    return claims, statements


@functools.cache
def _no_alias_loader() -> type:
    """The loader of YAML reports, made on first use: PyYAML (20-25 ms of CPU to import) is
    imported by the rare worker that meets a YAML report, not by every grading process."""
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        """PyYAML's safe loader refusing aliases (``*name``): a few hundred bytes of aliases of
        aliases stand for billions of values, which the report's readers would follow (``str``,
        ``json.dumps``) in the worker, outside the sandbox. A report has no use for them."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            """The next node, unless it is an alias."""
            if self.check_event(yaml.AliasEvent):
                raise yaml.composer.ComposerError(None, None, _ALIAS, self.peek_event().start_mark)
            return super().compose_node(parent, index)

    return NoAliasLoader


def read_report_file(name: str, data: bytes) -> tuple[Any, str | None]:
    """Parse a report file's bytes (JSON or YAML without aliases); returns ``(data, error
    message or None)``."""
    limit = _MAX_REPORT_BYTES if name.endswith(".json") else _MAX_YAML_REPORT_BYTES
    if len(data) > limit:
        return None, f"{name} is larger than {limit // 1024} KB and was not read"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, f"{name} is not UTF-8 text"
    if name.endswith(".json"):
        try:
            return json.loads(text), None
        except (ValueError, RecursionError) as exc:
            return None, _unreadable(name, "JSON", text, exc)
    import yaml

    try:
        return yaml.load(text, Loader=_no_alias_loader()), None  # noqa: S506 - a safe loader
    except (ValueError, yaml.YAMLError, RecursionError) as exc:
        return None, _unreadable(name, "YAML", text, exc)


#: The YAML loader's refusal of an alias (``_no_alias_loader``), told apart from a syntax error.
_ALIAS = "a report file may not use YAML aliases (*name)"
#: The characters of a parser's own description kept (PyYAML's may quote the student's text).
_MAX_PROBLEM = 100


def _unreadable(name: str, kind: str, text: str, exc: BaseException) -> str:
    """What the student reads when report file ``name`` (``kind``: JSON or YAML) does not parse:
    what is wrong and where, and that the rest of the bonus still counts, in a bounded length
    (at most ``_MAX_PROBLEM`` characters of the parser's text). The parser's first line said
    neither where nor, for YAML, what ("imdb_report.yaml could not be read: while parsing a
    block mapping"), and an empty file read as "Expecting value: line 1 column 1 (char 0)"."""
    line = column = None
    if isinstance(exc, RecursionError):
        what = f"it is not valid {kind}: its lists or dicts are nested too deeply"
    elif not text.strip():
        what = "the file is empty"
    elif isinstance(exc, json.JSONDecodeError):
        what, line, column = f"it is not valid {kind} ({exc.msg})", exc.lineno, exc.colno
    else:
        problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or \
            (str(exc).splitlines() or [type(exc).__name__])[0]
        if len(problem) > _MAX_PROBLEM:
            problem = problem[:_MAX_PROBLEM - 3] + "..."
        what = _ALIAS if problem == _ALIAS else f"it is not valid {kind} ({problem})"
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        if mark is not None:
            line, column = mark.line + 1, mark.column + 1
    where = f", at line {line}, column {column}" if line is not None else ""
    return (f"{name} could not be read: {what}{where}. No accuracy was read from this file; those "
            f"in the notebook's outputs and markdown still count.")


# -- markdown -------------------------------------------------------------------

_MD_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}\.\d+|\.\d+|\d{1,3}(?=\s*%))\s*(%)?")
_SPLIT_AFTER = re.compile(r"^\s*(?:%\s*)?(?:of\s+(?:the\s+)?(?:training|train|data|samples|reviews)|"
                          r"(?:for|as)\s+(?:the\s+)?validation|validation\s+split|epochs?|layers?|units?|"
                          r"hidden|dimensions?|words?|tokens?|dropout|batch)", re.I)
_SPLIT_BEFORE = re.compile(r"(?:split|validation_split|dropout|learning rate|lr|batch|test_size|held out|"
                           r"hold[- ]out|val(?:idation)?\s+(?:size|fraction|share|percentage))\s*(?:of|=|:|is|was)?\s*$",
                           re.I)
# numbers that are not accuracies: "loss 0.31", "test score: 0.35", "F1 of 0.84"
_OTHER_METRIC = re.compile(r"(?:loss|score|precision|recall|f1|auc|error|mse|mae|rate)\s*(?:of|=|:|is|was|was about)?\s*$",
                           re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z*])|\n+")
# The same patterns tried at a position (``pattern.match(s, pos)``) instead of on a copy of the
# rest of the sentence: _SPLIT_AFTER without its "^" (which would not match at ``pos``).
_SPLIT_AFTER_AT = re.compile(_SPLIT_AFTER.pattern.removeprefix("^"), re.I)
# Their blanks are read atomically, each run whole (``(?=(\s*))\1``: what a possessive ``\s*+`` reads,
# which Python 3.10's re lacks; what follows each run is no blank): \s*%?\s* split a run of
# blanks after a number's "%" every way between its two \s*, "The validation split was 20%" and
# 32,000 spaces 24 s of a worker, the markdown's 300,000 characters about half an hour (37th session).
_ACC_AFTER = re.compile(r"(?=(\s*))\1(?:%(?=(\s*))\2)?(?:test(?=(\s+))\3|validation(?=(\s+))\4)?acc", re.I)
_COUNT_AFTER = re.compile(r"(?=(\s*))\1(?:%(?=(\s*))\2)?(?:epoch|layer|unit|word)", re.I)
# _SPLIT_BEFORE and _OTHER_METRIC end in "$": they are tried on the text before a number.  Their
# longest match is 29 characters when no run of whitespace is longer than two ("validation
# percentage" and the "of/=/:/is/was" that may follow, with their spaces; "precision was about"),
# so they are tried on the last _BEFORE_WINDOW characters before the number in a copy of the
# sentence whose runs of three or more whitespace characters are cut to their first two (which
# changes no match: a run of whitespace inside a match is read by \s* or \s+ whatever its
# length, and the single spaces of "learning rate", "held out", "hold out", "was about" are
# runs of one). Before, the whole text before every number was searched: n² in a sentence.
_BEFORE_WINDOW = 64
_LONG_SPACE = re.compile(r"\s{3,}")
#: A Keras log line pasted into markdown ("25000/25000 [====] - 559s - loss: 0.50 - acc: 0.75 - val_loss:
#: 0.58 - val_acc: 0.69", the underscores gone with the emphasis): there a number is the value of the
#: key just before it, and a bare ``acc``/``accuracy`` is the training accuracy. Read as prose, the
#: training accuracy took its kind from the ``val_loss`` after it and was a validation accuracy no
#: output showed (a real notebook's two pasted logs: 20 "not backed by any output" lines).
#: A counter is tried at the start of a run of digits only (tried inside one, a run of n digits took
#: n² steps: 200,000 of them in a markdown cell, a minute).
_KERAS_LOG_LINE = re.compile(r"(?<!\d)\d+/\d+\s*\[[=>.]|\bloss:\s*\d+(?:\.\d+)?\s+-\s", re.I)


def _log_key(s: str, lo: int, end: int) -> str | None:
    """The key of a ``key: value`` whose value starts at ``end`` (``s[lo:end]`` ends ``"acc: "``),
    read backwards once: a pattern tried at every position of a long word before the number took
    steps in the square of its length."""
    j = end
    while j > lo and s[j - 1].isspace():
        j -= 1
    if j <= lo or s[j - 1] != ":":
        return None
    j -= 1
    while j > lo and s[j - 1].isspace():
        j -= 1
    k = j
    while k > lo and (s[k - 1].isalnum() or s[k - 1] == "_"):
        k -= 1
    return s[k:j] if k < j else None


def _table_rows(text: str) -> list[list[str]]:
    """Rows of the markdown tables in ``text`` (each a list of cell texts), separator rows dropped."""
    rows = []
    for line in text.splitlines():
        s = line.strip()
        if not s.startswith("|") and s.count("|") < 2:
            if rows and rows[-1] != []:
                rows.append([])
            continue
        cells = [c.strip() for c in s.strip("|").split("|")]
        if all(re.fullmatch(r":?-{2,}:?", c) or not c for c in cells):
            continue
        rows.append(cells)
    return rows


def _tables(text: str) -> Iterable[list[list[str]]]:
    """Each markdown table as a list of rows, its header first."""
    table: list[list[str]] = []
    for row in _table_rows(text) + [[]]:
        if row:
            table.append(row)
        elif table:
            yield table
            table = []


#: An image written into the text (``![fig](data:image/png;base64,iVBO...)``, ``<img src="data:...">``):
#: its letters are no prose, and a blob of them holds "acc" somewhere, which made a section
#: heading ("1.1 - RNN Cell") read as a SimpleRNN accuracy of 1.1 % that no output backs.
#: A parameter is a name and an optional ``=value``, one way only: ``[\w.+-]+=?[\w.+-]*`` split a
#: name of n letters n ways, and a line of m such parameters without ``;base64,`` after them took
#: n**m steps to refuse (``data:a/b;aaaaaaaaaa;...`` in a markdown cell: 8 of them, 24 s).
_DATA_URI = re.compile(r"data:[\w.+-]+/[\w.+-]+(?:;[\w.+-]+(?:=[\w.+-]*)?)*;base64,[A-Za-z0-9+/=\s]*")


def without_images(text: str) -> str:
    """``text`` without the images written into it (data URIs), each left as a space: what a
    markdown cell says, and what the bonus's budget of markdown counts."""
    return _DATA_URI.sub(" ", text) if "data:" in text else text


def _plain_md(text: str) -> str:
    """Markdown without images written into it, emphasis, code ticks and HTML tags."""
    text = without_images(text)
    # A tag ends at a ">": none starts after the last one, where trying the pattern at every
    # "<" ran to the end of the text each time (n² steps for a cell of unclosed tags).
    end = text.rfind(">") + 1
    text = re.sub(r"<[^>]+>", " ", text[:end]) + text[end:]
    return re.sub(r"[*_`]{1,3}", "", text).replace("&nbsp;", " ")


def _squeezed(s: str) -> tuple[str, list[int], list[int]]:
    """``s`` with every run of three or more whitespace characters cut to its first two, and
    how to map a position: ``(squeezed, ends, removed)`` where ``removed[k]`` characters were
    cut before ``ends[k]`` (the end of the k-th long run in ``s``)."""
    parts: list[str] = []
    ends: list[int] = []
    removed: list[int] = []
    last = cut = 0
    for m in _LONG_SPACE.finditer(s):
        parts.append(s[last:m.start() + 2])
        last = m.end()
        cut += m.end() - m.start() - 2
        ends.append(m.end())
        removed.append(cut)
    parts.append(s[last:])
    return "".join(parts), ends, removed


def _sentence_claims(s: str, source: str, cell_mentions_accuracy: bool, claims: list[Claim],
                     statements: list[Statement]) -> None:
    """Claims and validation statements of one sentence ``s`` (appended to the lists).

    Linear in the sentence (but for a log factor): every pattern is tried at a number's
    position or on a bounded window before it, and the neighbours of a number (the numbers
    and labels before and after it) are found by index, since both come in order.
    """
    numbers = list(_MD_NUMBER.finditer(s))
    if not numbers:
        return
    low = s.lower()
    is_val_statement = re.search(r"validat|held[- ]out|hold[- ]out", low)
    origin = "test" if "test" in low and "train" not in low else "train" if "train" in low else ""
    says_accuracy = bool(_ACC_KEY.search(s))
    keras_log = bool(_KERAS_LOG_LINE.search(s))
    labels = find_labels(s)
    label_starts = [lab[0] for lab in labels]
    label_ends = [lab[1] for lab in labels]
    squeezed, run_ends, run_removed = _squeezed(s)

    def before_matches(pattern: re.Pattern[str], pos: int) -> bool:
        """``pattern.search(s[:pos])``, on a bounded window of the squeezed sentence."""
        k = bisect.bisect_right(run_ends, pos)
        at = pos - (run_removed[k - 1] if k else 0)
        return bool(pattern.search(squeezed, max(0, at - _BEFORE_WINDOW), at))

    for i, m in enumerate(numbers):
        pct = bool(m.group(2))
        split_after = _SPLIT_AFTER_AT.match(s, m.end())
        if is_val_statement and (split_after or before_matches(_SPLIT_BEFORE, m.start())) \
                and not _ACC_AFTER.match(s, m.end()):
            n = parse_number(m.group(1), pct)
            if n is not None and 0 < n.value < 1 and not _COUNT_AFTER.match(s, m.end()):
                statements.append(Statement(source, n.value, origin, s))
            continue
        if split_after or before_matches(_SPLIT_BEFORE, m.start()) or before_matches(_OTHER_METRIC, m.start()):
            continue
        if not says_accuracy and not (cell_mentions_accuracy and labels):
            continue
        n = parse_number(m.group(1), pct)
        if n is None:
            continue
        p = bisect.bisect_right(label_ends, m.start())  # labels[:p] end before the number
        f = bisect.bisect_left(label_starts, m.end())  # labels[f:] start after it
        label = labels[p - 1][2] if p else labels[f][2] if f < len(labels) else None
        lo = max(labels[p - 1][1] if p else 0, numbers[i - 1].end() if i else 0)
        kind = _kind_of(s[lo:m.start()])
        key = _log_key(s, lo, m.start()) if keras_log else None
        if key is not None:  # a pasted log's "key: value": a bare acc/accuracy is training's
            kind = _kind_of(key) or None
        elif kind == "":  # "86% test accuracy": the words after the number
            stop = min(numbers[i + 1].start(), m.end() + 30) if i + 1 < len(numbers) else m.end() + 30
            kind = _kind_of(s[m.end():stop])
        if kind is None:
            continue
        claims.append(Claim(source, label, kind, n.value, s if len(s) < 160 else s[:157] + "...", n.tolerance))


def claims_from_markdown(text: str, source: str) -> tuple[list[Claim], list[Statement]]:
    """Claims from the tables and sentences of one markdown cell."""
    claims: list[Claim] = []
    statements: list[Statement] = []
    text = _plain_md(text)
    cell_mentions_accuracy = bool(_ACC_KEY.search(text))
    table_lines: set[str] = set()
    for table in _tables(text):
        header = table[0]
        table_lines.add("|".join(header))
        acc_cols = [(k, _kind_of(h)) for k, h in enumerate(header) if _ACC_KEY.search(h)]
        acc_keys = dict(acc_cols)  # once a table, not once a cell (a wide table: cells × columns)
        for row in table[1:]:
            table_lines.add("|".join(row))
            label = first_label(" ".join(c for k, c in enumerate(row) if k not in acc_keys))
            for k, kind in acc_cols:
                if kind is None or k >= len(row):
                    continue
                m = _MD_NUMBER.search(row[k]) or re.search(r"(\d+(?:\.\d+)?)\s*(%)?", row[k])
                n = parse_number(m.group(1), bool(m.group(2)) or "%" in header[k]) if m else None
                if n is not None:
                    claims.append(Claim(source, label, kind, n.value, f"{header[k]}: {row[k]}".strip(), n.tolerance))
        if not acc_cols and len(header) >= 2:  # transposed table: alternatives as columns
            for row in table[1:]:
                if not row or not _ACC_KEY.search(row[0]):
                    continue
                kind = _kind_of(row[0])
                for k, cell in enumerate(row[1:], 1):
                    label = first_label(header[k]) if k < len(header) else None
                    m = _MD_NUMBER.search(cell)
                    n = parse_number(m.group(1), bool(m.group(2))) if m else None
                    if n is not None and kind is not None and label:
                        claims.append(Claim(source, label, kind, n.value, f"{row[0]} {header[k]}: {cell}", n.tolerance))
    for sentence in _SENTENCE.split(text):
        s = re.sub(r"^(?:[-*+•]|\d+[.)]|#+)\s+", "", sentence.strip())
        if not s or "|" in s and "|".join(c.strip() for c in s.strip("|").split("|")) in table_lines:
            continue
        _sentence_claims(s, source, cell_mentions_accuracy, claims, statements)
    return claims, statements
