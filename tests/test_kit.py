"""The student kit: usable on its own, and free of the reference and of the hidden cases."""
from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.extract import extract_file
from grader.fixtures import load_fixtures, spec_hash
from grader.kit import KIT_MODULES, KitError, public_rubric_yaml, write_student_kit
from grader.rubric import load_rubric
from tests import notebooks as nbs

REPO = Path(__file__).resolve().parents[1]
RUBRICS = (REPO / "rubrics" / "rnn.yaml", REPO / "rubrics" / "rnn_extended.yaml")
SUBMISSIONS = REPO / "submissions"

#: Imports of modules absent from the kit, allowed only where they cannot run:
#: the runner imports the bonus scorer only when a rubric has an `imdb:` section,
#: which the kit's rubric never has; the fixtures and the rubric are read through their caches only
#: by a class run.
LAZY_ABSENT = {("runner.py", "grader.imdb"), ("fixtures.py", "grader.fixturecache"),
               ("rubric.py", "grader.rubriccache")}


@pytest.fixture(scope="module", params=RUBRICS, ids=lambda p: p.stem)
def kit(request, tmp_path_factory) -> tuple[Path, Path]:
    """A kit of each shipped rubric, with the rubric it was made from."""
    out = tmp_path_factory.mktemp(f"kit-{request.param.stem}") / "kit"
    return write_student_kit(out, rubric=request.param), request.param


@pytest.fixture(scope="module")
def rnn_kit(tmp_path_factory) -> tuple[Path, Path]:
    """The kit of the default rubric, for the tests that run it (the static scans cover both rubrics)."""
    out = tmp_path_factory.mktemp("kit-run") / "kit"
    return write_student_kit(out, rubric=RUBRICS[0]), RUBRICS[0]


def kit_files(kit_dir: Path) -> list[Path]:
    """Every file of the kit, hidden ones included."""
    return sorted(p for p in kit_dir.rglob("*") if p.is_file())


def kit_env() -> dict:
    """This environment without PYTHONPATH: the kit must find its modules by itself."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def test_layout(kit):
    kit_dir, rubric = kit
    names = {str(p.relative_to(kit_dir)) for p in kit_files(kit_dir)}
    expected = {f"grader/{m}" for m in KIT_MODULES} | {
        "grade.py", "README.md", ".student-kit", f"rubrics/{rubric.name}",
        f"rubrics/fixtures/{load_rubric(rubric).name}.public.json"}
    assert names == expected


def test_no_reference_solution_and_no_generator(kit):
    kit_dir, _ = kit
    assert not (kit_dir / "solution").exists()
    for name in ("regenerate.py", "batch.py", "report.py", "commands.py", "similarity", "imdb"):
        assert not (kit_dir / "grader" / name).exists(), name
    # Prose may name the reference (docstrings do); code may not import it, in any spelling.
    pattern = re.compile(r"^\s*(from\s+solution\b|import\s+solution\b)"
                         r"|import_module\(\s*['\"]solution|__import__\(\s*['\"]solution", re.M)
    for path in kit_files(kit_dir):
        text = path.read_text(encoding="utf-8")
        assert not pattern.search(text), path
        if path.suffix == ".py":
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.Import):
                    mods = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom):
                    mods = [node.module or ""]
                else:
                    continue
                for mod in mods:
                    assert mod.split(".")[0] != "solution", (path, mod)
                    assert mod != "grader.regenerate", (path, mod)


def spec_needles(case) -> list[str]:
    """The spellings under which a case's spec could be stored: its hash, and its JSON as the
    fixture files write it (insertion order, compact) or sorted."""
    spec = case.spec()
    return [spec_hash(case), json.dumps(spec, separators=(",", ":")), json.dumps(spec),
            json.dumps(spec, sort_keys=True, separators=(",", ":")), json.dumps(spec, sort_keys=True)]


def test_no_hidden_case_in_any_file(kit):
    kit_dir, rubric_path = kit
    rubric = load_rubric(rubric_path)
    public = [c for c in rubric.cases if c.visibility == "public"]
    hidden = [c for c in rubric.cases if c.visibility == "hidden"]
    assert hidden
    texts = {p: p.read_text(encoding="utf-8") for p in kit_files(kit_dir)}
    everything = "\n".join(texts.values())
    # Positive control: the scan finds what is there (every public case's hash and stored spec).
    for case in public:
        assert spec_hash(case) in everything and spec_needles(case)[1] in everything, case.id
    public_specs = {json.dumps(c.spec(), sort_keys=True) for c in public}
    for case in hidden:
        if json.dumps(case.spec(), sort_keys=True) in public_specs:
            continue  # identical to a public case: nothing to hide
        # What would rebuild the case (its spec, its hash) is nowhere; its id and name are in
        # no data file (the grader's docstrings use ids like "rnn_forward/hidden-2" as examples).
        in_data = [case.id]
        if case.name not in {c.name for c in public}:
            in_data.append(case.name)
        for path, text in texts.items():
            for needle in spec_needles(case) + (in_data if path.suffix != ".py" else []):
                assert needle not in text, (case.id, needle, path)
    kit_rubric = load_rubric(kit_dir / "rubrics" / rubric_path.name)
    kit_specs = {json.dumps(c.spec(), sort_keys=True) for c in kit_rubric.cases}
    assert kit_specs == public_specs  # seeds, builders and dims: the public ones, no other


def test_the_kits_data_is_byte_for_byte_what_the_instructors_publish(kit):
    """The kit's fixture file is the instructors' public fixture file, byte for byte (re-encoded
    from the public cases, it adds nothing and drops nothing of a current file), and its modules
    are the grader's own: nothing of the hidden file, and no module changed on the way."""
    kit_dir, rubric_path = kit
    name = load_rubric(rubric_path).name
    shipped = rubric_path.parent / "fixtures" / f"{name}.public.json"
    assert (kit_dir / "rubrics" / "fixtures" / f"{name}.public.json").read_bytes() == shipped.read_bytes()
    for module in KIT_MODULES:
        assert (kit_dir / "grader" / module).read_bytes() == (REPO / "grader" / module).read_bytes(), module


