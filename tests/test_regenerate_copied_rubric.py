"""A TA copies a rubric to try a change (session 26): regenerate must not write over the fixtures
of the rubric it was copied from."""
from __future__ import annotations

import shutil

from grader import regenerate as rg
from tests.test_fixtures import edit_rubric, reference, workspace  # noqa: F401 - fixtures


def test_a_copied_rubric_that_kept_the_name_does_not_overwrite_the_originals_fixtures(workspace, capsys):
    """rnn_v2.yaml, a copy of rnn.yaml with one seed changed and the same name: regenerate wrote
    fixtures/rnn.hidden.json over rnn.yaml's, and grade.py then refused rnn.yaml's case as
    'stale (the case's function, builder, seed or dims changed)', though rnn.yaml had not
    changed at all."""
    rubric_path, fixtures_dir = workspace
    copy = rubric_path.with_name("rnn_v2.yaml")
    shutil.copy(rubric_path, copy)
    edit_rubric(copy, "seed: 11, dims: {n_x: 2, n_a: 7", "seed: 12, dims: {n_x: 2, n_a: 7")
    before = {p.name: p.read_bytes() for p in fixtures_dir.glob("rnn.*.json")}
    assert rg.main([str(copy)]) == rg.EXIT_ERROR
    err = capsys.readouterr().err
    name_line = next(i for i, line in enumerate(copy.read_text().splitlines(), 1) if line.startswith("name:"))
    assert f"{copy}:{name_line}: this rubric's name 'rnn' is also the name of {rubric_path}" in err, err
    assert "give one of the two a name of its own" in err, err
    assert {p.name: p.read_bytes() for p in fixtures_dir.glob("rnn.*.json")} == before
    copy.unlink()  # with the copy there, --check refuses both (the next test)
    assert rg.main([str(rubric_path), "--check"]) == rg.EXIT_OK


def test_rubrics_of_different_names_in_one_folder_regenerate_as_before(workspace, capsys):
    rubric_path, fixtures_dir = workspace
    copy = rubric_path.with_name("rnn_v2.yaml")
    copy.write_text(rubric_path.read_text().replace("\nname: rnn\n", "\nname: rnn_v2\n"))
    (rubric_path.parent / "notes.yaml").write_text("name: rnn\n")  # not a rubric: no parts
    (rubric_path.parent / "broken.yaml").write_text("name: [rnn\n")  # not YAML at all
    assert rg.main([str(copy)]) == rg.EXIT_OK
    assert (fixtures_dir / "rnn_v2.public.json").is_file()


def test_check_refuses_two_rubrics_of_one_name_naming_both_files_and_lines(workspace, capsys):
    """--check passed a copy that kept the name (its fixtures are the original's, which it then
    compared with), and the original too: grade.py with either reads the other's fixtures
    after the next regenerate. Refused as regenerate refuses it, each file at its `name:` line."""
    rubric_path, fixtures_dir = workspace
    copy = rubric_path.with_name("rnn_v2.yaml")
    shutil.copy(rubric_path, copy)
    name_line = next(i for i, line in enumerate(copy.read_text().splitlines(), 1) if line.startswith("name:"))
    for checked, other in ((copy, rubric_path), (rubric_path, copy)):
        assert rg.main([str(checked), "--check"]) == rg.EXIT_ERROR
        err = capsys.readouterr().err
        assert (f"{checked}:{name_line}: this rubric's name 'rnn' is also the name of {other}:{name_line}, "
                f"in the same folder") in err, err
        assert "Nothing was checked" in err and "verified" not in err, err
    assert rg.main([str(rubric_path.parent), "--check"]) == rg.EXIT_ERROR
    err = capsys.readouterr().err
    assert err.count("is also the name of") == 2, err
    copy.unlink()
    assert rg.main([str(rubric_path), "--check"]) == rg.EXIT_OK
