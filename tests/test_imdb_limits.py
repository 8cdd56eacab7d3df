"""The IMDB bonus's readers of student text: linear, bounded, and the same as before.

Seventh session (docs/imdb.md, "The bonus's readers"): the markdown claims reader and the
labels finder were quadratic in one sentence, the claim check cost claims x printed
accuracies, and nothing bounded how much markdown and output the bonus read.  The old
functions are kept here as written before (the references): the new ones must give the
same claims, statements and labels on generated texts and on the class's notebooks.
"""

from __future__ import annotations

import random
import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from grader.imdb import ImdbConfig, score
from grader.imdb import claims as cm
from grader.imdb import labels as lm
from grader.imdb.claims import Claim, Statement, claims_from_markdown
from grader.imdb.labels import find_labels
from grader.imdb.outputs import parse_number
from grader.notebook import Cell, Notebook, SubmissionError, load


# -- the references: the functions as they were (0acf129 .. 8537e00) ------------------------

_OLD_BASE = r"(lstm|gru|simple\s*-?rnn|vanilla\s+rnn|basic\s+rnn|rnn)"
_OLD_PATTERNS = (
    (re.compile(r"\bbi(?:[\s_-]?directional)?[\s_-]*\(?\s*(?:cudnn)?(lstm|gru|simple\s*-?rnn|rnn)\b", re.I), "bi"),
    (re.compile(r"\b(?:stacked|deep|two[\s-]*layers?|2[\s-]*layers?|double|two)[\s_-]*(?:cudnn)?"
                + _OLD_BASE + r"s?\b", re.I), "x2"),
    (re.compile(r"\b(?:cudnn)?" + _OLD_BASE + r"\s*(?:x\s*|\*\s*|×\s*)(\d)\b", re.I), "xn"),
    (re.compile(r"\b(?:cudnn)?" + r"(lstm|gru|simple\s*-?rnn|simplernn)\b", re.I), "plain"),
    (re.compile(r"\b(vanilla\s+rnn|basic\s+rnn|rnn)\b", re.I), "plain"),
)


def old_find_labels(text: str) -> list[tuple[int, int, str]]:
    """`labels.find_labels` as it was (the reference): every match against every span taken."""
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind in _OLD_PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            base = lm._base(m.group(1))
            if kind == "bi":
                label = f"Bidirectional({base})"
            elif kind == "x2":
                label = f"{base} x2"
            elif kind == "xn":
                label = base if m.group(2) == "1" else f"{base} x{m.group(2)}"
            else:
                label = base
            found.append((m.start(), m.end(), label))
            taken.append((m.start(), m.end()))
    return sorted(found)


def old_first_label(text: str) -> str | None:
    """`labels.first_label` over the reference `old_find_labels`."""
    found = old_find_labels(text)
    return found[0][2] if found else None


