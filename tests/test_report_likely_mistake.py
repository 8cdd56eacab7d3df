"""Twenty-seventh session: a known mistake's sentence in ``feedback.md``. One that names code with
``**`` (``(1 - a_next**2)``) was written as a single code span, backticks and all for a student
reading the file as text; now only the words that need it are code spans. Failed before."""
from __future__ import annotations

from grader.models import FAILED, CaseResult, Diagnosis, PartResult, SubmissionResult
from grader.report import feedback_markdown

TANH = ("a_next is already tanh(u), so the tanh derivative is (1 - a_next**2); (1 - np.tanh(a_next**2)) "
        "applies tanh a second time, to the square.")


def _feedback(message: str) -> str:
    case = CaseResult("rnn_cell_backward/public-1", "assignment example", "public", FAILED, 0.0, 5.0,
                      message="`dxt` differs.", diagnosis=Diagnosis("rnn_cell_backward/x", message))
    part = PartResult("rnn_cell_backward", "rnn_cell_backward", FAILED, 0.0, 5.0, cases=(case,))
    return feedback_markdown(SubmissionResult("s", "s.ipynb", "graded", 0.0, 5.0, parts=(part,)))


def test_a_likely_mistake_with_code_is_plain_text_around_its_code_spans():
    text = _feedback(TANH)
    assert ("  Likely mistake: a_next is already tanh(u), so the tanh derivative is (1 - `a_next**2`); "
            "(1 - `np.tanh(a_next**2)`) applies tanh a second time, to the square.\n") in text, text


def test_a_product_between_spaces_stays_plain_and_a_plain_sentence_is_itself():
    from grader.report import sentence_text

    assert sentence_text("use da_next * ot * (1 - c**2).") == "use da_next * ot * (1 - `c**2`)."
    plain = "dx stays zero: store each step's dxt in dx[:, :, t]."
    assert sentence_text(plain) == plain


def test_a_line_with_anything_but_code_is_one_code_span_as_before():
    # A sentence is the grader's, but names in it may be the student's: a word that is not plain
    # and not code (a link, a tag, a heading's #, an address) makes the whole line literal.
    from grader.report import sentence_text

    for hostile in ("see [here](http://evil.example) now**2", "a <img src=x> b**2", "# heading a**2",
                    "x www.evil.example y**2", "a `b c**2", "x http://evil.example**2"):
        out = sentence_text(hostile)
        assert out.startswith("`") and out.endswith("`") and out.strip("`").strip() == hostile, (hostile, out)


def test_code_whose_bracket_closes_in_a_later_word_is_one_span():
    # rnn_cell_backward/square_of_one_minus (session 31) read "not (1 - `a_next)**2`;": a code span
    # cut at its bracket. The words of the bracket are one span now; a bracket whose words each
    # span well stays as it was, and prose in brackets stays plain.
    # (The mutant's sentence writes its code in backticks since session 36; its old words kept here.)
    from grader.report import sentence_text

    said = sentence_text("The tanh derivative squares a_next alone: (1 - a_next**2), not (1 - a_next)**2; "
                         "dtanh = (1 - a_next**2) * da_next.")
    assert "not `(1 - a_next)**2`; dtanh = (1 - `a_next**2`) * da_next." in said, said
    assert sentence_text("so (1 - np.tanh(a_next)**2) applies") == "so (1 - `np.tanh(a_next)**2`) applies"
    assert sentence_text("gates (the update gate) are Wu and bu") == "gates (the update gate) are Wu and bu"
    # Past eight words the bracket is not joined: the word is cut as before, never a whole paragraph.
    far = "x (1 - a - b - c - d - e)**2 y"
    assert sentence_text(far) == "x (1 - a - b - c - d - `e)**2` y"
    for hostile in ("see (1 - [a](http://evil.example))**2", "x (1 - <b>)**2"):
        out = sentence_text(hostile)
        assert out.startswith("`") and out.strip("`").strip() == hostile, (hostile, out)


def test_a_long_word_costs_linear_time():
    # Thirty-second session: _span_parts counted the word's brackets again for every bracket it
    # moved out of the code (and sliced the word each time): 0.7 s for a word of 40,000 opening
    # brackets, four times that at twice the length. A sentence quotes the student's names.
    from grader.report import sentence_text
    from tests.scaling import assert_linear

    for make in (lambda n: "see " + "(" * n + "a**2 here", lambda n: "see a**2" + ")" * n + " here",
                 lambda n: "see (" + "(" * n + "a**2" + ")" * n + ";" * n + " here"):
        assert_linear(sentence_text, make, 4000, what="sentence_text of a long word")
    assert sentence_text("see " + "(" * 3 + "a**2 x") == "see (((`a**2` x"


def test_the_words_of_a_bracket_are_split_once(monkeypatch):
    # _bracket_groups worked out _span_parts of each word inside a bracket, and _word_span the
    # same word's again: now once a word (the joined group is a word of its own).
    from grader import report

    calls: list[str] = []
    real = report._span_parts
    monkeypatch.setattr(report, "_span_parts", lambda word: calls.append(word) or real(word))
    assert report.sentence_text("so (1 - np.tanh(a_next)**2) applies") == "so (1 - `np.tanh(a_next)**2`) applies"
    assert sorted(calls) == sorted(set(calls)), calls


def test_a_slice_in_a_likely_mistake_is_a_code_span_not_the_whole_line():
    # Thirty-second session (a real notebook's feedback): `concat[:n_a, :]` holds a colon, which no
    # code word could hold, and a bracket closed a word later: the whole sentence, backticks and
    # all, was one code span.
    sentence = ("The concatenation is made but never filled: after concat = np.zeros((n_a + n_x, m)), write "
                "concat[:n_a, :] = a_prev and concat[n_a:, :] = xt (or concat = np.concatenate((a_prev, xt), axis=0)).")
    text = _feedback(sentence)
    assert "  Likely mistake: The concatenation is made but never filled: after concat = " in text, text
    assert "write `concat[:n_a, :]` = a_prev and concat[n_a:, :] = xt" in text, text
