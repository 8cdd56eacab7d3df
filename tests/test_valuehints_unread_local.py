"""valuehints.unread_local_hint: a name a function reads from outside itself, near a name the function
gives a value and never reads (thirty-eighth session: a real notebook's ``lstm_forward`` unpacked ``yt``
from each step and stored ``yt_pred``, a test cell's global; it was told to "compute the value inside the
function or take it from the function's arguments", and lost the part to a NameError)."""
from __future__ import annotations

from grader import valuehints
from grader.runner import grade_submission
from tests import notebooks as nbs

_LOOP = ("def lstm_forward(x, a0, parameters):\n"
         "    n_x, m, T_x = x.shape\n"
         "    for t in range(T_x):\n"
         "        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)\n"
         "        y[:, :, t] = yt_pred\n")


def test_the_name_set_and_never_read_is_told_as_the_value_meant():
    said = valuehints.unread_local_hint(_LOOP, name="yt_pred", first_line=10)
    assert said == (" Line 13 gives `yt` a value that nothing in the function reads: if that is the value meant, "
                    "write `yt` for `yt_pred`.")
    # Close in spelling: `dtanh` read, `d_tanh` set.
    typo = "def f(a):\n    d_tanh = 1 - a ** 2\n    return dtanh * a\n"
    assert "write `d_tanh` for `dtanh`" in valuehints.unread_local_hint(typo, name="dtanh")
    # Controls: the near name is read too; two near names; none near; a one-letter name.
    assert valuehints.unread_local_hint(_LOOP.replace("= yt_pred", "= yt_pred + yt"), name="yt_pred") == ""
    assert valuehints.unread_local_hint(_LOOP.replace("cache =", "pred ="), name="yt_pred") == ""
    assert valuehints.unread_local_hint(_LOOP.replace("yt, cache", "out, cache"), name="yt_pred") == ""
    assert valuehints.unread_local_hint("def f(x):\n    a = 1\n    return a_prev\n", name="a_prev") == ""


def test_the_grader_tells_the_unread_name_beside_the_global_it_read(tmp_path, context, sandbox):
    edit = nbs.mutate("lstm_forward", "y[:, :, t] = yt", "y[:, :, t] = yt_pred")
    nb = nbs.course_notebook(edit, extra_cells=[])
    nb["cells"].insert(2, nbs.code_cell("yt_pred = np.zeros((2, 10))\n", count=2))
    part = grade_submission(nbs.write(tmp_path / "s.ipynb", nb), context=context, sandbox=sandbox).part("lstm_forward")
    notes = " ".join(part.notes)
    assert "uses `yt_pred`" in notes and "gives `yt` a value that nothing in the function reads" in notes, notes


def test_a_hostile_function_of_thousands_of_names_is_read_in_bounded_time():
    import time

    source = ("def f(x):\n" + "".join(f"    v{k}_name = {k}\n" for k in range(5_000))
              + "    return " + " + ".join(f"w{k}_name" for k in range(20)) + "\n")
    start = time.process_time()
    assert all(valuehints.unread_local_hint(source, name=f"w{k}_name") == "" for k in range(20))
    assert time.process_time() - start < 1
