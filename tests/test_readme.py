"""The README's promises: its two commands are the ones CI runs, and its worked rubric
example (grading lstm_backward from a rubric entry alone) works as written."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
import yaml

from grader.commands import load_context
from grader.regenerate import load_reference, regenerate
from grader.rubric import load_rubric
from grader.runner import grade_submission
from solution import rnn
from solution.mutants import MUTANTS, mutant_source
from tests import notebooks as nbs

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_two_fresh_machine_commands_are_given_and_ci_runs_the_test_one():
    setup = ("python3 -m pip install -r requirements.txt && python3 -m compileall -q grader && "
             "python3 grade.py submissions/")
    tests = "python3 -m pip install -r requirements-dev.txt && python3 -m pytest"
    assert setup in README and tests in README
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "-r requirements-dev.txt" in ci
    assert re.search(r"^python3 -m pytest\s*$", ci, re.M)
    assert (REPO / "submissions").is_dir() and any((REPO / "submissions").iterdir())


def test_the_exit_statuses_of_a_class_run_are_grade_py_s():
    """Thirty-fifth session: the README said a class run exits "non-zero only when the harness
    could not run", where grade.py's help (and docs/instructors.md) says 2 then, and 130 after
    Ctrl-C. Each status the help gives a class run is named in the README's sentence."""
    import contextlib
    import io

    import grade

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        grade.main(["--help"])
    text = " ".join(out.getvalue().split())
    statuses = re.findall(r"(?:: |; )(\d+) ", text[text.index("exit status:"):text.index("With --check")])
    assert statuses == ["0", "2", "130"], text
    said = " ".join(README[README.index("The exit status is"):].split())
    said = said[:said.index("Re-running")]
    assert [s for s in statuses if not re.search(rf"\b{s}\b", said)] == [], said


def worked_example() -> list:
    marker = README.index("<!-- worked-example: lstm_backward")
    block = re.search(r"```yaml\n(.*?)```", README[marker:], re.S).group(1)
    parts = yaml.safe_load(block)
    assert isinstance(parts, list) and parts[0]["function"] == "lstm_backward"
    return parts


@pytest.fixture(scope="module")
def extended(tmp_path_factory):
    """rubrics/rnn.yaml plus the README's entry, with fixtures regenerated as the README says."""
    folder = tmp_path_factory.mktemp("rubric")
    data = yaml.safe_load((REPO / "rubrics" / "rnn.yaml").read_text(encoding="utf-8"))
    data.pop("imdb", None)
    data["parts"].extend(worked_example())
    path = folder / "rnn.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    regenerate(load_rubric(path), reference=load_reference())
    return load_context(path)


def notebook_with(lstm_backward_source: str) -> dict:
    extra = inspect.getsource(rnn.lstm_cell_backward) + "\n\n" + lstm_backward_source
    return nbs.course_notebook(extra_cells=[nbs.code_cell(extra)])


def test_readme_rubric_entry_grades_lstm_backward(extended, sandbox, tmp_path):
    part = extended.rubric.part("lstm_backward")
    assert part.max_points == 15 and len(part.cases) == 3
    path = nbs.write(tmp_path / "right.ipynb", notebook_with(inspect.getsource(rnn.lstm_backward)))
    result = grade_submission(path, context=extended, sandbox=sandbox)
    graded = result.part("lstm_backward")
    assert graded.points == graded.max_points, [c.message for c in graded.cases]


@pytest.mark.parametrize("mutant_id", sorted(m for m in MUTANTS if m.startswith("lstm_backward/")))
def test_readme_rubric_entry_catches_and_names_lstm_backward_mistakes(extended, sandbox, tmp_path,
                                                                       mutant_id):
    path = nbs.write(tmp_path / "wrong.ipynb", notebook_with(mutant_source(mutant_id)))
    result = grade_submission(path, context=extended, sandbox=sandbox)
    graded = result.part("lstm_backward")
    assert graded.points < graded.max_points
    assert mutant_id in {c.diagnosis.id for c in graded.cases if c.diagnosis}


def test_the_size_of_the_grader_s_source_the_readme_gives():
    """The README says what ``compileall`` saves by the size of the grader's source: it said 2.3 MB
    when the source was 2.5 MB (thirty-seventh session); within 5 %, as it grows."""
    said = float(re.search(r"compile the grader's source \((\d+(?:\.\d+)?) MB\)", README).group(1))
    size = sum(path.stat().st_size for path in (REPO / "grader").rglob("*.py")) / 1e6
    assert abs(said - size) <= 0.05 * size, (said, round(size, 2))


def test_the_count_of_real_notebooks_the_readme_gives_is_docs_fairness_s():
    """Thirty-eighth session: the README said "about 300 public notebooks", its count of the
    twenty-ninth session; docs/fairness.md records 627 since the thirtieth (105 + 86, then each
    session's new notebooks, every corpus in no earlier one), besides the earlier corpora."""
    said = int(re.search(r"the grades of more than (\d+) public notebooks", README).group(1))
    fairness = (REPO / "docs" / "fairness.md").read_text(encoding="utf-8")
    corpora = [int(n) for n in re.findall(r"^A (?:fifth|sixth) corpus.*?: (\d+) public notebooks", fairness, re.M)]
    corpora += [int(n) for n in re.findall(r"^\*\*New notebooks\*\*: (\d+) ", fairness, re.M)]
    assert len(corpora) >= 8, corpora
    assert said <= sum(corpora) < said + 100, (said, sum(corpora), corpora)
