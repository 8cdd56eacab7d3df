"""What the README and the user docs send a reader to must exist: every relative link, every
file path they name, every module they run with ``python3 -m``, and every flag they give
``grade.py``, ``grader.regenerate`` or ``solution.imdb`` (read from each command's own ``--help``,
so a renamed or removed option fails here, not in a new user's terminal).

The performance pages (``docs/performance*.md``) and the README's performance section are left
out: they quote the benchmarks' own command lines and the history of options since removed."""
from __future__ import annotations

import contextlib
import importlib.util
import io
import re
from pathlib import Path

import pytest

import grade
from grader import regenerate

REPO = Path(__file__).resolve().parent.parent

#: The pages a new user reads (docs/gradescope/README.md is linked from docs/instructors.md).
PAGES = ("README.md", "docs/instructors.md", "docs/rubrics.md", "docs/reports.md",
         "docs/students.md", "docs/architecture.md", "docs/extraction.md", "docs/security.md",
         "docs/imdb.md", "docs/similarity.md", "docs/solution.md", "docs/fairness.md",
         "docs/gradescope/README.md")


def page_text(name: str) -> str:
    """A page's text; the README without its performance section."""
    text = (REPO / name).read_text(encoding="utf-8")
    if name == "README.md":
        start = text.index("\n## Performance")
        end = text.index("\n## ", start + 1)
        text = text[:start] + text[end:]
    return text


def help_flags(run) -> set[str]:
    """The options a command's ``--help`` lists (``run`` calls its main with ``["--help"]``)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        run(["--help"])
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", out.getvalue()))


@pytest.fixture(scope="module")
def flags_of() -> dict[str, set[str]]:
    from grader import classreport
    from solution import imdb

    return {"grade.py": help_flags(grade.main),
            "grader.regenerate": help_flags(regenerate.main),
            "grader.classreport": help_flags(classreport.main),
            "solution.imdb": help_flags(imdb.main)}


def commands_in(text: str, program: str) -> list[str]:
    """Each command line of ``text`` that runs ``program``, from it to the end of the command
    (a closing backtick, the line's end, a ``#`` comment or a table's ``|``)."""
    return re.findall(rf"(?<![\w/.-]){re.escape(program)}((?:[^`\n#|]|#(?!\s))*)", text)


def test_the_commands_read_the_flags_of_their_help(flags_of):
    """``grade.py --check``, ``--student-kit``, ``[--out DIR]``... exist in each command's help."""
    wrong = []
    seen = {program: 0 for program in flags_of}
    for name in PAGES:
        text = page_text(name)
        for program, known in flags_of.items():
            pattern = "grade.py" if program == "grade.py" else f"python3 -m {program}"
            for command in commands_in(text, pattern):
                seen[program] += 1
                for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]*", command):
                    if flag not in known:
                        wrong.append(f"{name}: {pattern}{command.rstrip()}: {flag}")
    assert not wrong, "flags the command does not have:\n" + "\n".join(wrong)
    assert seen["grade.py"] > 20 and seen["grader.regenerate"] > 5 and seen["solution.imdb"] > 1
    assert seen["grader.classreport"] >= 1


def test_the_flags_the_user_pages_name_alone_are_grade_py_s(flags_of):
    """A flag in a code span of its own (`--no-similarity`, `--known DIR`) on the pages of the
    instructors and students is one of grade.py's (or regenerate's ``--check``)."""
    known = flags_of["grade.py"] | flags_of["grader.regenerate"]
    wrong = []
    for name in ("README.md", "docs/instructors.md", "docs/students.md", "docs/reports.md",
                 "docs/rubrics.md", "docs/gradescope/README.md"):
        for flag in re.findall(r"`(--[a-z][a-z-]*)[^`]*`", page_text(name)):
            if flag not in known:
                wrong.append(f"{name}: {flag}")
    assert not wrong, wrong


def test_the_modules_run_with_python3_m_exist():
    missing = []
    for name in PAGES:
        for module in re.findall(r"python3 -m ((?:grader|solution)(?:\.\w+)*)", page_text(name)):
            if importlib.util.find_spec(module) is None:
                missing.append(f"{name}: python3 -m {module}")
    assert not missing, missing


def without_code(text: str) -> str:
    """``text`` without its code blocks and code spans (``LAYERS[kind](32)`` is no link)."""
    return re.sub(r"`[^`\n]*`", "", re.sub(r"```.*?```", "", text, flags=re.S))


def test_relative_links_reach_a_file():
    broken = []
    for name in PAGES:
        page = REPO / name
        for target in re.findall(r"\]\(([^)\s]+)\)", without_code(page_text(name))):
            path = target.split("#", 1)[0]
            if not path or re.match(r"[a-z]+:", path):
                continue
            if not (page.parent / path).exists():
                broken.append(f"{name}: {target}")
    assert not broken, broken


#: Paths the pages name that are not the repository's: made by a run (the fixtures' decoded
#: cache), or by the reader (the small rubric and the make-up exam docs/rubrics.md has them write).
MADE_BY_A_RUN = {"rubrics/fixtures/.cache/", "rubrics/cells.yaml", "rubrics/fixtures/cells.public.json",
                 "rubrics/makeup.yaml"}