def old_claims_from_markdown(text: str, source: str) -> tuple[list[Claim], list[Statement]]:
    """`claims_from_markdown` as it was before the seventh session (the reference), with the
    thirtieth session's reading of a Keras log line pasted into markdown (a number is its key's)."""
    claims: list[Claim] = []
    statements: list[Statement] = []
    text = cm._plain_md(text)
    cell_mentions_accuracy = bool(cm._ACC_KEY.search(text))
    table_lines: set[str] = set()
    for table in cm._tables(text):
        header = table[0]
        table_lines.add("|".join(header))
        acc_cols = [(k, cm._kind_of(h)) for k, h in enumerate(header) if cm._ACC_KEY.search(h)]
        for row in table[1:]:
            table_lines.add("|".join(row))
            label = old_first_label(" ".join(c for k, c in enumerate(row) if k not in dict(acc_cols)))
            for k, kind in acc_cols:
                if kind is None or k >= len(row):
                    continue
                m = cm._MD_NUMBER.search(row[k]) or re.search(r"(\d+(?:\.\d+)?)\s*(%)?", row[k])
                n = parse_number(m.group(1), bool(m.group(2)) or "%" in header[k]) if m else None
                if n is not None:
                    claims.append(Claim(source, label, kind, n.value, f"{header[k]}: {row[k]}".strip(), n.tolerance))
        if not acc_cols and len(header) >= 2:  # transposed table: alternatives as columns
            for row in table[1:]:
                if not row or not cm._ACC_KEY.search(row[0]):
                    continue
                kind = cm._kind_of(row[0])
                for k, cell in enumerate(row[1:], 1):
                    label = old_first_label(header[k]) if k < len(header) else None
                    m = cm._MD_NUMBER.search(cell)
                    n = parse_number(m.group(1), bool(m.group(2))) if m else None
                    if n is not None and kind is not None and label:
                        claims.append(Claim(source, label, kind, n.value, f"{row[0]} {header[k]}: {cell}", n.tolerance))
    for sentence in cm._SENTENCE.split(text):
        s = re.sub(r"^(?:[-*+•]|\d+[.)]|#+)\s+", "", sentence.strip())
        if not s or "|" in s and "|".join(c.strip() for c in s.strip("|").split("|")) in table_lines:
            continue
        low = s.lower()
        numbers = list(cm._MD_NUMBER.finditer(s))
        if not numbers:
            continue
        is_val_statement = re.search(r"validat|held[- ]out|hold[- ]out", low)
        labels = old_find_labels(s)
        for m in numbers:
            after, before = s[m.end():], s[:m.start()]
            pct = bool(m.group(2))
            if is_val_statement and (cm._SPLIT_AFTER.match(after) or cm._SPLIT_BEFORE.search(before)) \
                    and not re.match(r"\s*%?\s*(?:test\s+|validation\s+)?acc", after, re.I):
                n = parse_number(m.group(1), pct)
                if n is not None and 0 < n.value < 1 and not re.match(r"\s*%?\s*(?:epoch|layer|unit|word)", after, re.I):
                    origin = "test" if "test" in low and "train" not in low else "train" if "train" in low else ""
                    statements.append(Statement(source, n.value, origin, s))
                continue
            if cm._SPLIT_AFTER.match(after) or cm._SPLIT_BEFORE.search(before) or cm._OTHER_METRIC.search(before):
                continue
            if not cm._ACC_KEY.search(s) and not (cell_mentions_accuracy and labels):
                continue
            n = parse_number(m.group(1), pct)
            if n is None:
                continue
            preceding = [lab for lab in labels if lab[1] <= m.start()]
            following = [lab for lab in labels if lab[0] >= m.end()]
            label = preceding[-1][2] if preceding else following[0][2] if following else None
            previous = [x.end() for x in numbers if x.end() <= m.start()]
            lo = max([preceding[-1][1] if preceding else 0] + previous)
            nxt = [x.start() for x in numbers if x.start() >= m.end()]
            kind = cm._kind_of(s[lo:m.start()])
            log_line = re.search(r"(?<!\d)\d+/\d+\s*\[[=>.]", s) or re.search(r"\bloss:\s*\d+(?:\.\d+)?\s+-\s", s, re.I)
            key = re.search(r"(\w+)\s*:\s*$", s[lo:m.start()]) if log_line else None
            if key:
                kind = cm._kind_of(key.group(1)) or None
            elif kind == "":  # "86% test accuracy": the words after the number
                kind = cm._kind_of(s[m.end():min(nxt + [m.end() + 30])])
            if kind is None:
                continue
            claims.append(Claim(source, label, kind, n.value, s if len(s) < 160 else s[:157] + "...", n.tolerance))
    return claims, statements


