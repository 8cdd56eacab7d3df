"""Review of session 22: the imports a kept function makes in its body, imported at load."""
import sys

import nbformat

from grader import extract as ex

_BODY = '''
    a_next = np.tanh(parameters["Wax"] @ xt + parameters["Waa"] @ a_prev + parameters["ba"])
    return a_next, a_next, (a_next, a_prev, xt, parameters)
'''


def _program(tmp_path, inner: str) -> str:
    src = "import numpy as np\ndef rnn_cell_forward(xt, a_prev, parameters):\n" + inner + _BODY
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(src))
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, str(path))
    program = ex.extract_file(path).program()
    return getattr(program, "source", program)


def test_import_text_in_a_docstring_is_not_imported_at_load(tmp_path):
    source = _program(tmp_path, '    """Notes:\n        import helper_beside\n    """\n')
    assert "helper_beside" not in source.split("def rnn_cell_forward")[0]


def test_a_real_body_import_is_still_imported_at_load(tmp_path):
    source = _program(tmp_path, "    import helper_beside, other_helper\n")
    head = source.split("def rnn_cell_forward")[0]
    assert "__import__('helper_beside')" in head and "__import__('other_helper')" in head


def test_a_module_raising_system_exit_at_import_does_not_stop_the_load(tmp_path):
    (tmp_path / "exits_on_import.py").write_text("raise SystemExit(3)\n")
    source = _program(tmp_path, "    import exits_on_import\n")
    sys.path.insert(0, str(tmp_path))
    try:
        namespace: dict = {}
        exec(compile(source, "program", "exec"), namespace)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("exits_on_import", None)
    assert callable(namespace["rnn_cell_forward"])
