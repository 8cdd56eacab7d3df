"""The reference Keras pipeline (solution/imdb.py), end to end on a synthetic IMDB-format file.

The data set is generated here: a few hundred "reviews" over a vocabulary of 290
word indices, where positive reviews carry words 10-29 and negative ones words
30-49 among neutral words.  It is stored like the official ``imdb.npz``: the
``x_*`` arrays are object arrays of Python lists of ints, the ``y_*`` arrays int64.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from grader.imdb import ImdbConfig, score_imdb
from grader.notebook import Cell, Notebook

ROOT = Path(__file__).resolve().parent.parent


def make_synthetic_imdb(path: Path, *, n_train: int = 600, n_test: int = 300, vocab: int = 290,
                        seed: int = 0) -> Path:
    """Write a learnable IMDB-format ``.npz`` to ``path`` and return it."""
    rng = np.random.default_rng(seed)
    positive, negative = np.arange(10, 30), np.arange(30, 50)

    def review(label: int) -> list[int]:
        """One review: neutral words with a quarter of sentiment words for ``label``."""
        n = int(rng.integers(15, 45))
        words = rng.integers(50, vocab, size=n)
        marked = rng.random(n) < 0.25
        words[marked] = rng.choice(positive if label else negative, size=int(marked.sum()))
        return [int(w) for w in words]  # Python ints: numpy scalars would be refused by Keras's loader

    def split(n: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` reviews (object array of lists of ints) and their labels (int64)."""
        y = rng.integers(0, 2, size=n).astype("int64")
        x = np.empty(n, dtype=object)
        for i in range(n):
            x[i] = review(int(y[i]))
        return x, y

    x_train, y_train = split(n_train)
    x_test, y_test = split(n_test)
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return path


def pipeline(*args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """Run ``python3 -m solution.imdb ARGS`` from the repository root."""
    return subprocess.run([sys.executable, "-m", "solution.imdb", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.slow
def test_reference_pipeline_gets_full_marks_from_the_scorer(tmp_path):
    data = make_synthetic_imdb(tmp_path / "imdb.npz")
    out = tmp_path / "imdb_report.json"
    # about 25 s on two idle cores, TensorFlow start-up included (not asserted: timings are not tests)
    proc = pipeline("--data", str(data), "--out", str(out), "--quick")
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(out.read_text())
    assert [m["alternative"] for m in report["models"]] == ["SimpleRNN", "LSTM", "GRU"]
    assert report["validation"] == {"split": 0.2, "from": "training data"}
    assert report["data"]["train"] == 600 and report["data"]["test"] == 300
    assert report["data"]["official"] is False  # the synthetic file is not the official IMDB file
    assert max(m["test_accuracy"] for m in report["models"]) >= 0.85  # the data set is learnable
    # A folder submission: the notebook cell that ran the pipeline, with its output, and the report.
    nb = Notebook(path="reference/solution.ipynb", nbformat=(4, 5), cells=(
        Cell(index=0, kind="markdown", source="## 6 BONUS: Sentiment Analysis (reference)"),
        Cell(index=1, kind="code", source="!python3 -m solution.imdb --data imdb.npz --out imdb_report.json --quick",
             outputs=(proc.stdout,)),
    ))
    result = score_imdb(nb, config=ImdbConfig(), extra_files={"imdb_report.json": out.read_bytes()})
    assert result.points == result.max_points, (result.items, result.feedback)
    assert [m.alternative for m in result.models] == ["SimpleRNN", "LSTM", "GRU"]
    assert len(result.claims) == 6 and all(c.status == "verified" for c in result.claims)
    assert result.flags == ()
    # the printed log alone (no report file) is evidence enough for full marks
    alone = score_imdb(nb, config=ImdbConfig())
    assert alone.points == alone.max_points and alone.claims == ()


@pytest.mark.slow
def test_pipeline_is_repeatable_with_the_same_seed(tmp_path):
    data = make_synthetic_imdb(tmp_path / "imdb.npz", n_train=300, n_test=100)
    reports = []
    for k in range(2):
        out = tmp_path / f"r{k}.json"
        proc = pipeline("--data", str(data), "--out", str(out), "--quick", "--epochs", "2", "--alternatives", "GRU")
        assert proc.returncode == 0, proc.stderr[-2000:]
        models = json.loads(out.read_text())["models"]
        reports.append([{k2: v for k2, v in m.items() if k2 != "seconds"} for m in models])
    assert reports[0] == reports[1]


def test_missing_data_file_fails_with_one_line_and_status_2(tmp_path):
    proc = pipeline("--data", str(tmp_path / "nowhere" / "imdb.npz"), "--out", str(tmp_path / "r.json"))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("solution.imdb: IMDB data file not found:")
    assert not (tmp_path / "r.json").exists()


@pytest.mark.slow
@pytest.mark.parametrize("content", ["not an npz", "numpy scalars"])
def test_unreadable_data_fails_with_one_line_and_status_2(tmp_path, content):
    path = tmp_path / "imdb.npz"
    if content == "not an npz":
        path.write_bytes(b"<html>proxy error</html>")
    else:  # the format's known trap: lists of numpy integers instead of Python ints
        x = np.empty(2, dtype=object)
        x[0], x[1] = [np.int64(4), np.int64(5)], [np.int64(6)]
        np.savez(path, x_train=x, y_train=np.array([0, 1]), x_test=x, y_test=np.array([1, 0]))
    proc = pipeline("--data", str(path), "--out", str(tmp_path / "r.json"))
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("solution.imdb:")]
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert lines[0].startswith(f"solution.imdb: cannot load IMDB from {path}:")


def test_usage_errors_exit_1_not_the_no_data_status():
    proc = pipeline("--epochs", "0")
    assert proc.returncode == 1 and proc.stderr.strip() == "solution.imdb: --epochs must be >= 1"
    assert pipeline("--alternatives", "Transformer").returncode == 1
    assert pipeline("--no-such-flag").returncode == 1