def old_check_claim(claim: Claim, runs, config: ImdbConfig, have_outputs: bool) -> Claim:
    """`score._check_claim` as it was (the reference): every claim against every accuracy."""
    below = max(config.claim_tolerance, claim.tolerance / 2) + 1e-9
    above = max(config.claim_tolerance, claim.tolerance) + 1e-9

    def values(run, kind):
        """The run's pairs of a kind."""
        if kind == "test":
            return run.tests
        if kind == "val":
            return run.vals
        return run.tests + run.vals

    def match(pool, kind):
        """The first run in ``pool`` with a matching accuracy."""
        for run in pool:
            for v, desc in values(run, kind):
                if claim.value - below <= v <= claim.value + above:
                    return run, f"{desc} shows {score._fmt(v)}"
        return None

    if not have_outputs:
        return replace(claim, status="unverified", evidence="the notebook has no outputs to check it against")
    same = []
    if claim.alternative:
        same = [r for r in runs if r.alternative == claim.alternative] or \
               [r for r in runs if lm.family(r.alternative) == lm.family(claim.alternative)]
    if same:
        found = match(same, claim.kind) or match(same, "")
        if found:
            return replace(claim, status="verified", evidence=found[1])
        shown = [v for r in same for v, _ in values(r, claim.kind)] or [v for r in same for v, _ in values(r, "")]
        if shown:
            what = {"test": "test accuracy", "val": "validation accuracy"}.get(claim.kind, "accuracy")
            best = max(shown)
            return replace(claim, status="contradicted",
                           evidence=f"the outputs of the {claim.alternative} model show {what} "
                                    f"{score._fmt(best) if len(shown) == 1 else 'at most ' + score._fmt(best)}")
    found = match(runs, claim.kind) or match(runs, "")
    if found and (not claim.alternative or found[0].alternative in (None, claim.alternative)):
        return replace(claim, status="verified", evidence=found[1])
    if found:
        return replace(claim, status="unverified",
                       evidence=f"the value matches the {found[0].alternative} model's output, "
                                f"not a {claim.alternative} model's")
    return replace(claim, status="unverified", evidence="no output in the notebook shows this accuracy")


# -- texts to compare on -----------------------------------------------------------------------

_WORDS = ("accuracy", "Accuracy", "acc", "test", "Test accuracy", "test accuracy", "val_acc", "validation",
          "validation accuracy", "val", "dev", "train", "training", "eval", "evaluation", "held out", "hold-out",
          "split", "validation split", "validation_split", "validation size", "val  fraction", "dropout",
          "learning rate", "learning\trate", "lr", "batch", "test_size", "loss", "score", "precision", "recall",
          "F1", "auc", "error", "mse", "mae", "rate", "was about", "of", "=", ":", "is", "was", "of the",
          "of the training data", "for validation", "as the validation", "epochs", "layers", "units", "hidden",
          "words", "tokens", "reached", "got", "the", "model", "our", "and", "with", "%", "(", ")", ",", ";",
          "LSTM", "lstm", "GRU", "gru", "SimpleRNN", "simple rnn", "Simple-RNN", "RNN", "vanilla RNN",
          "basic rnn", "Bidirectional(LSTM)", "Bidirectional( GRU)", "bi-lstm", "BiGRU", "bi directional rnn",
          "bidirectional_lstm", "stacked LSTM", "two-layer GRU", "2 layers lstm", "deep rnns", "double gru",
          "LSTM x2", "GRU * 3", "lstm×2", "CuDNNLSTM", "cudnngru", "x", "*", "two", "bi", "**", "`",
          "<b>", "</b>", "&nbsp;", "|", "---", "#", "-", "1.", "•")
_SPACES = (" ", " ", " ", "  ", "   ", "\t", " \t  ", "      ", "\n", "\n\n", ". ", "! ", "? ", ".\n", "   \n ")


def _number(rng: random.Random) -> str:
    """A number as a student writes one: fraction, percentage, integer, with or without ``%``."""
    form = rng.randrange(7)
    if form == 0:
        text = f"0.{rng.randrange(10**rng.randint(1, 4))}"
    elif form == 1:
        text = f"{rng.uniform(40, 100):.{rng.randint(0, 3)}f}"
    elif form == 2:
        text = str(rng.randint(0, 120))
    elif form == 3:
        text = f".{rng.randint(1, 99)}"
    elif form == 4:
        text = f"{rng.randint(1, 9)}.{rng.randint(0, 9)}"
    elif form == 5:
        text = f"{rng.randint(1000, 99999)}"
    else:
        text = f"0.{rng.randint(80, 89)}{rng.randint(0, 9)}"
    return text + rng.choice(("", "", "%", " %", "  %"))


