"""grader.incremental.renamed_submissions: the folders an earlier grader wrote under the ids its
rules gave, read as this run's students (thirty-sixth session)."""
from __future__ import annotations

from grader.discover import MAX_ID_BYTES, folder_id
from grader.incremental import renamed_submissions


def test_each_id_rule_s_old_folder_is_read_as_its_new_id():
    long = "é" * 120  # 240 bytes: an earlier grader's folder, cut now
    ids = ["ada_1", "Bob", "bob~ipynb", folder_id(long), "carol"]
    assert len(folder_id(long).encode()) <= MAX_ID_BYTES
    former = ["ada:1", "bob", long, "dan", "eve:2"]
    assert renamed_submissions(former, ids=ids) == {"ada:1": "ada_1", "bob": "bob~ipynb", long: folder_id(long)}


def test_a_student_who_left_is_still_former():
    # dan left; erin~folder is a notebook beside a folder of the same name, not a case-folded twin.
    assert renamed_submissions(["dan", "erin"], ids=["carol", "erin~folder", "Erin2"]) == {}
