"""What an instructor reads after breaking a rubric's YAML: the file, the line at fault, its text, a hint."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.rubric import RubricError, load_rubric
from tests.test_rubric import BASE, replace_line

ROOT = Path(__file__).resolve().parent.parent


def error_at(tmp_path: Path, text: str | bytes, line: int, *fragments: str) -> str:
    """Load ``text`` as ``r.yaml``; assert the error names that file and ``line`` and holds ``fragments``."""
    path = tmp_path / "r.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: not valid YAML: ") or message.startswith(f"{path}:{line}: "), message
    assert info.value.line == line, message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_a_key_indented_by_one_space_too_few_names_its_line_and_indentation(tmp_path):
    text = replace_line(7, "   outputs:")  # three spaces instead of four
    error_at(tmp_path, text, 7, "`   outputs:`", "indentation")


def test_a_key_indented_too_deep_names_its_line(tmp_path):
    text = replace_line(7, "      outputs:")
    error_at(tmp_path, text, 7, "`      outputs:`", "indented deeper")


def test_a_list_item_indented_less_than_its_siblings_names_the_part_it_broke(tmp_path):
    text = replace_line(13, "    - {name: small, visibility: hidden, seed: 7, dims: {n_x: 2, n_a: 4, n_y: 3, m: 1, T_x: 1}, points: 3}")
    error_at(tmp_path, text, 13, "mapping that starts at line 6", "indentation")


def test_a_tab_is_named_and_shown(tmp_path):
    text = replace_line(7, "\toutputs:")
    message = error_at(tmp_path, text, 7, "tab", "`\\toutputs:`", "spaces")
    assert "plain scalar" not in message


def test_a_key_without_a_space_after_its_colon_names_its_own_line_not_the_next(tmp_path):
    text = replace_line(15, "    depends:[rnn_cell_forward]")
    # PyYAML notices on line 16; the mistake is line 15.
    error_at(tmp_path, text, 15, "`    depends:[rnn_cell_forward]`", "colon and a space")


def test_an_unclosed_quote_names_the_line_it_opens(tmp_path):
    text = replace_line(3, 'title: "Demo rubric')
    error_at(tmp_path, text, 3, '`title: "Demo rubric`', "quote")


def test_a_colon_inside_an_unquoted_value_is_explained(tmp_path):
    text = replace_line(3, "title: Demo: the rubric")
    error_at(tmp_path, text, 3, "`title: Demo: the rubric`", "in quotes")


def test_windows_line_ends_show_the_right_line(tmp_path):
    text = replace_line(7, "   outputs:").replace("\n", "\r\n").encode()
    error_at(tmp_path, text, 7, "`   outputs:`")


def test_the_imdb_bonus_configuration_is_not_taken_for_a_rubric_missing_its_version():
    with pytest.raises(RubricError) as info:
        load_rubric(ROOT / "rubrics" / "imdb.yaml")
    message = str(info.value)
    assert "not a rubric" in message and "alternatives" in message and "grader.imdb" in message, message
    assert "missing the required key 'version'" not in message


def test_a_rubric_without_its_version_still_says_so(tmp_path):
    text = BASE.replace("version: 1\n", "")
    path = tmp_path / "r.yaml"
    path.write_text(text)
    with pytest.raises(RubricError, match="missing the required key 'version'"):
        load_rubric(path)


def test_a_very_long_line_is_shortened(tmp_path):
    text = replace_line(3, "title: " + "x" * 300 + ": y")
    message = error_at(tmp_path, text, 3, "...`")
    assert "x" * 120 not in message


DOCUMENTED_SYNTAX_ERRORS = (  # (what the instructor did to rubrics/rnn.yaml, old text, new text)
    ("three spaces", "    mutation_weight: 0.1\n    outputs:\n      - {name: a, path",
     "    mutation_weight: 0.1\n   outputs:\n      - {name: a, path"),
    ("a tab", "    mutation_weight: 0.1\n    outputs:\n      - {name: a, path",
     "    mutation_weight: 0.1\n\toutputs:\n      - {name: a, path"),
    ("no space after the colon", "    mutation_weight: 0.1\n    outputs:\n      - {name: a, path",
     "    mutation_weight:0.1\n    outputs:\n      - {name: a, path"),
    ("an unclosed quote", 'title: "Assignment 4: Building a Recurrent Neural Network"',
     'title: "Assignment 4: Building a Recurrent Neural Network'),
    ("a comma in a case name", "{name: narrow hidden state,", "{name: narrow, a_next to 1e-9,"),
    ("a case name in brackets", "{name: narrow hidden state,", "{name: [m = 1],"),
)


@pytest.mark.parametrize("what, old, new", DOCUMENTED_SYNTAX_ERRORS, ids=[d[0] for d in DOCUMENTED_SYNTAX_ERRORS])
def test_the_syntax_errors_docs_rubrics_md_shows_are_the_ones_given(what, old, new):
    from grader.rubric import parse_rubric

    text = (ROOT / "rubrics" / "rnn.yaml").read_text(encoding="utf-8")
    assert old in text, what
    with pytest.raises(RubricError) as info:
        parse_rubric(text.replace(old, new, 1), path="rubrics/rnn.yaml")
    docs = (ROOT / "docs" / "rubrics.md").read_text(encoding="utf-8")
    assert str(info.value) in docs, str(info.value)


# What a TA met editing a copy of rnn.yaml (session 30): each error named the line but not what to change.

def test_a_tab_after_the_spaces_of_an_indentation_is_named(tmp_path):
    # PyYAML says only "found character that cannot start any token" for a tab after spaces.
    text = replace_line(8, "    \t  - {name: yt_pred, path: \"[1]\", weight: 2}")
    error_at(tmp_path, text, 8, "`    \\t  - {name: yt_pred", "replace the tab by spaces")


def test_a_quoted_number_says_to_remove_the_quotes(tmp_path):
    text = replace_line(12, "      - {name: example, visibility: public, seed: 1, dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 1}, points: '2.5'}")
    message = error_at(tmp_path, text, 12, "points must be a number, not '2.5'", "remove the quotes")
    assert "comma" not in message


@pytest.mark.parametrize("written, read, fragment", [
    ("seed: 010", 8, "write it without the leading 0 (10), or 8 if 8 is meant"),
    ("seed: 007", 7, "write it without the leading 0 (7), or 7 if 7 is meant"),
    ("seed: 0x1f", 31, "write it in decimal digits (31)"),
    ("seed: 1:30", 90, "write it in decimal digits (90)"),
    ("seed: 1, dims: {n_x: 3, n_a: 05", 5, "write it without the leading 0 (5)"),
])
def test_a_whole_number_yaml_reads_in_another_base_is_refused(tmp_path, written, read, fragment):
    """Thirty-seventh session: YAML 1.1 reads `seed: 010` as the octal 8, `0x1f` as 31 and `1:30`
    as 90; a seed an instructor padded with zeros (`seed: 010` for ten) was silently another."""
    text = replace_line(12, "      - {name: example, visibility: public, seed: 1, dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 1}, "
                            "points: 2}".replace("seed: 1, dims: {n_x: 3, n_a: 5", written) if "dims" in written else
                        "      - {name: example, visibility: public, seed: 1, dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 1}, "
                        "points: 2}".replace("seed: 1", written))
    error_at(tmp_path, text, 12, f"is written `{written.rsplit(': ', 1)[1]}`, which YAML reads as {read} (a leading 0",
             fragment)


def test_zero_and_underscores_are_decimal_numbers(tmp_path):
    """The controls: `seed: 0` and `seed: 1_000` are the numbers they look like."""
    for written, seed in (("seed: 0", 0), ("seed: 1_000", 1000)):
        path = tmp_path / "r.yaml"
        path.write_text(replace_line(12, "      - {name: example, visibility: public, seed: 1, dims: {n_x: 3, n_a: 5, "
                                         "n_y: 2, m: 10, T_x: 1}, points: 2}".replace("seed: 1", written)))
        assert load_rubric(path).cases[0].seed == seed


def test_a_decimal_comma_in_a_flow_mapping_is_explained(tmp_path):
    text = replace_line(12, "      - {name: example, visibility: public, seed: 1, dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 1}, points: 2,5}")
    error_at(tmp_path, text, 12, "must be words, not 5", "`points: 2,5` reads as `points: 2` and a key `5`",
             "with a point (`2.5`)")


def test_a_decimal_comma_in_a_block_value_is_explained(tmp_path):
    text = BASE.replace("defaults: {rtol: 1.0e-5, atol: 1.0e-7, timeout: 5}",
                        "defaults:\n  rtol: 1.0e-5\n  timeout: 0,5")
    message = error_at(tmp_path, text, 6, "not '0,5'", "with a point, not a comma")
    assert "quotes" not in message


def test_a_word_for_a_number_gets_no_made_up_hint(tmp_path):
    text = replace_line(12, "      - {name: example, visibility: public, seed: 1, dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 1}, points: two}")
    message = error_at(tmp_path, text, 12, "points must be a number, not 'two'")
    assert ";" not in message.split("not 'two'")[1], message


def test_a_yaml_merge_key_is_named_as_such(tmp_path):
    # Thirty-second session: `{<<: *base, seed: 7}` in a case said "unreadable value: could not
    # determine a constructor for the tag 'tag:yaml.org,2002:merge'".
    text = (replace_line(12, "      - &base {name: example, visibility: public, seed: 1, dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 1}, points: 2}")
            .replace("      - {name: small, visibility: hidden, seed: 7,", "      - {<<: *base, name: small, visibility: hidden, seed: 7,"))
    assert "<<: *base" in text
    error_at(tmp_path, text, 13, "a YAML merge key (`<<: *...`) is not read in a case: write its keys out")


# A comma or a bracket in an unquoted case name (thirty-fourth session): "unknown key 'a_next to
# 1e-9' in a case (known keys: ...)" named the line but neither the comma nor what to write.

CASE_LINE = "      - {name: %s, visibility: hidden, seed: 7, dims: {n_x: 2, n_a: 4, n_y: 3, m: 1, T_x: 1}, points: 3}"


@pytest.mark.parametrize("line, written, fragments", [
    (13, CASE_LINE % "small, m = 1",
     ("unknown key 'm = 1' in a case: in `{...}` a comma ends an entry",
      "`name: small, m = 1` reads as `name: small` and then the key 'm = 1'",
      'put the text in quotes: `name: "small, m = 1"`')),
    (13, CASE_LINE % "narrow (a_next,1e-9, m = 1)",
     ("then the keys '1e-9', 'm = 1)'", 'put the text in quotes: `name: "narrow (a_next,1e-9, m = 1)"`')),
    (9, "      - {name: a_next, hidden state, path: \"[0]\", weight: 2}",
     ("unknown key 'hidden state' in an output", 'put the text in quotes: `name: "a_next, hidden state"`')),
    (13, CASE_LINE % "[m = 1]",
     ("case name must be a single value, not a list",
      'a value that starts with `[` is a list in YAML: to write it as text, put it in quotes ("[m = 1]")')),
], ids=["a comma", "two commas", "an output's name", "brackets"])
def test_a_comma_or_bracket_in_an_unquoted_name_says_to_quote_it(tmp_path, line, written, fragments):
    message = error_at(tmp_path, replace_line(line, written), line, *fragments)
    assert "known keys" not in message


def test_a_misspelt_key_after_a_name_keeps_did_you_mean_and_no_comma_hint(tmp_path):
    message = error_at(tmp_path, replace_line(13, CASE_LINE % "small, point"), 13,
                       "unknown key 'point' in a case; did you mean 'points'?")
    assert "comma" not in message


def test_a_quoted_name_with_a_comma_is_read_as_written(tmp_path):
    from tests.test_rubric import write

    text = replace_line(13, CASE_LINE % '"small, m = 1"')
    assert [c.name for c in load_rubric(write(tmp_path, text)).cases][:2] == ["example", "small, m = 1"]


@pytest.mark.parametrize("written, hint", [
    ('path: "1"', 'for element 1 of a returned tuple write path: "[1]"'),
    ("path: 1", 'path must be text such as "[0]" or "[\'dxt\']", not 1; for element 1 of a returned tuple write path: "[1]"'),
    ("path: dxt", "for the key dxt of a returned dict write path: \"['dxt']\""),
])
def test_a_path_without_brackets_says_how_to_write_it(tmp_path, written, hint):
    text = replace_line(8, '      - {name: a_next, ' + written + ', weight: 2}')
    error_at(tmp_path, text, 8, hint)


CASE_12 = "      - {name: example, visibility: public, seed: 1, dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 1}, points: 2}"


@pytest.mark.parametrize("line, old, new, fragments", [
    (12, "name: example", "name: no", ("case name is written `no`, which YAML reads as the boolean false",
                                       'put it in quotes to write the word: "no"')),
    (12, "name: example", "name: Off", ("case name is written `Off`, which YAML reads as the boolean false",)),
    (12, "visibility: public", "visibility: yes",
     ("visibility must be one of public, hidden, not `yes` (which YAML reads as the boolean true)",)),
    (12, "points: 2}", "points: 2, hidden: yes}",
     ("a case has no key 'hidden': a case is public or hidden by its `visibility:` (`visibility: hidden`)",)),
    (12, "seed: 1,", "seed: on,", ("seed must be a whole number, not `on`, which YAML reads as the boolean true",)),
    (12, "points: 2}", "points: yes}", ("points must be a number, not `yes`",)),
    (12, "m: 10", "m: on", ("dimension m must be a whole number, not `on`",)),
    (12, "points: 2}", "points: 2, outputs: [a_next, no]}", ("a name in a case's outputs is written `no`",)),
    (12, "points: 2}", "points: 2, rtol: off}", ("rtol must be a number, not `off`",)),
    (8, 'path: "[0]"', "path: no", ("path is written `no`", 'in quotes to write the word: "no"')),
    (8, "weight: 2}", "weight: 2, check: off}", ("unknown check `off` (which YAML reads as the boolean false) (known",)),
    (15, "[rnn_cell_forward]", "[On]", ("a name in depends is written `On`",)),
    (2, "name: demo", "name: yes", ("the rubric name is written `yes`",)),
    (1, "version: 1", "version: on", ("version must be a whole number, not `on`, which YAML reads as the boolean true",)),
])
def test_a_yaml_boolean_where_a_word_or_a_number_is_meant_says_what_was_written(tmp_path, line, old, new, fragments):
    """Thirty-eighth session: YAML 1.1 reads an unquoted yes, no, on, off (any case) as a boolean.
    Where a word or a number belongs, the loader said what it got, `True` or `False`, which the file
    does not hold ("case name must be a non-empty text, not False"; "path must be text ..., for the
    key False of a returned dict write path: \"['False']\""; "unknown output False"). It says what
    was written, how YAML read it, and what to write."""
    lines = BASE.split("\n")
    assert old in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    message = error_at(tmp_path, "\n".join(lines), line, *fragments)
    assert "True" not in message and "False" not in message, message


@pytest.mark.parametrize("written, meant", [("isolate: no", False), ("isolate: Off", False), ("isolate: false", False),
                                            ("bonus: yes", True), ("bonus: ON", True), ("bonus: true", True)])
def test_a_yaml_boolean_where_a_boolean_is_meant_is_the_boolean(tmp_path, written, meant):
    """`isolate: no` and `bonus: yes` mean what an instructor who writes them means (YAML 1.1 reads
    them so, and docs/rubrics.md says so)."""
    path = tmp_path / "r.yaml"
    path.write_text(BASE.replace("    depends: [rnn_cell_forward]\n", f"    depends: [rnn_cell_forward]\n    {written}\n"))
    part = load_rubric(path).part("rnn_forward")
    assert getattr(part, written.split(":")[0]) is meant


def test_a_quoted_boolean_where_a_boolean_is_meant_says_to_take_the_quotes_off(tmp_path):
    text = BASE.replace("    depends: [rnn_cell_forward]\n", "    depends: [rnn_cell_forward]\n    isolate: 'no'\n")
    error_at(tmp_path, text, 16, "isolate must be true or false, not 'no'; a boolean in quotes is text: "
                                 "write false without quotes")