def test_kit_rubric_is_the_public_rubric_and_matches_the_fixtures(kit):
    kit_dir, rubric_path = kit
    original = load_rubric(rubric_path).only("public")
    kit_rubric = load_rubric(kit_dir / "rubrics" / rubric_path.name)
    assert all(c.visibility == "public" for c in kit_rubric.cases)
    assert [c.id for c in kit_rubric.cases] == [c.id for c in original.cases]
    assert [spec_hash(c) for c in kit_rubric.cases] == [spec_hash(c) for c in original.cases]
    for mine, theirs in zip(kit_rubric.cases, original.cases):
        assert (mine.points, mine.tolerance, mine.timeout, mine.outputs, mine.name) == \
               (theirs.points, theirs.tolerance, theirs.timeout, theirs.outputs, theirs.name)
    for mine, theirs in zip(kit_rubric.parts, original.parts):
        assert [(o.name, o.path, o.weight, o.check) for o in mine.outputs] == \
            [(o.name, o.path, o.weight, o.check) for o in theirs.outputs]
        assert (mine.function, mine.name, mine.depends, mine.isolate, mine.mutation_weight) == \
            (theirs.function, theirs.name, theirs.depends, theirs.isolate, theirs.mutation_weight)
        # What the hidden cases are worth, one number per function (the self-check says it), and
        # the same when the kit's rubric is restricted again, as the self-check does.
        assert mine.withheld_points == theirs.withheld_points > 0
        assert [p.withheld_points for p in kit_rubric.only("public").parts] == [p.withheld_points for p in kit_rubric.parts]
    fixtures = load_fixtures(kit_rubric, visibilities=("public",))
    assert set(fixtures) == {c.id for c in kit_rubric.cases}
    assert not (kit_dir / "rubrics" / "fixtures" / f"{kit_rubric.name}.hidden.json").exists()


