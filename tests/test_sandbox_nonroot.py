"""The degraded (non-root) mode, proven by running the sandbox suites as an unprivileged user.

When the tests run as root, this file starts pytest again as ``nobody`` on
tests/test_sandbox.py, tests/test_sandbox_hostile.py and tests/test_sandbox_layers.py.  The interpreter may
live under /root (mode 0700, unreadable by nobody), so the unprivileged run
gets a private mount namespace where an empty /root holds only the
interpreter's directory, bound back read-only; nothing else changes.  The
sandbox inside then has no root: rlimits, Landlock, seccomp, subreaper.

When the tests already run as a normal user, the two suites prove the mode
directly and this file is skipped.
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterator

import pytest

from tests.isolation import isolated

REPO = Path(__file__).resolve().parents[1]
NOBODY = 65534

# Attacks that must be stopped (passed, not skipped) without root.
MUST_PASS_WITHOUT_ROOT = [
    "test_monkeypatched_numpy_and_math_do_not_change_the_parents_comparisons",
    "test_forged_result_on_stdout_changes_nothing",
    "test_the_reference_solution_cannot_be_imported",
    "test_reference_and_fixtures_cannot_be_read_by_path",
    "test_forged_result_files_cannot_be_written_where_the_grader_looks",
    "test_grading_process_cannot_be_read_through_proc",
    "test_nothing_of_the_grading_process_is_in_the_childs_memory",
    "test_memory_bomb_is_stopped_and_the_next_call_works",
    "test_fork_bomb_is_bounded_and_cleaned_up",
    "test_detached_children_and_double_forked_grandchildren_do_not_outlive_the_session",
    "test_huge_output_is_truncated_and_costs_little",
    "test_network_access_is_refused",
    "test_the_child_cannot_signal_the_grader_or_the_zygote",
    "test_stub_replaces_a_global_for_one_call_and_falls_back_on_request",
    "test_timeout_then_budget",
    "test_every_child_is_under_the_seccomp_filter_installed_once_in_the_zygote",
    "test_a_grandchild_inherits_the_filter",
    "test_each_child_gets_its_own_landlock_ruleset_from_the_zygote",
    "test_nothing_kept_by_the_kernel_for_a_uid_or_a_namespace_reaches_the_next_child",
    "test_a_child_directory_nested_beyond_the_recursion_limit_is_removed_with_its_child",
    "test_a_child_directory_stripped_of_its_permissions_is_removed_with_its_child",
    "test_remove_tree_empties_directories_left_without_read_write_or_search",
]


#: preexec_fn: private mount namespace exposing only the interpreter under /root, then drop to nobody.
_become_nobody = isolated(nobody=True)


@contextlib.contextmanager
def _nobody_folder(why_root: str) -> Iterator[Path]:
    """A temporary folder nobody can write to; skips the test when it cannot run as nobody here
    (not root: ``why_root``; or the repository not reachable by other users)."""
    if os.geteuid() != 0:
        pytest.skip(why_root)
    blocked = [str(p) for p in (REPO, *REPO.parents) if not p.stat().st_mode & stat.S_IXOTH]
    if blocked:
        pytest.skip(f"nobody cannot reach the repository ({blocked[0]} is not searchable by others)")
    with tempfile.TemporaryDirectory(prefix="sandbox-nonroot-") as tmp:
        os.chmod(tmp, 0o777)
        yield Path(tmp)


@pytest.mark.slow
def test_sandbox_suites_pass_as_an_unprivileged_user():
    with _nobody_folder("already unprivileged: tests/test_sandbox*.py prove the degraded mode directly") as tmp:
        _run_as_nobody(tmp)


def _run_as_nobody(tmp_path: Path) -> None:
    """Run the two suites as nobody and check the attacks that must be stopped were stopped."""
    report = tmp_path / "report.xml"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", "PYTHONPATH": str(REPO),
           "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}",
         f"--basetemp={tmp_path / 'base'}", "tests/test_sandbox.py", "tests/test_sandbox_hostile.py",
         "tests/test_sandbox_layers.py"],
        cwd=REPO, env=env, preexec_fn=_become_nobody, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    cases = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        name = case.get("name").split("[")[0]
        state = "skipped" if case.find("skipped") is not None else "failed" if (
            case.find("failure") is not None or case.find("error") is not None) else "passed"
        cases.setdefault(name, set()).add(state)
    for name in MUST_PASS_WITHOUT_ROOT:
        assert cases.get(name) == {"passed"}, f"{name}: {cases.get(name)} as nobody"
    assert "NOT enforced" in proc.stdout + proc.stderr or cases["test_capabilities_describe_says_what_is_enforced"] == {"passed"}


@pytest.mark.slow
def test_a_class_run_without_root_says_once_what_is_not_enforced():
    """Two workers, each with its sandbox: the missing protections are printed once by the
    grading process ("Sandbox: ..."), not also logged by every worker's sandbox."""
    with _nobody_folder("needs root to become nobody") as tmp:
        _class_run_as_nobody(tmp)


def _class_run_as_nobody(tmp_path: Path) -> None:
    """Grade two shipped notebooks with two workers as nobody; the capabilities line once."""
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("ada_correct", "grace_other_style"):
        (subs / f"{name}.ipynb").write_bytes((REPO / "submissions" / f"{name}.ipynb").read_bytes())
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [sys.executable, "grade.py", str(subs), "--out", str(tmp_path / "out"), "--jobs", "2",
         "--no-similarity", "--no-html"],
        cwd=REPO, env=env, preexec_fn=_become_nobody, capture_output=True, text=True, timeout=300)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text[-3000:]
    assert "Graded 2 of 2" in text
    assert text.count("NOT enforced") == 1, text
    assert "Sandbox: sandbox (non-root)" in text