#: The top folders of the repository a page's file paths start with.
ROOTS = ("docs", "grader", "solution", "rubrics", "tests", "benchmarks", "submissions", ".ci")


def named_paths(text: str) -> list[str]:
    """The repository paths a page names in code spans (`grader/kit.py`, `docs/gradescope/`),
    without patterns (`tests/test_feedback_html*.py`, `<name>.public.json`) or prefixes of
    names (`tests/test_hostile_s21_`) or placeholders (`rubrics/NAME.yaml`)."""
    paths = []
    for span in re.findall(r"`([^`\n]+)`", text):
        for path in re.findall(rf"(?<![\w./-])((?:{'|'.join(map(re.escape, ROOTS))})/[\w./-]*)", span):
            path = path.rstrip(".:")
            if (any(c in span for c in "*<{") or path.endswith("_")
                    or re.search(r"(^|/)[A-Z]+(\.|/|$)", path)):
                continue
            paths.append(path)
    return paths


def named_patterns(text: str) -> list[str]:
    """The file patterns a page names in code spans (`tests/test_wire*.py`, `rubrics/*.yaml`), and
    the prefixes of names (`tests/test_hostile_s21_`, read as ending in ``*``), which
    ``named_paths`` leaves out: placeholders (`rubrics/<name>.yaml`, `rubrics/NAME.yaml`) aside."""
    patterns = []
    for span in re.findall(r"`([^`\n]+)`", text):
        for path in re.findall(rf"(?<![\w./-])((?:{'|'.join(map(re.escape, ROOTS))})/[\w./*-]*)", span):
            path = path.rstrip(".:")
            if any(c in span for c in "<{") or re.search(r"(^|/)[A-Z]+(\.|/|$)", path):
                continue
            if "*" in path or path.endswith("_"):
                patterns.append(path + ("*" if path.endswith("_") else ""))
    return patterns


def test_file_patterns_the_pages_name_match_a_file():
    """Thirty-seventh session: `tests/test_hostile_s22_*.py` and seven more patterns of
    docs/security.md named test files renamed for their modules in the thirty-sixth session, and
    passed here, patterns being left out of ``named_paths``."""
    unmatched = [f"{name}: {pattern}" for name in PAGES for pattern in named_patterns(page_text(name))
                 if not any(REPO.glob(pattern))]
    assert not unmatched, unmatched


def test_file_paths_the_pages_name_exist():
    missing = []
    for name in PAGES:
        for path in named_paths(page_text(name)):
            if path not in MADE_BY_A_RUN and not (REPO / path).exists():
                missing.append(f"{name}: {path}")
    assert not missing, missing


def test_the_checks_of_this_file_see_what_they_check():
    """The extractors find what they must (a test that matched nothing would pass on anything)."""
    assert commands_in("run `python3 grade.py --check NB --function f` now", "grade.py") == [
        " --check NB --function f"]
    assert commands_in("python3 grade.py sub/ --out o  # a comment --nope", "grade.py") == [
        " sub/ --out o  "]
    assert named_paths("see `grader/kit.py`, `tests/test_x*.py`, `rubrics/<name>.yaml` and "
                       "`--rubric rubrics/NAME.yaml`") == ["grader/kit.py"]
    assert without_code("[a](x.md) `LAYERS[k](32)`\n```\n[b](y.md)\n```") == "[a](x.md) \n"
    assert "grader/commands.py" in named_paths(page_text("docs/architecture.md"))
    assert named_patterns("`tests/test_x*.py`, `tests/test_y_` and `rubrics/<name>.yaml`, "
                          "`rubrics/NAME.yaml`, `grader/kit.py`") == ["tests/test_x*.py", "tests/test_y_*"]
    assert "tests/test_wire*.py" in named_patterns(page_text("docs/security.md"))


def requirement_names() -> set[str]:
    text = (REPO / "requirements.txt").read_text(encoding="utf-8")
    return {re.split(r"[<>=!~\[; ]", line.strip(), maxsplit=1)[0].lower()
            for line in text.splitlines() if line.strip() and not line.startswith("#")}


@pytest.mark.parametrize("name", ["docs/gradescope/README.md", "docs/gradescope/setup.sh"])
def test_gradescope_s_list_of_what_it_installs_is_requirements_txt(name):
    """The packages the Gradescope page and script say ``requirements.txt`` holds are the ones
    it holds (they named Matplotlib, which left the grader in the eleventh session)."""
    text = re.sub(r"\n#\s*", " ", (REPO / name).read_text(encoding="utf-8"))
    listed = re.search(r"requirements\.txt`?:? \(([^)]*)\)", text) or re.search(
        r"\(requirements\.txt: ([^)]*)\)", text)
    assert listed, name
    said = {word.strip().lower() for word in listed.group(1).split(";")[0].split(",")}
    assert said == requirement_names(), (said, requirement_names())


