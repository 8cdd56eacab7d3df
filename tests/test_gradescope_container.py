"""Twenty-first session, hostile student: ``grade.py --gradescope`` in a container like Gradescope's.

Gradescope runs the autograder as root in a Docker container. Docker's default profile refuses
``unshare`` and ``mount`` to a root without ``CAP_SYS_ADMIN``, and some kernels or profiles have no
Landlock: the sandbox then has neither a mount namespace nor Landlock, and the child's slot uid
reads whatever file modes let others read. The autograder zip unpacks ``rubrics/fixtures`` as
0644. The run here is the zip unpacked in a folder others may enter (as ``/autograder`` is),
under a seccomp filter that makes those calls fail as Docker's profile does.
"""
from __future__ import annotations

import dataclasses
import errno
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from grader.gradescope import build_autograder_zip
from tests import notebooks as nbs
from tests.syscall_filters import launcher


#: Runs argv[1:] with unshare (272) and mount (165) refused (EPERM) and Landlock absent
#: (landlock_create_ruleset, 444: ENOSYS), as in a Docker container's default profile.
DOCKER_LIKE = launcher({272: errno.EPERM, 165: errno.EPERM, 444: errno.ENOSYS})


def _reader(path: Path) -> str:
    """``rnn_cell_forward`` that tells, in the error the student reads, what it read of ``path``."""
    source = nbs.COURSE_CELLS["rnn_cell_forward"]
    head = "def rnn_cell_forward(xt, a_prev, parameters):\n"
    assert head in source
    return source.replace(head, head + (
        f"    try:\n        seen = 'READ ' + open({str(path)!r}).read(40)\n"
        f"    except OSError as exc:\n        seen = 'REFUSED ' + type(exc).__name__\n"
        f"    raise RuntimeError(seen)\n"), 1)


@pytest.fixture
def container():
    """Gradescope's layout in a folder others may enter (mode 0755, as /autograder)."""
    root = Path(tempfile.mkdtemp(prefix="s21-gradescope-"))
    try:
        root.chmod(0o755)
        with zipfile.ZipFile(build_autograder_zip(root / "autograder.zip")) as zf:
            zf.extractall(root / "source")
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="Gradescope runs the autograder as root")
@pytest.mark.skipif(platform.machine() != "x86_64", reason="the filter names x86-64 system calls")
def test_without_mounts_and_landlock_a_child_cannot_read_the_hidden_fixtures(container):
    # Before the fix: the error said "READ {\n  ..." (the hidden cases' expected values, which a
    # function could look up and return), on a line "NOT enforced: ... not hidden by mounts".
    hidden = container / "source" / "rubrics" / "fixtures" / "rnn.hidden.json"
    assert hidden.stat().st_mode & 0o004  # as the zip unpacks it
    nbs.write(container / "submission" / "nb.ipynb", nbs.course_notebook({"rnn_cell_forward": _reader(hidden)}))
    done = subprocess.run([sys.executable, "-c", DOCKER_LIKE, sys.executable, "grade.py", "--gradescope",
                           "--gradescope-root", str(container)], cwd=container / "source",
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    sandbox_line = next(line for line in done.stdout.splitlines() if line.startswith("Sandbox:"))
    # the log says what was done about the protected paths, right after the line that says they
    # would be readable (review2: the two read as a contradiction)
    lines = done.stdout.splitlines()
    assert lines[lines.index(sandbox_line) + 1].startswith("So the protected paths are closed by file modes instead")
    enforced = sandbox_line.split(";")[0]
    assert "mount namespace" not in enforced and "Landlock" not in enforced and "per-slot uid" in enforced
    text = (container / "results" / "results.json").read_text()
    assert "REFUSED PermissionError" in text
    assert "READ " not in text
    payload = json.loads(text)
    assert payload["score"] < 100  # the other five functions are right: 90 points before the fix too


def test_the_capabilities_line_says_file_modes_alone_guard_the_protected_paths():
    # The line an instructor reads (the class run's "Sandbox:", the Gradescope log) said only
    # "protected paths not hidden by mounts", as when Landlock still keeps the child out.
    from grader.sandbox import Capabilities

    bare = Capabilities(running_as_root=True, uid_drop=True, network_namespace=False, mount_namespace=False,
                        hidden_paths=(), proc_hidepid=False, landlock_abi=0, seccomp=True, subreaper=True,
                        rlimits=("CPU",))
    assert "the child can read every file other users may read, protected paths included" in bare.describe()
    with_landlock = dataclasses.replace(bare, landlock_abi=7)
    assert "other users may read" not in with_landlock.describe()