def _sentence(rng: random.Random) -> str:
    """A random mix of the vocabulary the readers know, numbers and spaces."""
    parts = []
    for _ in range(rng.randint(1, 24)):
        parts.append(_number(rng) if rng.random() < 0.3 else rng.choice(_WORDS))
        parts.append(rng.choice(_SPACES) if rng.random() < 0.3 else " ")
    return "".join(parts)


def _table(rng: random.Random) -> str:
    """A markdown table, straight (accuracy columns) or transposed (alternatives as columns)."""
    names = ["LSTM", "GRU", "SimpleRNN", "Bidirectional(LSTM)", "stacked GRU", "model"]
    if rng.random() < 0.5:
        header = ["Model"] + rng.sample(["Test accuracy", "Val acc", "Train acc", "accuracy (%)", "Loss"],
                                        rng.randint(1, 3))
        rows = [[rng.choice(names)] + [_number(rng) for _ in header[1:]] for _ in range(rng.randint(1, 5))]
    else:
        header = [""] + rng.sample(names, rng.randint(1, 4))
        rows = [[rng.choice(["test accuracy", "val acc", "train accuracy", "loss"])] +
                [_number(rng) for _ in header[1:]] for _ in range(rng.randint(1, 3))]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _cell_text(rng: random.Random) -> str:
    """A markdown cell: sentences and tables."""
    return "\n".join(_table(rng) if rng.random() < 0.2 else _sentence(rng) for _ in range(rng.randint(1, 4)))


def _class_markdown(folder: Path) -> list[str]:
    """The markdown cells and output lines of ``folder``'s notebooks that have a bonus."""
    texts = []
    for path in sorted(folder.glob("*.ipynb")):
        try:
            nb = load(path)
        except SubmissionError:
            continue
        if "imdb" not in path.name and not any("imdb" in c.source.lower() for c in nb.cells):
            continue
        texts += [c.source for c in nb.cells if c.kind == "markdown"]
        texts += [line for c in nb.cells for out in c.outputs for line in out.splitlines()]
    return texts


# -- sameness ----------------------------------------------------------------------------------

def test_new_readers_match_the_references_on_generated_texts():
    """Claims, statements and labels of 3,000 generated cells are those the old readers found."""
    rng = random.Random(7)
    seen_claims = seen_statements = 0
    for _ in range(3000):
        text = _cell_text(rng)
        assert claims_from_markdown(text, "m") == old_claims_from_markdown(text, "m"), text
        assert find_labels(text) == old_find_labels(text), text
        got = claims_from_markdown(text, "m")
        seen_claims += len(got[0])
        seen_statements += len(got[1])
    # the texts exercise the readers: many claims and some validation statements
    assert seen_claims > 1000 and seen_statements > 50, (seen_claims, seen_statements)


def test_new_readers_match_the_references_on_spaces_and_edges():
    """Long runs of whitespace before a number (the squeezed window), and the window's edges."""
    cases = []
    for ws in ("", " ", "  ", "   ", " " * 70, "\t" * 40, " \t" * 50, "\u2003" * 5):
        for key in ("validation" + ws + "percentage" + ws + "was" + ws, "validation split" + ws + "of" + ws,
                    "learning" + ws + "rate" + ws, "held" + ws + "out" + ws, "precision" + ws + "was about" + ws,
                    "loss" + ws + "=" + ws, "x" * 70 + " split" + ws, "split" + ws + "x" * 70 + ws):
            cases.append(f"Our LSTM: held-out validation {key}0.2 and test accuracy {key}86.5%")
            cases.append(f"accuracy {key}0.85 GRU")
    for text in cases:
        assert claims_from_markdown(text, "m") == old_claims_from_markdown(text, "m"), text
        assert find_labels(text) == old_find_labels(text), text


