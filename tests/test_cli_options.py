"""grade.py's options per command: each option is taken by the commands ``grade.TAKES`` names and
refused by the others, naming the option and the command it goes with; ``--help``'s usage is the
module docstring's, and lists the same options per command.

Thirty-sixth session: ``--out``, ``--jobs``, ``--force``, ``--no-html`` (and ``--gradescope-root`` with
``--check``) given to ``--check``, ``--student-kit`` or ``--gradescope`` were ignored without a word,
and the docstring's usage listed neither ``--no-html`` nor ``--rubric`` beside ``--check``."""
from __future__ import annotations

import argparse
import contextlib
import io
import re

import pytest

import grade

MODE_FLAGS = {"check": "--check", "student_kit": "--student-kit", "gradescope": "--gradescope"}


def options() -> list[argparse.Action]:
    """Every option of the parser but -h and the commands' own flags."""
    return [action for action in grade.build_parser()._actions
            if action.option_strings and action.dest not in MODE_FLAGS and action.dest != "help"]


def command_argv(command: str, tmp_path) -> list[str]:
    return {"submissions": [str(tmp_path / "subs")], "check": ["--check", str(tmp_path / "nb.ipynb")],
            "student_kit": ["--student-kit", str(tmp_path / "kit")], "gradescope": ["--gradescope"]}[command]


def option_argv(action: argparse.Action, flag: str, tmp_path) -> list[str]:
    if action.nargs == 0:
        return [flag]
    return [flag, "2" if action.dest == "jobs" else str(tmp_path / "given")]


def test_every_option_belongs_to_a_command():
    """A new option must say which commands take it, or the refusal would not know of it."""
    taken = {dest for takes in grade.TAKES.values() for dest in takes}
    assert {action.dest for action in options()} == taken
    assert set(grade.TAKES) == {"submissions", *MODE_FLAGS}


@pytest.mark.parametrize("command", ["submissions", "check", "student_kit", "gradescope"])
def test_an_option_a_command_does_not_take_is_refused_by_name(command, tmp_path, capsys):
    refused = 0
    for action in options():
        for flag in action.option_strings:
            argv = [*command_argv(command, tmp_path), *option_argv(action, flag, tmp_path)]
            parser = grade.build_parser()
            args = parser.parse_args(argv)
            given = grade.given_options(parser, argv, dests=[d for d in vars(args) if d not in grade.TAKES])
            assert given == {action.dest: flag}, argv  # named as typed, defaults not counted
            if action.dest in grade.TAKES[command]:
                assert grade.refused_options(command, given) is None, argv
                continue
            refused += 1
            with pytest.raises(SystemExit) as stopped:
                grade.main(argv)
            assert stopped.value.code == 2, argv
            err = capsys.readouterr().err
            home = next(name for name, takes in grade.TAKES.items() if action.dest in takes)
            said = f"{flag} goes with {grade._COMMAND_NAMES[home]}, not with {grade._COMMAND_NAMES[command]}"
            assert said in err, (argv, err)
    assert refused >= {"submissions": 2, "check": 16, "student_kit": 17, "gradescope": 16}[command]
    assert list(tmp_path.iterdir()) == []  # nothing written: no kit, no output folder


def test_options_of_two_other_commands_are_each_named_with_theirs(tmp_path, capsys):
    with pytest.raises(SystemExit):
        grade.main(["--gradescope", "--out", str(tmp_path / "o"), "--jobs", "2", "--function", "f"])
    assert ("not with --gradescope: --out and --jobs go with a class run (grade.py SUBMISSIONS ...); "
            "--function goes with --check") in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_a_default_typed_out_is_still_refused(tmp_path, capsys):
    """``--gradescope-root /autograder`` (its default) with a class run was taken, any other
    root refused: given is given."""
    with pytest.raises(SystemExit):
        grade.main([str(tmp_path / "subs"), "--gradescope-root", "/autograder"])
    assert "--gradescope-root goes with --gradescope" in capsys.readouterr().err


def usage_lines() -> dict[str, set[str]]:
    """The options each command line of the docstring's usage names, by the command's key."""
    lines: dict[str, set[str]] = {}
    command = None
    for line in grade.__doc__.split("\n\n")[1].splitlines():
        words = re.findall(r"(?<![\w-])--[a-z][a-z-]*", line)
        if line.strip().startswith("python3 grade.py"):
            command = next((key for key, flag in MODE_FLAGS.items() if words and words[0] == flag), "submissions")
            lines[command] = set()
        lines[command].update(words)
    return lines


def test_the_docstring_usage_lists_each_command_s_options_exactly():
    strings: dict[str, set[str]] = {}
    for action in options():  # --roster and --no-roster: two actions, one dest
        strings.setdefault(action.dest, set()).update(action.option_strings)
    lines = usage_lines()
    assert set(lines) == set(grade.TAKES)
    for command, takes in grade.TAKES.items():
        own = {MODE_FLAGS[command]} if command in MODE_FLAGS else set()
        expected = own.union(*(strings[dest] for dest in takes))
        assert lines[command] == expected, (command, lines[command] ^ expected)


def test_help_shows_the_docstring_usage():
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        grade.main(["--help"])
    shown = out.getvalue()[:out.getvalue().index("\n\n")]
    assert shown.startswith("usage: python3 grade.py SUBMISSIONS")
    assert shown.split() == ["usage:", *grade.__doc__.split("\n\n")[1].split()]