def test_every_option_of_grade_py_is_in_the_instructors_guide(flags_of):
    """The other way round: each option ``grade.py --help`` lists is on docs/instructors.md."""
    page = page_text("docs/instructors.md")
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", page))
    assert sorted(flags_of["grade.py"] - named - {"--help"}) == []


def test_grade_py_help_names_each_option_s_value_as_the_guide_does():
    """Thirty-second session: ``--help`` read ``--out OUT``, ``--rubric RUBRIC``, ``--jobs JOBS``,
    ``--template TEMPLATE`` and ``--known KNOWN`` where the guide's table of options reads ``--out
    DIR``, ``--rubric FILE``, ``--jobs N``...; the two now say the same, and the help ends with the
    exit statuses the guide gives."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        grade.main(["--help"])
    text = out.getvalue()
    usage = " ".join(text[:text.index("\n\n")].split())
    pairs = set(re.findall(r"(--[a-z-]+) ([A-Z][\w.]*)", usage))  # --rubric FILE on four command lines
    assert len(pairs) == 11, usage
    table = page_text("docs/instructors.md").split("## Other options")[1]
    assert [f"{flag} {value}" for flag, value in pairs if f"{flag} {value}" not in table] == []
    assert "python3 grade.py SUBMISSIONS [SUBMISSIONS ...]" in usage
    assert "exit status: 0 the class was graded" in text and "130" in text


def test_regenerate_s_help_names_its_arguments_as_the_page_does():
    """Thirty-second session: it read ``rubrics [rubrics ...]`` and ``--fixtures-dir FIXTURES_DIR``,
    and did not say that grade.py reads fixtures only beside the rubric."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        regenerate.main(["--help"])
    text = " ".join(out.getvalue().split())
    assert "RUBRIC [RUBRIC ...]" in text and "--fixtures-dir DIR" in text, text
    assert "the only place grade.py reads them from" in text
    assert "python3 -m grader.regenerate RUBRIC" in page_text("docs/rubrics.md")


def test_classreport_s_help_names_its_option_as_the_page_does():
    """Thirty-fifth session: its help read ``--rubric RUBRIC`` and named no default where
    docs/reports.md reads ``[--rubric FILE]`` (grade.py's help was made to say the same in the
    thirty-second session)."""
    from grader import classreport

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        classreport.main(["--help"])
    text = " ".join(out.getvalue().split())
    assert "[--rubric FILE] OUT" in text and "default: rubrics/rnn.yaml" in text, text
    assert "python3 -m grader.classreport OUT [--rubric FILE]" in page_text("docs/reports.md")


def files_named(text: str) -> list[str]:
    """The repository files a page names anywhere, code blocks included (the example of
    docs/extraction.md read ``submissions/ada.ipynb``, which is ``ada_correct.ipynb``): paths
    under the repository's folders that end in a file's extension, placeholders left out."""
    roots = "|".join(map(re.escape, ROOTS))
    found = re.findall(rf"(?<![\w./<>-])((?:{roots})/[\w./-]*\.(?:ipynb|py|yaml|json|md|sh|txt))(?![\w*])",
                       text)
    return [path for path in found if not re.search(r"(^|/)[A-Z]+\.", path)]


def test_files_named_in_examples_exist():
    assert files_named("ex = extract_file(\"submissions/ada.ipynb\")\n`rubrics/NAME.yaml`, "
                       "tests/test_x*.py") == ["submissions/ada.ipynb"]
    missing = [f"{name}: {path}" for name in PAGES for path in files_named(page_text(name))
               if path not in MADE_BY_A_RUN and not (REPO / path).exists()]
    assert not missing, missing


def benchmark_flags() -> dict[str, set[str]]:
    """Each script of ``benchmarks/`` -> the options its parser adds (read from its text, not run)."""
    return {path.name: set(re.findall(r"add_argument\(\s*[\"'](--[a-z0-9-]+)[\"']", path.read_text(encoding="utf-8")))
            for path in (REPO / "benchmarks").glob("*.py")}


def test_the_benchmarks_options_the_pages_give_are_theirs():
    """``bench_grading.py --scaling --rounds 3``, ``bench_similarity.py --outputs``: each option a
    page gives a benchmark's command is one its parser takes (thirty-seventh session: 41 such uses,
    385 with the history, all right; unpinned until then). docs/performance-history.md, the log of
    every session's runs, is left out."""
    flags = benchmark_flags()
    pages = ["README.md", *(f"docs/{path.name}" for path in sorted((REPO / "docs").glob("*.md"))
                            if path.name != "performance-history.md")]
    wrong, seen = [], 0
    for name in pages:
        text = (REPO / name).read_text(encoding="utf-8")
        for script, rest in re.findall(r"((?:bench_\w+|design_floor)\.py)((?:[^`\n|]|\n(?!\n))*)", text):
            for flag in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", rest.split("`")[0]):
                seen += 1
                if flag not in flags.get(script, ()):
                    wrong.append(f"{name}: {script} {flag}")
    assert seen > 20 and "--scaling" in flags["bench_grading.py"]
    assert wrong == [], wrong