def test_modules_are_the_import_closure_of_the_self_check(kit):
    """Every grader module a kit module imports is in the kit (except the documented lazy ones),
    and every kit module is needed."""
    kit_dir, _ = kit
    needed: set[str] = set()
    todo = ["__init__.py", "selfcheck.py", "live.py"]
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        tree = ast.parse((kit_dir / "grader" / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "grader":
                    targets = [f"grader.{a.name}" for a in node.names]
                elif node.module.startswith("grader."):
                    targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("grader.")]
            for target in targets:
                module = target.split(".")[1] + ".py"
                if (name, ".".join(target.split(".")[:2])) in LAZY_ABSENT:
                    continue
                if module == "check.py":  # `from grader import check`: the function of __init__
                    continue
                assert (kit_dir / "grader" / module).is_file(), (name, target)
                todo.append(module)
    assert needed == set(KIT_MODULES)


@pytest.mark.slow
def test_kit_self_check_runs_on_its_own(rnn_kit, tmp_path):
    kit_dir, _ = rnn_kit
    ok = shutil.copyfile(SUBMISSIONS / "ada_correct.ipynb", tmp_path / "ada.ipynb")
    wrong = shutil.copyfile(SUBMISSIONS / "alan_partly_wrong.ipynb", tmp_path / "alan.ipynb")
    where = subprocess.run([sys.executable, "-c", "import grader.selfcheck as s; print(s.__file__)"],
                           cwd=kit_dir, env=kit_env(), capture_output=True, text=True, timeout=60)
    assert Path(where.stdout.strip()).resolve().is_relative_to(kit_dir.resolve()), where.stderr
    done = subprocess.run([sys.executable, "grade.py", "--check", str(ok)], cwd=kit_dir, env=kit_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "passed" in done.stdout and "failed" not in done.stdout
    done = subprocess.run([sys.executable, "grade.py", "--check", str(wrong)], cwd=kit_dir, env=kit_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "rnn_cell_forward" in done.stdout and "likely mistake" in done.stdout


def test_kit_grade_py_offers_only_the_self_check(rnn_kit):
    kit_dir, _ = rnn_kit
    done = subprocess.run([sys.executable, "grade.py", str(SUBMISSIONS)], cwd=kit_dir, env=kit_env(),
                          capture_output=True, text=True, timeout=60)
    # A folder is no class to grade here: the check says it wants one notebook, and names one.
    assert done.returncode == 2 and "it is a folder; give the notebook file itself" in done.stdout, done
    assert "python3 grade.py --check" in done.stdout and "grades.csv" not in done.stdout + done.stderr


def test_help_says_the_notebook_after_check_is_required(rnn_kit):
    """Thirty-eighth session: ``--help`` of both grade.py listed ``--check [NOTEBOOK]`` (argparse's
    ``nargs="?"``, there to replace "expected one argument" by the command to copy), as if the notebook
    were optional; the kit's and the repository's say ``--check NOTEBOOK``, and still the command to copy."""
    kit_dir, _ = rnn_kit
    for folder in (kit_dir, REPO):
        done = subprocess.run([sys.executable, "grade.py", "--help"], cwd=folder, env=kit_env(),
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "--check NOTEBOOK" in done.stdout, done
        assert "[NOTEBOOK]" not in done.stdout, done.stdout
        done = subprocess.run([sys.executable, "grade.py", "--check=", "--function", "rnn_forward"], cwd=folder,
                              env=kit_env(), capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and "give your notebook: python3 grade.py --check NOTEBOOK" in done.stderr, done


def test_a_check_piped_into_a_reader_that_stopped_ends_quietly(rnn_kit, tmp_path):
    """``grade.py --check nb.ipynb | head`` (or ``| less`` quit early): the check said "Self-check
    failed because of a problem in the checker, not in your code" and printed BrokenPipeError's
    traceback twice (thirty-fourth session, as a student). A pipe whose reader is gone before the
    first line plays it every time; the kit's grade.py and the repository's alike."""
    kit_dir, _ = rnn_kit
    notebook = nbs.write(tmp_path / "nb.ipynb", nbs.course_notebook())
    for folder in (kit_dir, REPO):
        read, write = os.pipe()
        os.close(read)
        try:
            done = subprocess.run([sys.executable, "grade.py", "--check", str(notebook)], cwd=folder,
                                  env=kit_env(), stdout=write, stderr=subprocess.PIPE, text=True, timeout=120)
        finally:
            os.close(write)
        assert done.returncode == 1 and done.stderr == "", (folder, done.stderr[-3000:])


def test_kit_grade_py_checks_a_notebook_given_without_check_and_one_at_a_time(rnn_kit, tmp_path):
    # `python3 grade.py my.ipynb` said "the following arguments are required: --check"; the kit
    # does nothing else, so the notebook is checked. Two notebooks are refused, as grade.py does.
    kit_dir, _ = rnn_kit
    right = shutil.copyfile(SUBMISSIONS / "ada_correct.ipynb", tmp_path / "ada.ipynb")
    done = subprocess.run([sys.executable, "grade.py", str(right)], cwd=kit_dir, env=kit_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "all 6 functions pass their public cases" in done.stdout, done
    done = subprocess.run([sys.executable, "grade.py", "--check", str(right), str(right)], cwd=kit_dir,
                          env=kit_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "2 notebooks given" in done.stderr and "one at a time" in done.stderr, done
    # One notebook whose path has spaces, typed without quotes: the quoted command to copy.
    spaced = shutil.copyfile(right, tmp_path / "rnn hw.ipynb")
    done = subprocess.run([sys.executable, "grade.py", "--check", str(tmp_path / "rnn"), "hw.ipynb"], cwd=kit_dir,
                          env=kit_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and f"put the path in quotes: python3 grade.py --check '{spaced}'" in done.stderr, done
    for bare in ([], ["--check"], ["--function", "rnn_forward", "--check"]):  # --check alone: "expected one argument"
        done = subprocess.run([sys.executable, "grade.py", *bare], cwd=kit_dir, env=kit_env(), capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 2 and "give your notebook: python3 grade.py --check NOTEBOOK" in done.stderr, done


def test_kit_check_in_a_live_namespace(rnn_kit, tmp_path):
    """``from grader import check`` works from the kit alone (the rubric beside the package)."""
    kit_dir, _ = rnn_kit
    script = (
        "import io\nimport numpy as np\n"
        + "\n".join(__import__("grader.course", fromlist=["x"]).COURSE_MODULES["rnn_utils"].values())
        + "\n" + nbs.COURSE_CELLS["rnn_cell_forward"]
        + "\nfrom grader import check\nbuf = io.StringIO()\n"
          "summary = check('rnn_cell_forward', stream=buf)\n"
          "print(summary.ok, summary.verdict('rnn_cell_forward'))\n"
          "print(buf.getvalue().splitlines()[0])\n")
    path = tmp_path / "student.py"
    path.write_text(script)
    env = kit_env()
    env["PYTHONPATH"] = str(kit_dir)
    done = subprocess.run([sys.executable, str(path)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    verdict, header = done.stdout.strip().splitlines()
    assert verdict == "True passed", done.stdout + done.stderr
    # Its header names the kit's version, as --check's does (thirty-sixth session: it named none).
    version, grader = re.search(r"version ([0-9a-f]{12}), grader ([0-9a-f]{12})$",
                                (kit_dir / ".student-kit").read_text().strip()).groups()
    assert header.endswith(f"defined now, kit version {version} (grader {grader})"), header


def test_public_rubric_yaml_round_trips(tmp_path):
    rubric = load_rubric(RUBRICS[0])
    text = public_rubric_yaml(rubric)
    assert "hidden" not in text
    (tmp_path / "r.yaml").write_text(text)
    again = load_rubric(tmp_path / "r.yaml")
    assert [spec_hash(c) for c in again.cases] == [spec_hash(c) for c in rubric.only("public").cases]


def test_refuses_a_non_empty_folder_but_replaces_an_old_kit(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(KitError, match="not empty"):
        write_student_kit(tmp_path, rubric=RUBRICS[0])
    assert (tmp_path / "notes.txt").read_text() == "mine"
    kit_dir = write_student_kit(tmp_path / "kit", rubric=RUBRICS[0])
    (kit_dir / "grader" / "stale.py").write_text("")
    write_student_kit(kit_dir, rubric=RUBRICS[0])
    assert not (kit_dir / "grader" / "stale.py").exists()
    assert (kit_dir / "grade.py").is_file()


def test_writing_a_kit_again_keeps_the_files_that_are_not_the_kits(tmp_path):
    """The kit's README says to run the check from the kit's folder, so notebooks land there;
    writing the kit again after a rubric edit deleted them (and any folder beside them)."""
    kit_dir = write_student_kit(tmp_path / "kit", rubric=RUBRICS[0])
    shutil.copyfile(SUBMISSIONS / "alan_partly_wrong.ipynb", kit_dir / "my_notebook.ipynb")
    (kit_dir / "work").mkdir()
    (kit_dir / "work" / "notes.txt").write_text("mine")
    (kit_dir / "rubrics" / "old.yaml").write_text("")
    write_student_kit(kit_dir, rubric=RUBRICS[1])
    assert (kit_dir / "my_notebook.ipynb").read_bytes() == (SUBMISSIONS / "alan_partly_wrong.ipynb").read_bytes()
    assert (kit_dir / "work" / "notes.txt").read_text() == "mine"
    assert not (kit_dir / "rubrics" / "old.yaml").exists()  # the kit's own folders are replaced whole
    assert not (kit_dir / "rubrics" / "rnn.yaml").exists()
    assert (kit_dir / "rubrics" / "rnn_extended.yaml").is_file()


def test_bad_rubric_is_a_kit_error(tmp_path):
    with pytest.raises(KitError):
        write_student_kit(tmp_path / "kit", rubric=tmp_path / "missing.yaml")
    assert not (tmp_path / "kit").exists()


@pytest.mark.parametrize("module, package", [("yaml", "pyyaml"), ("numpy", "numpy")])
def test_kit_without_numpy_or_pyyaml_says_what_to_install(rnn_kit, module, package):
    """A student who skipped `pip install numpy pyyaml` gets the command, exit 2, not a traceback."""
    kit_dir, _ = rnn_kit
    run = (f"import runpy, sys; sys.modules[{module!r}] = None; "
           f"sys.argv = ['grade.py', '--check', {str(SUBMISSIONS / 'ada_correct.ipynb')!r}]; "
           f"runpy.run_path('grade.py', run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", run], cwd=kit_dir, env=kit_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert f"does not have {package}" in done.stdout and "-m pip install numpy pyyaml" in done.stdout, done.stdout


def test_kit_readme_says_how_to_install_without_root_and_what_exit_2_means(rnn_kit):
    kit_dir, _ = rnn_kit
    readme = (kit_dir / "README.md").read_text(encoding="utf-8")
    assert "python3 -m venv" in readme and "-m pip install numpy pyyaml" in readme
    assert "`--function` names no graded function" in readme and "PyYAML is missing" in readme
    assert "%pip install pyyaml" in readme  # check() runs in the notebook's kernel, which needs it too


def test_kit_readme_says_what_of_the_notebook_is_run_and_the_extraction_agrees(rnn_kit, tmp_path):
    """The README said "code outside them (test cells, prints) is not run", but the imports and
    constants the functions use are run (thirty-fifth session's student): it says what is run, and
    the program extraction builds from a Colab-like notebook holds exactly that."""
    kit_dir, _ = rnn_kit
    readme = " ".join((kit_dir / "README.md").read_text(encoding="utf-8").split())
    assert "is not run" not in readme
    assert ("What of your notebook is run, as in your instructor's grading: your `def`s, the classes your "
            "functions use, the imports your functions use (`import numpy as np`;") in readme, readme
    assert "Nothing else runs: not the test cells, prints, `!pip` or `%` lines, `drive.mount(...)`" in readme
    notebook = nbs.write(tmp_path / "colab.ipynb", nbs.notebook([
        nbs.code_cell("!pip install tensorflow\nfrom google.colab import drive\ndrive.mount('/content/drive')"),
        nbs.code_cell("import math\nimport json\nimport numpy as np"),
        nbs.code_cell("n_a = 5\nx = np.random.randn(3)\nprint('test')"),
        nbs.code_cell("class Scale:\n    k = 2\n\nclass Unused:\n    pass\n\n"
                      "def f():\n    return math.pi * n_a * Scale.k"),
        nbs.code_cell("f()")]))
    source = extract_file(notebook).program().source
    for run in ("import math", "n_a = 5", "class Scale", "def f():"):
        assert run in source, source
    for left_out in ("json", "randn", "print", "pip", "colab", "mount", "Unused", "f()\n"):
        assert left_out not in source, source


def test_kit_readme_says_how_to_find_a_place_the_check_names(rnn_kit):
    """The README said only that a message "shows the cell and line": a student with the kit alone
    (not docs/students.md) did not know that "cell 16" counts markdown cells, what a place without a
    prompt is (VS Code's notebooks, saved unrun), or where a .py file's places are (thirty-sixth
    session, as a student). Its examples are the places the check writes."""
    from grader.models import line_words

    kit_dir, _ = rnn_kit
    readme = " ".join((kit_dir / "README.md").read_text(encoding="utf-8").split())
    assert (f"Places read `{line_words(15, 12, 10)}`: the 16th cell from the top of the notebook, markdown cells "
            f"included, the one whose prompt shows `In [10]`, and line 12 of that cell") in readme, readme
    assert f"A cell saved without being run has no prompt (`{line_words(15, 12)}`;" in readme, readme
    assert f"In a `.py` file the places are the file's lines (`{line_words(0, 196, script=True)}`)" in readme


def test_kit_readme_says_how_check_finds_the_notebook_file_in_colab_and_after_a_rename(rnn_kit):
    """check() says a cell edited and not run again only where it finds the notebook's file; the kit's
    README (all a student has) did not say that Colab, or JupyterLab after a rename, needs
    ``check(notebook=...)`` (thirty-eighth session, as a student). The argument it names is check()'s."""
    import inspect

    import grader

    kit_dir, _ = rnn_kit
    readme = " ".join((kit_dir / "README.md").read_text(encoding="utf-8").split())
    assert "it also says a cell edited and not run again" in readme and "after a rename" in readme, readme
    example = re.search(r'`check\((\w+)="/content/drive/[^"]+\.ipynb"\)`', readme)
    assert example is not None and example.group(1) in inspect.signature(grader.check).parameters, readme


def test_kit_readme_says_how_to_write_the_folder_s_path_for_check(rnn_kit, tmp_path):
    """``sys.path.insert(0, "/path/to/this/folder")`` with ``~/handout`` or a Windows path pasted
    from Explorer (``"C:\\Users\\ana\\handout"``) fails, the first with "No module named 'grader'",
    the second with a syntax error; the README said neither (thirty-sixth session, as a student).
    What it says is checked here: ``~`` is not expanded, ``os.path.expanduser`` is, ``\\U`` in a plain
    string does not compile and a raw string does."""
    kit_dir, _ = rnn_kit
    readme = " ".join((kit_dir / "README.md").read_text(encoding="utf-8").split())
    assert "`~` is not your home folder there (write `/home/ana/handout`, or `os.path.expanduser(\"~/handout\")`" \
        in readme, readme
    assert ('or as `r"C:\\Users\\ana\\handout"`: in a plain string `"C:\\Users..."` is a syntax error (`\\U`)'
            in readme), readme
    assert "says \"No module named 'grader'\", the path does not name this folder" in readme
    with pytest.raises(SyntaxError):
        compile('import sys; sys.path.insert(0, "C:\\Users\\ana\\handout")', "<cell>", "exec")
    compile('import sys; sys.path.insert(0, r"C:\\Users\\ana\\handout")', "<cell>", "exec")
    (tmp_path / "handout").symlink_to(kit_dir)
    env = dict(kit_env(), HOME=str(tmp_path))
    for path, imported in (('"~/handout"', False), ('os.path.expanduser("~/handout")', True)):
        done = subprocess.run([sys.executable, "-c", f"import os, sys; sys.path.insert(0, {path}); import grader"],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert (done.returncode == 0) is imported, (path, done.stderr)
        assert imported or "No module named 'grader'" in done.stderr, done.stderr


def test_a_kit_whose_fixtures_are_damaged_says_to_get_the_kit_again(tmp_path):
    # Thirty-second session: a kit with a cut fixture file (a partial download) told the student
    # to "run: python3 -m grader.regenerate ...", which the kit does not have.
    kit_dir = write_student_kit(tmp_path / "kit", rubric=RUBRICS[0])
    fixture = kit_dir / "rubrics" / "fixtures" / "rnn.public.json"
    fixture.write_bytes(fixture.read_bytes()[:300])
    ok = shutil.copyfile(SUBMISSIONS / "ada_correct.ipynb", tmp_path / "ada.ipynb")
    done = subprocess.run([sys.executable, "grade.py", "--check", str(ok)], cwd=kit_dir, env=kit_env(),
                          capture_output=True, text=True, timeout=120)
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    assert "this kit's files are damaged or out of date: get the kit again" in said, said
    assert "grader.regenerate" not in said, said


def test_a_kit_names_its_version_and_writing_it_again_says_what_changed_since(tmp_path):
    """A kit recorded nothing of the rubric it was made from: an instructor who wrote it again after
    an edit could not tell whether to announce it, and a TA could not ask which kit a student ran."""
    import io

    from grader import commands, selfcheck
    from tests.test_fixtures import edit_rubric

    shutil.copy(RUBRICS[0], tmp_path / "rnn.yaml")
    shutil.copytree(RUBRICS[0].parent / "fixtures", tmp_path / "fixtures", ignore=shutil.ignore_patterns(".cache"))
    rubric, kit_dir = tmp_path / "rnn.yaml", tmp_path / "kit"

    def written() -> str:
        said = io.StringIO()
        commands.student_kit(kit_dir, rubric=rubric, stream=said)
        return said.getvalue()

    first = written()
    version, grader = re.search(r"version ([0-9a-f]{12}), grader ([0-9a-f]{12})$",
                                (kit_dir / ".student-kit").read_text().strip()).groups()
    assert (f"Student kit written to {kit_dir} (version {version}, grader {grader}, which its self-check "
            f"prints)") in first, first
    assert "Since the kit" not in first and "before" not in first, first
    assert f"was the same (version {version}): nothing to announce" in written()
    # A public case's points and a hidden case's points (what the hidden cases are worth, which the
    # self-check tells students) edited: both named, and the new version.
    edit_rubric(rubric, "seed: 1, dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 4}, points: 3}",
                "seed: 1, dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 4}, points: 4}")
    edit_rubric(rubric, "seed: 7, dims: {n_x: 4, n_a: 6, n_y: 3, m: 1, T_x: 3}, points: 4}",
                "seed: 7, dims: {n_x: 4, n_a: 6, n_y: 3, m: 1, T_x: 3}, points: 5}")
    again = written()
    now = re.search(r"version ([0-9a-f]{12}), grader [0-9a-f]{12}$", (kit_dir / ".student-kit").read_text().strip()).group(1)
    assert now != version
    assert (f"Since the kit written there before (version {version}, now {now}): 1 changed: rnn_forward/public-1 "
            f"(points 3 -> 4); part rnn_forward (withheld_points 12 -> 13); the public cases' points ") in again, again
    assert f"tell the class to take this one (its self-check names version {now})" in again
    # The self-check's header names the version of the files it read; outside a kit, none.
    notebook = shutil.copyfile(SUBMISSIONS / "ada_correct.ipynb", tmp_path / "ada.ipynb")
    out = io.StringIO()
    selfcheck.run_check(notebook, rubric=kit_dir / "rubrics" / "rnn.yaml", stream=out)
    header = out.getvalue().splitlines()[0]
    assert f"(6 functions), kit version {now} (grader " in header, header
    out = io.StringIO()
    selfcheck.run_check(notebook, rubric=rubric, stream=out, function="rnn_forward")
    assert "kit version" not in out.getvalue().splitlines()[0], out.getvalue()


def test_a_kit_made_before_kits_had_a_version_is_compared_all_the_same(tmp_path):
    """An earlier kit's marker names no version: it is computed from its files, as the self-check does."""
    from grader.fixtures import public_version
    from grader.kit import changes_since, read_kit

    kit_dir = write_student_kit(tmp_path / "kit", rubric=RUBRICS[0])
    (kit_dir / ".student-kit").write_text("student kit of rnn (6 public cases)\n")
    earlier = read_kit(kit_dir)
    assert earlier.version == public_version((kit_dir / "rubrics" / "rnn.yaml").read_bytes(),
                                             (kit_dir / "rubrics" / "fixtures" / "rnn.public.json").read_bytes())
    write_student_kit(kit_dir, rubric=RUBRICS[1])  # another rubric: other parts, other cases
    said = changes_since(earlier, kit_dir)
    assert said.startswith(f"Since the kit written there before (version {earlier.version}, now "), said
    assert "public case(s) added: " in said, said
    (kit_dir / "rubrics" / "fixtures" / "rnn_extended.public.json").unlink()
    assert read_kit(kit_dir).version is None
    assert changes_since(read_kit(kit_dir), kit_dir).startswith("The folder held an earlier kit whose rubric")
    assert read_kit(tmp_path) is None and changes_since(None, kit_dir) == ""


def test_a_kit_written_again_names_the_public_cases_whose_expected_values_alone_changed(tmp_path):
    """The reference fixed and the fixtures made again, the rubric untouched: writing the kit again
    said only 'the public cases' expected values or the messages of their known mistakes (the
    fixtures were made again)', naming no case, though the instructor announces which ones."""
    import dataclasses

    from grader.fixtures import encode_fixture_file, fixture_path
    from grader.kit import changes_since, read_kit

    shutil.copy(RUBRICS[0], tmp_path / "rnn.yaml")
    shutil.copytree(RUBRICS[0].parent / "fixtures", tmp_path / "fixtures", ignore=shutil.ignore_patterns(".cache"))
    rubric = load_rubric(tmp_path / "rnn.yaml")
    kit_dir = write_student_kit(tmp_path / "kit", rubric=tmp_path / "rnn.yaml")
    earlier = read_kit(kit_dir)
    fixtures = load_fixtures(rubric.only("public"), visibilities=("public",))
    cases = dict(fixtures)
    forward = cases["rnn_forward/public-1"]
    cases["rnn_forward/public-1"] = dataclasses.replace(
        forward, expected=(forward.expected[0] * 1.01, *forward.expected[1:]))
    cell = cases["lstm_cell_forward/public-1"]
    mistake = sorted(cell.mutants)[0]
    cases["lstm_cell_forward/public-1"] = dataclasses.replace(
        cell, mutants={**cell.mutants, mistake: "not the mistake's output"})
    messages = dict(fixtures.mutant_messages)
    edited = sorted(mid for mid in messages if mid.startswith("rnn_backward/"))[0]
    messages[edited] += " (reworded)"
    fixture_path(rubric, "public").write_bytes(encode_fixture_file(
        rubric, "public", cases, mutant_messages=messages, generated="now", numpy_version="x"))
    write_student_kit(kit_dir, rubric=tmp_path / "rnn.yaml")
    said = changes_since(earlier, kit_dir)
    assert said.startswith(f"Since the kit written there before (version {earlier.version}, now "), said
    assert "the expected values of 1 public case(s): rnn_forward/public-1" in said, said
    assert "the known mistakes' outputs of 1 public case(s): lstm_cell_forward/public-1" in said, said
    assert f"the message(s) of 1 known mistake(s): {edited}" in said, said
    assert "(the fixtures were made again)" not in said and "changed: " not in said, said


def test_a_kit_written_again_by_another_grader_says_so_and_its_self_check_names_the_grader(tmp_path):
    """A kit's version is its public cases' (rubric and fixtures): a kit written again by a newer
    grader, whose self-check may judge or word things differently, was 'the same (version ...):
    nothing to announce', and two such kits printed the same version, so a TA could not tell
    which checker a student ran."""
    import io

    from grader import selfcheck
    from grader.files import package_version
    from grader.kit import changes_since, read_kit

    kit_dir = write_student_kit(tmp_path / "kit", rubric=RUBRICS[0])
    first = read_kit(kit_dir)
    assert first.grader == package_version(kit_dir / "grader")
    assert re.fullmatch(r"[0-9a-f]{12}", first.grader), first.grader
    assert f", grader {first.grader}" in (kit_dir / ".student-kit").read_text()
    notebook = shutil.copyfile(SUBMISSIONS / "ada_correct.ipynb", tmp_path / "ada.ipynb")

    def header() -> str:
        out = io.StringIO()
        selfcheck.run_check(notebook, rubric=kit_dir / "rubrics" / "rnn.yaml", stream=out, function="rnn_forward")
        return out.getvalue().splitlines()[0]

    assert header().endswith(f", kit version {first.version} (grader {first.grader})"), header()
    done = subprocess.run([sys.executable, "grade.py", "--check", str(notebook), "--function", "rnn_forward"],
                          cwd=kit_dir, env=kit_env(), capture_output=True, text=True, timeout=120)
    assert done.stdout.splitlines()[0] == header(), done.stdout + done.stderr
    # The earlier kit made by another grader: two of its modules differ from this grader's.
    for name in ("hints.py", "selfcheck.py"):
        with open(kit_dir / "grader" / name, "a", encoding="utf-8") as handle:
            handle.write("\n# an older grader\n")
    older = read_kit(kit_dir)
    assert older.version == first.version and older.grader != first.grader
    assert header().endswith(f"(grader {older.grader})"), header()
    write_student_kit(kit_dir, rubric=RUBRICS[0])
    said = changes_since(older, kit_dir)
    assert said.startswith(f"The kit written there before had the same public cases (version {first.version}) "
                           f"but another grader: 2 of its {len(KIT_MODULES)} modules differ (hints.py, selfcheck.py; "
                           f"grader {older.grader} -> {first.grader})"), said
    assert "nothing to announce" not in said and "tell the class to take this one" in said, said
    # The same grader and cases: nothing to announce, as before.
    assert "nothing to announce" in changes_since(read_kit(kit_dir), kit_dir)
    # Other cases and another grader: both said.
    again = read_kit(kit_dir)
    with open(kit_dir / "grader" / "hints.py", "a", encoding="utf-8") as handle:
        handle.write("\n# an older grader\n")
    mixed = read_kit(kit_dir)
    write_student_kit(kit_dir, rubric=RUBRICS[1])
    said = changes_since(mixed, kit_dir)
    assert "public case(s) added" in said and "the grader: 1 of its" in said and "(hints.py; grader" in said, said
    assert again.grader == read_kit(kit_dir).grader


def test_kit_readme_aligns_the_comments_of_its_check_calls(rnn_kit):
    """``check()  # every function`` and ``check("rnn_cell_forward")  # one function``: the second
    comment stood 6 columns right of the first (a fixed padding written for a shorter name)."""
    kit_dir, _ = rnn_kit
    readme = (kit_dir / "README.md").read_text(encoding="utf-8")
    calls = [line for line in readme.splitlines() if line.lstrip().startswith("check(") and "#" in line]
    assert len(calls) == 2, calls
    assert calls[1].lstrip().startswith('check("rnn_cell_forward")'), calls
    assert len({line.index("#") for line in calls}) == 1, calls


def test_kit_readme_s_colab_path_works_with_its_spaces(tmp_path):
    """The README's Colab line, ``sys.path.insert(0, "/content/drive/MyDrive/Colab Notebooks/handout")``,
    run as written with the drive's folder moved under ``tmp_path``: a kit in a folder whose path
    has a space, put on the path by that line alone, checks the kernel's functions."""
    drive = tmp_path / "content" / "drive" / "MyDrive" / "Colab Notebooks" / "handout"
    kit_dir = write_student_kit(drive, rubric=RUBRICS[0])
    readme = (kit_dir / "README.md").read_text(encoding="utf-8")
    line = re.search(r'sys\.path\.insert\(0, "(/content/drive/MyDrive/Colab Notebooks/handout)"\)', readme)
    assert line is not None and 'drive.mount("/content/drive")' in readme, readme
    script = (f"import sys; sys.path.insert(0, {str(tmp_path) + line.group(1)!r})\n"
              "import io\nimport numpy as np\n"
              + "\n".join(__import__("grader.course", fromlist=["x"]).COURSE_MODULES["rnn_utils"].values())
              + "\n" + nbs.COURSE_CELLS["rnn_cell_forward"]
              + "\nfrom grader import check\nbuf = io.StringIO()\n"
                "print(check('rnn_cell_forward', stream=buf).ok)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=kit_env(), capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.strip() == "True", done.stdout + done.stderr