def test_new_readers_match_the_references_on_the_class(tmp_path):
    """The markdown and output lines of the bonus notebooks of the benchmark's class of 400
    (``benchmarks/bench_grading.py``, written here: it used to be read from a folder only the
    session that wrote this test had, and was skipped everywhere else) read as before."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import bench_grading

    kinds = bench_grading.write_class(tmp_path, 400)
    texts = _class_markdown(tmp_path)
    assert sum(kind == "correct_imdb" for kind in kinds.values()) >= 50 and len(texts) > 1000, len(texts)
    for text in texts:
        assert claims_from_markdown(text, "m") == old_claims_from_markdown(text, "m"), text
        assert find_labels(text) == old_find_labels(text), text


def _runs(rng: random.Random) -> list[score._Run]:
    """Runs with random alternatives and output accuracies (some NaN, some repeated)."""
    alternatives = [None, "LSTM", "GRU", "LSTM x2", "SimpleRNN", "Bidirectional(LSTM)"]
    runs = []
    for k in range(rng.randint(0, 6)):
        run = score._Run(fit=None, cell=k, var=None, alternative=rng.choice(alternatives), alternative_from="")
        for target in (run.tests, run.vals):
            for j in range(rng.randint(0, 4)):
                v = rng.choice((float("nan"), round(rng.uniform(0.5, 0.95), rng.randint(2, 4)), 0.85, 0.8534))
                target.append((v, f"output {k}.{j}"))
        runs.append(run)
    return runs


def test_claim_check_matches_the_reference():
    """`_check_claim` over shared pools gives the status and evidence the old check gave."""
    rng = random.Random(11)
    config = ImdbConfig()
    statuses = set()
    for _ in range(1500):
        runs = _runs(rng)
        pools = score._Pools()
        for _ in range(rng.randint(1, 6)):
            number = parse_number(rng.choice(("0.85", "85.3", "0.8534", "86.0", "0.9", "0.7")), rng.random() < 0.3)
            claim = Claim("m", rng.choice((None, "LSTM", "GRU", "LSTM x2", "Bidirectional(LSTM)")),
                          rng.choice(("test", "val", "")), number.value, "t", number.tolerance)
            have = rng.random() < 0.95
            new = score._check_claim(claim, runs, config, have, pools)
            assert new == old_check_claim(claim, runs, config, have)
            statuses.add(new.status)
    assert statuses == {"verified", "unverified", "contradicted"}


# -- bounds: what is past them is not read, and the feedback says so ---------------------------

_TRAIN = ("from keras.datasets import imdb\nmodel = Sequential([Embedding(10000, 32), LSTM(32), Dense(1)])\n"
          "model.fit(x, y, epochs=2, validation_split=0.2)\nprint('test accuracy', model.evaluate(xt, yt)[1])\n")
_LOG = ("Epoch 1/2\n625/625 - 10s - loss: 0.5 - accuracy: 0.75 - val_loss: 0.4 - val_accuracy: 0.83\n"
        "Epoch 2/2\n625/625 - 10s - loss: 0.3 - accuracy: 0.88 - val_loss: 0.35 - val_accuracy: 0.86\n"
        "test accuracy 0.8534\n")


def _notebook(*cells: tuple[str, str, tuple[str, ...]]) -> Notebook:
    """A notebook of ``(kind, source, outputs)`` cells."""
    return Notebook(path="t.ipynb", cells=tuple(Cell(i, kind, src, out) for i, (kind, src, out) in enumerate(cells)),
                    nbformat=(4, 5))


def _score(nb: Notebook):
    """`score_imdb` with fresh memos."""
    score.clear_memos()
    return score.score_imdb(nb, config=ImdbConfig())


def test_markdown_past_the_bound_is_not_read_and_the_feedback_says_so(monkeypatch):
    """A claim past the markdown read is not a claim; within it, it is verified. The budget goes
    to the cells that speak of accuracy first (eighth session), and a cut drops the word it
    falls in."""
    claim = ("markdown", "The LSTM reached 85.34% test accuracy.", ())
    result = _score(_notebook(("code", _TRAIN, (_LOG,)), ("markdown", "words " * 100, ()), claim))
    assert [(c.alternative, c.status) for c in result.claims] == [("LSTM", "verified")]
    assert not any("not read" in f for f in result.feedback)
    monkeypatch.setattr(score, "MAX_MARKDOWN_CHARS", 500)
    result = _score(_notebook(("code", _TRAIN, (_LOG,)), ("markdown", "words " * 100, ()), claim))
    assert [(c.alternative, c.status) for c in result.claims] == [("LSTM", "verified")]  # read first
    assert any("Markdown cell 2 (its first 462 characters) was not read in full for reported accuracies" in f
               for f in result.feedback), result.feedback
    monkeypatch.setattr(score, "MAX_MARKDOWN_CHARS", 20)
    result = _score(_notebook(("code", _TRAIN, (_LOG,)), ("markdown", "words " * 100, ()), claim))
    assert result.claims == ()
    assert any("Markdown cell 2 (not read), cell 3 (its first 17 characters) were not read in full" in f
               for f in result.feedback), result.feedback  # "The LSTM reached 85.3": the number dropped
    # a cell cut in the middle: the part read still gives its claims
    monkeypatch.setattr(score, "MAX_MARKDOWN_CHARS", 500)
    result = _score(_notebook(("code", _TRAIN, (_LOG,)), ("markdown", claim[1] + " words" * 200, ())))
    assert [(c.alternative, c.status) for c in result.claims] == [("LSTM", "verified")]


# the filler cell costs 2,940 + 245 x LINE_COST of lines, and 2,940 + 245 x BREAK_COST + OUTPUT_COST to
# replay; the training cell 205 + 5 x LINE_COST, and 205 + 5 x BREAK_COST + OUTPUT_COST
@pytest.mark.parametrize("bound, value, small", [("MAX_OUTPUT_CHARS", 10_500, 400),
                                                  ("MAX_OUTPUT_LINE_CHARS", 7_700, 250)])
def test_outputs_past_the_bound_are_not_read_and_the_feedback_says_so(monkeypatch, bound, value, small):
    """A test accuracy printed past the outputs read is not evidence, and the feedback names the cell
    (a cell the bonus reads first only, ninth session); the training cell's outputs are read before
    a bigger output of another cell (eighth session)."""
    filler = ("code", "print('hello')", ("hello world\n" * 245,))  # 2,940 characters
    claim = ("markdown", "The LSTM reached 85.34% test accuracy.", ())
    result = _score(_notebook(filler, ("code", _TRAIN, (_LOG,)), claim))
    assert [m.test_accuracy for m in result.models] == [0.8534]
    assert [c.status for c in result.claims] == ["verified"]
    monkeypatch.setattr(score, bound, value)
    result = _score(_notebook(filler, ("code", _TRAIN, (_LOG,)), claim))
    assert [m.test_accuracy for m in result.models] == [0.8534]  # read first
    assert [c.status for c in result.claims] == ["verified"]
    # the filler is not a cell the bonus reads first: its cut is not the bonus's (ninth session)
    assert not any("were not all read" in f for f in result.feedback), result.feedback
    monkeypatch.setattr(score, bound, small)  # the training cell's outputs do not fit either
    result = _score(_notebook(filler, ("code", _TRAIN, (_LOG,)), claim))
    assert [m.test_accuracy for m in result.models] == [None]
    assert [c.status for c in result.claims] != ["verified"]  # what was read of the log may contradict it
    assert any("The outputs of cell 2 were not all read" in f for f in result.feedback), result.feedback


def test_long_lines_are_read_up_to_the_line_bound():
    """A rendered line is read up to MAX_LINE_CHARS characters; the budget counts what is read;
    a line that does not fit is not read, nor any after it."""
    long = "x" * (score.MAX_LINE_CHARS + 5000)
    lines, left, cut = score._cut_lines(("a", long, "b"), 10 ** 6)
    assert lines == ("a", long[:score.MAX_LINE_CHARS], "b") and not cut
    c = score.LINE_COST
    assert left == 10 ** 6 - (1 + score.MAX_LINE_CHARS + 1) - 3 * c
    assert score._cut_lines(("abc",) * 10, 3 * (3 + c) + 5) == (("abc",) * 3, 5, True)
    assert score._cut_lines(("abc",) * 3, 3 * (3 + c)) == (("abc",) * 3, 0, False)
    assert score._cut_lines(("a", "x" * 100, "b"), 1 + c + 50) == (("a",), 50, True)
    assert score._cut_text(("abcd", "efgh"), 6) == (("abcd", "ef"), 0, True)
    assert score._cut_text(("abcd", "efgh"), 9) == (("abcd", "efgh"), 1, False)


def test_output_replay_budget_counts_breaks_and_outputs_and_cuts_at_the_longest_start():
    """`_cut_outputs`: breaks (a run of backspaces is one) and outputs are charged; a cut keeps
    the longest start of the output that does not fit."""
    b, o = score.BREAK_COST, score.OUTPUT_COST
    assert score._output_cost("ab\ncd\r\x08\x08\x08e") == 10 + 3 * b + o
    outputs = ("abc\n", "x" * 50)
    assert score._cut_outputs(outputs, 10 ** 6) == (outputs, 10 ** 6 - (4 + b + o) - (50 + o), False)
    left = (4 + b + o) + o + 20
    assert score._cut_outputs(outputs, left) == (("abc\n", "x" * 20), 0, True)
    kept, _, cut = score._cut_outputs(("a\n" * 100,), o + 10 * (2 + b) + 1)
    assert cut and kept == ("a\n" * 10 + "a",)


def test_claims_past_the_bound_are_not_checked_and_the_feedback_says_so(monkeypatch):
    """Only the first MAX_CLAIMS claims are checked; the feedback counts the others."""
    report = ("markdown", "\n".join(f"- LSTM test accuracy 0.{80 + k}" for k in range(6)), ())
    assert len(_score(_notebook(("code", _TRAIN, (_LOG,)), report)).claims) == 6
    monkeypatch.setattr(score, "MAX_CLAIMS", 4)
    result = _score(_notebook(("code", _TRAIN, (_LOG,)), report))
    assert [c.value for c in result.claims] == [0.80, 0.81, 0.82, 0.83]
    assert any("2 of the 6 reported accuracies were not checked" in f for f in result.feedback), result.feedback


# -- cost on hostile text (minutes before; now linear) -----------------------------------------
# Signal: scaling tests (CPU at n and 8n in this process, tests/scaling.py), not CPU seconds.

@pytest.mark.parametrize("make, n", [
    (lambda n: "test accuracy 0.85 " * n, 1250),  # one sentence of 190 kB at 8n: 318 s before
    (lambda n: "LSTM GRU x2 0.5 accuracy bi " * n, 875),  # many labels
    (lambda n: "validation split" + " " * 60 + "0.2 accuracy 0.85 " * n, 375),
    (lambda n: "|model|" + "test acc|" * n + "\n|LSTM|" + "0.85|" * n + "\n", 1250),  # a wide table
], ids=["sentence", "labels", "split", "table"])
def test_hostile_markdown_sentences_cost_little(make, n):
    """One long sentence, many labels, a long split phrase, a wide table: linear in the text."""
    from tests.scaling import assert_linear

    assert_linear(lambda text: claims_from_markdown(text, "m"), make, n, setup=score.clear_memos,
                  what="claims_from_markdown")


def test_spaces_after_bi_cost_find_labels_little():
    """Spaces after "bi" (7 s at 10,000 spaces before): linear in the spaces."""
    from tests.scaling import assert_linear

    assert_linear(find_labels, lambda n: "bi" + " " * n + "x", 25_000, what="find_labels")


def _fill(unit: str, chars: int) -> str:
    """``unit`` repeated to about ``chars`` characters."""
    return unit * max(1, chars // len(unit))


def _hostile_cells(shape: str, eighths: int) -> list:
    """The cells of the hostile notebook ``shape`` at ``eighths``/8 of its full size."""
    def size(full: int) -> int:
        return full * eighths // 8

    train = ("code", _TRAIN, (_LOG,))
    return {
        "markdown": [train, ("markdown", _fill("LSTM test accuracy 0.85 ", size(20_000_000)), ())],
        "markdown cells": [train] + [("markdown", _fill(f"GRU test accuracy 0.{i:04d} ", 1000), ())
                                     for i in range(size(2000) - 1)],
        "prints": [("code", _TRAIN, (_LOG + _fill("LSTM test accuracy: 0.85\n", size(4_000_000)),))],
        "accuracies a line": [("code", _TRAIN, (_LOG + _fill("acc 0.5 " * 50 + "\n", size(4_000_000)),))],
        "logs": [("code", _TRAIN, (_fill(_LOG, size(4_000_000)),))] * 3,
        "backspaces": [("code", _TRAIN, (_LOG + _fill("a\x08", size(20_000_000)),))],  # 1 token a character
        "line breaks": [("code", _TRAIN, (_LOG + _fill("a\n", size(20_000_000)),))],
        "many outputs": [("code", _TRAIN, (_LOG,) + ("a",) * size(1_000_000))],
        "both": [("code", _TRAIN, (_LOG + _fill("LSTM test accuracy: 0.85\n", size(4_000_000)),)),
                 ("markdown", _fill("LSTM test accuracy 0.86 ", size(400_000)), ())],
    }[shape]


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["markdown", "markdown cells", "prints", "accuracies a line", "logs",
                                   "backspaces", "line breaks", "many outputs", "both"])
def test_hostile_notebooks_cost_a_worker_little(shape):
    """The worst notebooks built cost the bonus time linear in their size (minutes before, at
    the full size): CPU at 1/8 of the full size and at the full size, tests/scaling.py. (Past
    the bonus's reading limits the cost stops growing: a ratio under 8 is fine.)"""
    from tests.scaling import assert_linear

    assert_linear(lambda nb: score.score_imdb(nb, config=ImdbConfig()),
                  lambda eighths: _notebook(*_hostile_cells(shape, eighths)), 1, repeats=2,
                  setup=score.clear_memos, what=f"score_imdb of {shape}")


def test_output_cut_is_the_longest_start_that_fits():
    """`_fitting_start` (chunks, then halving) against a scan of every start, runs of backspaces
    across chunk boundaries included."""
    rng = random.Random(3)
    for _ in range(300):
        text = "".join(rng.choice(("a", "bc", "\n", "\r", "\x08", "\x08\x08\x08", "\r\n")) for _ in range(40))
        left = rng.randint(0, score._output_cost(text))
        expect = max(k for k in range(len(text) + 1) if score._output_cost(text[:k]) <= left) \
            if left >= score.OUTPUT_COST else 0
        assert (score._fitting_start(text, left) if left > score.OUTPUT_COST else 0) == expect, (text, left)
    text = "a" * (score._CHUNK - 1) + "\x08" * 10 + "a" * 10  # a run across the first chunk's end
    for left in range(score._CHUNK + 100, score._CHUNK + 160):
        expect = max(k for k in range(score._CHUNK - 50, len(text) + 1) if score._output_cost(text[:k]) <= left)
        assert score._fitting_start(text, left) == expect, left


@pytest.mark.parametrize("text, label", [
    ("BiLSTM", "Bidirectional(LSTM)"), ("stacked GRUs", "GRU x2"), ("vanilla RNN x 3", "SimpleRNN x3"),
    ("SIMPLE-RNN", "SimpleRNN"), ("CuDNNGru", "GRU"),
    # Unicode case folding: the patterns read a long s as an s, so the quick test before them must too
    ("l\u017ftm model", "SimpleRNN"),
])
def test_the_quick_test_before_the_label_patterns_lets_every_spelling_through(text, label):
    """find_labels skips its five scans for a text naming no lstm, gru or rnn (most lines of a
    training log); that test must let through every text a pattern matches."""
    from grader.imdb.labels import find_labels

    assert find_labels(text)[0][2] == label
    assert find_labels("Epoch 3/10 - loss: 0.31 - accuracy: 0.87") == []
