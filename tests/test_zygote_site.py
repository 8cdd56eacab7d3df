"""The zygote's search path: what ``site.main()`` gives, without the code of ``.pth`` files."""

import json
import subprocess
import sys
from pathlib import Path

from grader import zygote_site

REPO = Path(__file__).resolve().parent.parent

# Run as the zygote's interpreter is (-I -S), with a site-packages folder of our own.
_PROBE = """
import json, site, sys
sys.path.insert(0, sys.argv[1])
site.getsitepackages = lambda prefixes=None: [sys.argv[2]]
from grader import zygote_site
lean = zygote_site.set_up(needed=sys.argv[3])
print(json.dumps({"lean": lean, "path": sys.path, "ran": "pth_ran" in sys.modules,
                  "exit": callable(getattr(__builtins__, "exit", None))}))
"""


def _probe(sitedir: Path, needed: str = "json") -> dict:
    out = subprocess.run([sys.executable, "-I", "-S", "-c", _PROBE, str(REPO), str(sitedir), needed],
                         capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


def _site_packages(tmp_path: Path) -> Path:
    sitedir = tmp_path / "site-packages"
    (sitedir / "extra").mkdir(parents=True)
    (sitedir / "pth_ran.py").write_text("")
    (sitedir / "a.pth").write_text("# a comment\nextra\nmissing-folder\n\nimport pth_ran\n")
    (sitedir / ".hidden.pth").write_text("hidden\n")
    (sitedir / "hidden").mkdir()
    return sitedir


def test_pth_directories_are_read_as_site_reads_them_and_code_lines_skipped(tmp_path):
    sitedir = _site_packages(tmp_path)
    assert zygote_site.pth_directories(str(sitedir), "a.pth") == [str(sitedir / "extra")]
    assert zygote_site.pth_directories(str(sitedir), "missing.pth") == []


def test_the_zygote_gets_site_packages_and_pth_folders_without_running_pth_code(tmp_path):
    sitedir = _site_packages(tmp_path)
    got = _probe(sitedir)
    assert got["lean"] is True
    # site's own order: the folder, then its .pth files by name (3.11 reads hidden ones too)
    assert got["path"][-3:] == [str(sitedir), str(sitedir / "hidden"), str(sitedir / "extra")]
    assert got["ran"] is False  # the .pth's import line was not executed
    assert got["exit"] is True  # the builtins site adds are there, as under site.main()


def test_a_module_found_only_through_pth_code_falls_back_to_site_main(tmp_path):
    sitedir = _site_packages(tmp_path)
    got = _probe(sitedir, needed="no_such_module_anywhere")
    assert got["lean"] is False
    assert got["ran"] is True  # site.main() ran the .pth's code, as before this module


def test_the_zygote_finds_numpy_where_site_main_would(tmp_path):
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); from grader import zygote_site; "
             "print(zygote_site.set_up()); import numpy; print(numpy.__file__)")
    lean = subprocess.run([sys.executable, "-I", "-S", "-c", probe, str(REPO)],
                          capture_output=True, text=True, timeout=60, check=True).stdout.split()
    full = subprocess.run([sys.executable, "-I", "-c", "import numpy; print(numpy.__file__)"],
                          capture_output=True, text=True, timeout=60, check=True).stdout.split()
    assert lean == ["True", full[0]]


def test_in_a_virtual_environment_the_zygote_finds_what_site_main_finds(tmp_path):
    """A venv with the system's site packages (where NumPy is): the same NumPy, the venv's own
    site-packages on the path, and its .pth's code line not run."""
    import venv

    env = tmp_path / "env"
    venv.EnvBuilder(system_site_packages=True, symlinks=True, with_pip=False).create(env)
    python = str(env / "bin" / "python")
    sitedir = subprocess.run([python, "-I", "-c", "import site; print(site.getsitepackages()[0])"],
                             capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    (Path(sitedir) / "pth_ran.py").write_text("")
    (Path(sitedir) / "z.pth").write_text("import pth_ran\n")
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); from grader import zygote_site; "
             "print(zygote_site.set_up(), 'pth_ran' in sys.modules, sys.argv[2] in sys.path); "
             "import numpy; print(numpy.__file__)")
    lean = subprocess.run([python, "-I", "-S", "-c", probe, str(REPO), sitedir],
                          capture_output=True, text=True, timeout=60, check=True).stdout.split()
    full = subprocess.run([python, "-I", "-c", "import numpy; print(numpy.__file__)"],
                          capture_output=True, text=True, timeout=60, check=True).stdout.split()
    assert lean == ["True", "False", "True", full[0]]
