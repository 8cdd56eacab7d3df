"""Unit tests of grader.similarity: each normalisation, winnowing, exclusions, known sources, outputs."""
from __future__ import annotations

import csv
import random
import textwrap

import pytest

from grader.similarity import (
    CSV_COLUMNS,
    KNOWN_PREFIX,
    find_similar,
    normalise_function,
    render_similarity_html,
    write_similarity_csv,
)
from grader.similarity.normalise import statement_shapes
from grader.similarity.winnow import fingerprints, kgram_hashes, token_hash, winnow

CELL = '''
def rnn_cell_forward(xt, a_prev, parameters):
    """Docstring of the original."""
    Wax = parameters["Wax"]
    Waa = parameters["Waa"]
    Wya = parameters["Wya"]
    ba = parameters["ba"]
    by = parameters["by"]
    z = np.dot(Wax, xt) + np.dot(Waa, a_prev) + ba
    a_next = np.tanh(z)
    yt_pred = softmax(np.dot(Wya, a_next) + by)
    cache = (a_next, a_prev, xt, parameters)
    return a_next, yt_pred, cache
'''


def tokens(source: str, **kwargs) -> tuple[str, ...]:
    """Canonical tokens of a source text."""
    return normalise_function(textwrap.dedent(source), **kwargs).tokens


def same(a: str, b: str) -> bool:
    """True if two sources normalise to the same tokens."""
    return tokens(a) == tokens(b)


# --------------------------------------------------------------------------- normalisations


def test_renaming_identifiers_is_invisible():
    renamed = (CELL.replace("a_next", "h_new").replace("a_prev", "h_old").replace("xt", "inp")
               .replace("Wax =", "U =").replace("(Wax,", "(U,").replace("yt_pred", "out").replace(" z ", " pre ").replace("(z)", "(pre)"))
    assert renamed != CELL and 'U = parameters["Wax"]' in renamed
    assert same(CELL, renamed)


def test_attribute_and_key_names_are_kept():
    assert not same("def f(a):\n    return np.tanh(a)\n", "def f(a):\n    return np.cos(a)\n")
    assert not same('def f(p):\n    return p["Wax"]\n', 'def f(p):\n    return p["Waa"]\n')


def test_comments_docstrings_and_blank_lines_are_invisible():
    noisy = CELL.replace('"""Docstring of the original."""', '"""Completely different words."""\n    # a comment\n')
    noisy = noisy.replace("    a_next = np.tanh(z)\n", "\n\n    a_next = np.tanh(z)  # activation\n    # more\n")
    assert same(CELL, noisy)
    no_doc = CELL.replace('    """Docstring of the original."""\n', "")
    assert same(CELL, no_doc)


def test_matrix_product_spellings_are_one():
    variants = ["np.dot(W, x)", "W @ x", "np.matmul(W, x)", "W.dot(x)", "numpy.dot(W, x)"]
    sources = ["def f(W, x):\n    return %s\n" % v for v in variants]
    assert len({tokens(s) for s in sources}) == 1
    # but the order of a matrix product matters (once the parameters' roles are known: numbered
    # by their uses since the twenty-seventh session, ``f(W, x): x @ W`` is ``f(x, W): W @ x``)
    assert not same("def f(W, x):\n    return W @ x, W.shape\n", "def f(W, x):\n    return x @ W, W.shape\n")


def test_commutative_operands_are_ordered_and_others_are_not():
    assert same("def f(a, b, c):\n    return a * b + c\n", "def f(a, b, c):\n    return c + b * a\n")
    assert same("def f(a, b):\n    return np.multiply(a, b)\n", "def f(a, b):\n    return b * a\n")
    assert not same("def f(a, b):\n    return a - b, a.T\n", "def f(a, b):\n    return b - a, a.T\n")


def test_augmented_assignment_and_square_spellings():
    assert same("def f(a, b):\n    a += b\n    return a\n", "def f(a, b):\n    a = a + b\n    return a\n")
    assert same("def f(a):\n    return 1 - np.square(a)\n", "def f(a):\n    return 1 - a ** 2\n")
    assert same("def f(a):\n    return a.T\n", "def f(a):\n    return np.transpose(a)\n")


def test_independent_statements_are_reordered_canonically():
    reordered = CELL.replace(
        '    Wax = parameters["Wax"]\n    Waa = parameters["Waa"]\n    Wya = parameters["Wya"]\n',
        '    Wya = parameters["Wya"]\n    Wax = parameters["Wax"]\n    Waa = parameters["Waa"]\n')
    assert reordered != CELL
    assert same(CELL, reordered)
    lists = "def f(x):\n    a = []\n    b = []\n    for v in x:\n        a.append(v)\n        b.append(v * 2)\n    return a, b\n"
    swapped = "def f(x):\n    b = []\n    a = []\n    for v in x:\n        b.append(v * 2)\n        a.append(v)\n    return a, b\n"
    assert same(lists, swapped)


def test_dependent_statements_keep_their_order():
    first = "def f(x):\n    y = x + 1\n    x = 2 * x\n    return x, y\n"
    second = "def f(x):\n    x = 2 * x\n    y = x + 1\n    return x, y\n"
    assert not same(first, second)


def test_dead_code_is_removed():
    dead = CELL.replace("    a_next = np.tanh(z)\n", textwrap.indent(textwrap.dedent('''
        a_next = np.tanh(z)
        unused = z * 2
        chain = unused + 1
        if False:
            a_next = 0
        while 0:
            pass
        print("debug", chain)
        "a bare string"
    '''), "    "))
    dead = dead.replace("    return a_next, yt_pred, cache\n", "    return a_next, yt_pred, cache\n    z = 5\n    print(z)\n")
    assert same(CELL, dead)
    overwritten = CELL.replace("    a_next = np.tanh(z)\n", "    a_next = 0\n    a_next = np.tanh(z)\n")
    assert same(CELL, overwritten)


def test_live_code_is_not_removed():
    used = CELL.replace("    a_next = np.tanh(z)\n", "    a_next = np.tanh(z)\n    a_next = a_next * 2\n")
    assert not same(CELL, used)
    mutation = "def f(x):\n    out = []\n    out.append(x)\n    return out\n"
    assert "Expr" in tokens(mutation)


def test_all_disguises_together():
    disguised = '''
    def rnn_cell_forward(x_t, h_prev, params):
        # my own work
        W_y = params["Wya"]
        b_y = params["by"]
        W_x = params["Wax"]
        W_h = params["Waa"]
        b_h = params["ba"]
        pre = b_h + W_h @ h_prev + W_x @ x_t   # pre-activation
        junk = pre.copy()
        h = np.tanh(pre)
        out = softmax(b_y + W_y @ h)
        c = (h, h_prev, x_t, params)
        return h, out, c
        print("never")
    '''
    assert same(CELL, disguised)


def test_unparsable_source_falls_back_to_tokens():
    code = normalise_function("def f(x):\n    print 'py2'\n    return x +\n")
    assert not code.parsed
    assert code.tokens and len(code.tokens) == len(code.lines)
    again = normalise_function("def g(y):\n    print 'py2'  # other\n    return y +\n")
    assert again.tokens == code.tokens


def test_lines_point_into_the_given_source():
    code = normalise_function(CELL)
    source_lines = CELL.split("\n")
    assert len(code.tokens) == len(code.lines)
    assert min(code.lines) >= 1 and max(code.lines) <= len(source_lines)
    softmax_line = code.lines[code.tokens.index("n:softmax")]
    assert "softmax" in source_lines[softmax_line - 1]


def test_template_statements_are_stripped():
    template = CELL.replace("    z = np.dot(Wax, xt) + np.dot(Waa, a_prev) + ba\n", "").replace(
        "np.tanh(z)", "None").replace("softmax(np.dot(Wya, a_next) + by)", "None")
    shapes = statement_shapes(template)
    full = tokens(CELL)
    stripped = tokens(CELL, template_shapes=shapes)
    assert len(stripped) < len(full)
    assert "c:'Wax'" in full and "c:'Wax'" not in stripped
    assert "n:softmax" in stripped


# --------------------------------------------------------------------------- winnowing


def test_kgram_hashes_and_winnow_basics():
    values = [token_hash(t) for t in "a b c d e f g h".split()]
    assert token_hash("a") == token_hash("a") and token_hash("a") != token_hash("b")
    assert len(kgram_hashes(values, 3)) == 6
    assert len(kgram_hashes(values[:2], 3)) == 1
    assert kgram_hashes([], 3) == []
    picked = winnow([5, 1, 7, 1, 9], 3)
    assert [(fp.value, fp.position) for fp in picked] == [(1, 1), (1, 3)]  # ties: the rightmost minimum
    assert [fp.position for fp in winnow([3, 2, 1], 10)] == [2]
    with pytest.raises(ValueError):
        winnow([1], 0)


def test_winnowing_guarantee_on_random_sequences():
    """Any shared run of at least w + k - 1 tokens yields a shared fingerprint (the paper's guarantee)."""
    rng = random.Random(0)
    k, w = 5, 4
    for _ in range(200):
        shared = [rng.choice("abcdefghij") for _ in range(w + k - 1)]
        a = [rng.choice("klmnop") for _ in range(rng.randint(0, 20))] + shared + [rng.choice("qrs") for _ in range(5)]
        b = [rng.choice("tuvwx") for _ in range(rng.randint(0, 20))] + shared
        fa = {fp.value for fp in fingerprints(a, k=k, w=w)}
        fb = {fp.value for fp in fingerprints(b, k=k, w=w)}
        assert fa & fb


def test_winnowing_density_is_about_two_over_w_plus_one():
    rng = random.Random(1)
    seq = [str(rng.random()) for _ in range(5000)]
    density = len(fingerprints(seq, k=5, w=9)) / 5000
    assert 0.15 < density < 0.25  # expected 2 / (w + 1) = 0.2


# --------------------------------------------------------------------------- find_similar


def _own_style(seed: int) -> dict[str, str]:
    """A submission with code unique to ``seed`` (different constants, structures and calls)."""
    rng = random.Random(seed)
    body = []
    for i in range(6):
        op = rng.choice(["+", "-", "*", "/"])
        fn = rng.choice(["np.tanh", "np.exp", "np.log1p", "np.sqrt", "np.abs", "np.sin"])
        body.append("    v%d = %s(x %s %d.%d) * %d" % (i, fn, op, rng.randint(1, 99), rng.randint(0, 9), rng.randint(2, 50)))
    body.append("    return " + " - ".join("v%d" % i for i in range(6)))
    return {"f": "def f(x):\n" + "\n".join(body) + "\n"}


def test_copy_is_flagged_and_independent_code_is_not():
    subs = {"s%d" % i: _own_style(i) for i in range(8)}
    subs["copy"] = {"f": subs["s3"]["f"].replace("v", "w").replace("    return", "    # copied\n    return")}
    report = find_similar(subs)
    assert [(p.a, p.b) for p in report.flagged] == [("copy", "s3")] or [(p.a, p.b) for p in report.flagged] == [("s3", "copy")]
    top = report.pairs[0]
    assert top.flagged and top.overall == 1.0 and top.scores == {"f": 1.0}
    assert report.clusters == (("copy", "s3"),)
    assert report.stats["submissions"] == 9 and report.stats["seconds"] >= 0


def test_common_code_is_ignored_like_a_base_file():
    shared = _own_style(100)["f"]
    subs = {"s%d" % i: {"f": shared, "g": _own_style(i)["f"].replace("def f", "def g")} for i in range(10)}
    report = find_similar(subs)
    assert report.flagged == ()
    assert report.stats["ignored_common"] > 0
    assert all("f" not in p.scores for p in report.pairs)  # nothing of f is left to compare
    everything = find_similar(subs, common_fraction=1.0)
    assert len(everything.pairs) == 45 and all(p.scores["f"] == 1.0 for p in everything.pairs)


def test_template_code_is_ignored():
    template_source = "def f(x):\n" + "\n".join("    t%d = np.cos(x + %d) ** 3" % (i, i) for i in range(8)) + "\n    return None\n"
    filled = [template_source.replace("return None", "return t0 + t1 + t2 + t3 + t4 + t5 + t6 + t7 + %d" % i)
              for i in range(2)]
    subs = {"a": {"f": filled[0]}, "b": {"f": filled[1]}}
    without = find_similar(subs)
    with_template = find_similar(subs, template={"f": template_source})
    with_text = find_similar(subs, template=template_source + "\nprint('other cells')\n")
    assert without.pairs and without.pairs[0].flagged
    assert not with_template.flagged and not with_text.flagged


def test_known_sources_are_compared_but_not_with_each_other():
    web = _own_style(50)
    subs = {"s%d" % i: _own_style(i) for i in range(5)}
    subs["cheat"] = {"f": web["f"].replace("v", "q")}
    known = {"blog": web, "blog_mirror": dict(web)}
    report = find_similar(subs, known=known)
    flagged = {(p.a, p.b) for p in report.flagged}
    assert flagged == {("cheat", KNOWN_PREFIX + "blog"), ("cheat", KNOWN_PREFIX + "blog_mirror")}
    assert all(p.known for p in report.flagged)
    assert report.clusters == (("cheat", "known:blog", "known:blog_mirror"),)


def test_regions_are_line_ranges_of_the_matching_code():
    own = _own_style(7)["f"]
    extra = own.replace("    return", "    unused = np.cos(x) * 12345.5\n    return")
    report = find_similar({"a": {"f": own}, "b": {"f": extra}, "c": _own_style(8)})
    pair = report.pairs[0]
    assert {pair.a, pair.b} == {"a", "b"} and pair.flagged
    regions = pair.regions["f"]
    side = {pair.a: regions.a, pair.b: regions.b}
    lines_a = {line for start, end in side["a"] for line in range(start, end + 1)}
    lines_b = {line for start, end in side["b"] for line in range(start, end + 1)}
    assert set(range(2, 9)) <= lines_a <= set(range(1, 9))  # six statements and the return (maybe the def line)
    added = extra.split("\n").index("    unused = np.cos(x) * 12345.5") + 1
    assert added not in lines_b and set(range(2, 10)) - {added} <= lines_b <= set(range(1, 10)) - {added}



def test_regions_read_like_the_dict_they_stand_for():
    """``regions`` is worked out on first use; it must read, compare, print and pickle as a dict."""
    import pickle

    own = _own_style(7)
    other = {name: src.replace("    return", "    unused = np.cos(x) * 12345.5\n    return") for name, src in own.items()}
    report = find_similar({"a": own, "b": other, "c": _own_style(8)})
    pair = report.pairs[0]
    plain = {name: pair.regions[name] for name in pair.regions}
    assert plain and list(pair.regions) == list(plain) and len(pair.regions) == len(plain)
    assert pair.regions == plain and repr(pair.regions) == repr(plain)
    copy = pickle.loads(pickle.dumps(pair))
    assert copy == pair and type(copy.regions) is dict and copy.regions == plain
    assert "nothing" not in pair.regions and pair.regions.get("nothing") is None

def test_missing_functions_and_empty_input():
    empty = find_similar({})
    assert empty.pairs == () and empty.clusters == ()
    report = find_similar({"a": {"f": _own_style(1)["f"]}, "b": {"g": _own_style(1)["f"].replace("def f", "def g")}})
    assert report.flagged == ()  # different function names are not compared


def test_csv_and_html_outputs(tmp_path):
    subs = {"s%d" % i: _own_style(i) for i in range(4)}
    subs["<b>copy</b>"] = {"f": subs["s1"]["f"].replace("v", "u")}
    report = find_similar(subs)
    path = tmp_path / "similarity.csv"
    write_similarity_csv(report, path)
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0][: len(CSV_COLUMNS)]) == CSV_COLUMNS and rows[0][len(CSV_COLUMNS):] == ["score:f"]
    assert set(rows[1][1:3]) == {"<b>copy</b>", "s1"} and rows[1][4] == "1" and rows[1][7] == "1"
    assert [float(r[5]) for r in rows[1:]] == sorted((float(r[5]) for r in rows[1:]), reverse=True)
    page = render_similarity_html(report, subs, top=3)
    assert page.startswith("<section") and page.endswith("</section>") and "<html" not in page
    assert "&lt;b&gt;copy&lt;/b&gt;" in page and "<b>copy</b>" not in page
    assert 'class="l m"' in page  # highlighted lines
    assert "never a grade change" in page


def test_a_new_variable_does_not_respell_the_others():
    """Locals are spelled by the shape of their definition: an inserted temporary changes only its own lines."""
    edited = CELL.replace("    yt_pred = softmax(np.dot(Wya, a_next) + by)\n",
                          "    logits = np.dot(Wya, a_next) + by\n    yt_pred = softmax(logits)\n")
    a, b = tokens(CELL), tokens(edited)
    assert a != b
    common = set(a[i:i + 12] for i in range(len(a) - 11)) & set(b[i:i + 12] for i in range(len(b) - 11))
    assert len(common) >= 0.6 * (len(a) - 11)



def test_use_signatures_only_where_they_decide_the_order(monkeypatch):
    """Statements are ordered as if every key of a tied run carried its use signatures, also
    when a key is a prefix of another (``1.0`` / ``1.05``) or holds a ``|`` (a string)."""
    from grader.similarity import canonise

    sources = [
        "def f(x):\n    a = []\n    b = []\n    c = 1.0\n    d = 1.05\n    e = 'p|q'\n    g = 'p'\n"
        "    a.append(c)\n    b.append(d + x)\n    return a, b, e, g\n",
        "def f(x):\n    h = 'k'\n    i = 'k|'\n    j = 'k|0'\n    u = []\n    v = []\n"
        "    for t in x:\n        u.append(t)\n        v.append(t * 2)\n    return u, v, h, i, j\n",
        CELL, CELL.replace("    Wya = parameters[\"Wya\"]\n", "    Wya = parameters[\"Wax\"]\n"),
    ] + [src for seed in range(12) for src in _own_style(seed).values()]
    fast = [normalise_function(src) for src in sources]
    monkeypatch.setattr(canonise.Canoniser, "refined_keys",
                        lambda self, run, keys: [self.refined_key(stmt) for stmt in run])
    assert fast == [normalise_function(src) for src in sources]


def test_normalising_leaves_no_cyclic_garbage():
    """What a normalisation allocates is freed as soon as it is done with (no reference cycle
    waits for the cyclic collector, which would keep whole trees alive and walk them)."""
    import gc

    sources = [CELL, _own_style(3)["f"], "def g(a):\n    def h(b):\n        return b + a\n    x = h(1)\n    x += 2\n"
               "    return [x] * 2\n", "def bad(:\n"]
    shapes = statement_shapes("def rnn_cell_forward(xt, a_prev, parameters):\n    Wax = parameters['Wax']\n")
    gc.collect()
    gc.disable()
    try:
        for source in sources:
            normalise_function(source)
            normalise_function(source, template_shapes=shapes)
        found = gc.collect()
    finally:
        gc.enable()
    assert found == 0

def test_invalid_measure_is_refused():
    with pytest.raises(ValueError):
        find_similar({}, measure="median")


@pytest.mark.slow
def test_parallel_normalisation_gives_the_same_report(monkeypatch):
    from grader.similarity import detect
    from tests.test_similarity_corpus import TEMPLATE, make_corpus

    monkeypatch.setattr(detect, "_SPAWN_MIN", 200)  # 395 distinct sources, 356 keys: the helper is used
    monkeypatch.setattr(detect, "_POOL_MIN", 200)
    corpus = make_corpus(seed=4, n_independent=60, copies_per_disguise=1)
    one = find_similar(corpus.submissions, template=TEMPLATE)
    two = find_similar(corpus.submissions, template=TEMPLATE, workers=2)
    assert one.pairs == two.pairs and one.clusters == two.clusters
    assert {k: v for k, v in one.stats.items() if k != "seconds"} == {k: v for k, v in two.stats.items() if k != "seconds"}



def test_no_helper_to_be_had_leaves_every_batch_to_this_process(monkeypatch):
    """When no process can be started (``OSError``: a process limit), this process normalises every
    batch and the report is the one a single process makes. Helpers that die are
    ``tests/test_similarity_helpers.py``'s."""
    import multiprocessing.context

    from grader.similarity import detect

    subs = {"s%d" % i: _own_style(i) for i in range(80)}
    subs["copy"] = {"f": subs["s3"]["f"].replace("v", "w")}
    alone = find_similar(subs)
    tried, batches = [], []

    def refuse(self):
        tried.append(self)
        raise OSError(11, "Resource temporarily unavailable")

    real = detect._normalise_batch
    monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", refuse)
    monkeypatch.setattr(detect, "_normalise_batch", lambda *args: batches.append(args[0]) or real(*args))
    monkeypatch.setattr(detect, "_POOL_MIN", 10)
    monkeypatch.setattr(detect, "_SPAWN_MIN", 10)
    shared = find_similar(subs, workers=3)
    assert len(tried) == 1  # the second helper is not tried after the first could not start
    assert len(batches) == 4 and sum(map(len, batches)) == 80  # "copy" is s3 renamed: one key
    assert shared.pairs == alone.pairs and shared.clusters == alone.clusters and shared.flagged
    assert {k: v for k, v in shared.stats.items() if k != "seconds"} == {k: v for k, v in alone.stats.items() if k != "seconds"}


def test_pathological_sources_do_not_stop_the_report():
    deep = "def f(x):\n    return " + " + ".join("x%d" % i for i in range(500)) + "\n"
    # Whether the passes manage the depth depends on the stack left to them (memoised
    # results and the caller's depth differ between runs); either way there are tokens.
    code = normalise_function(deep)
    assert code.tokens
    deeper = normalise_function(deep.replace("x0 +", "x0 + " * 2500))
    # Too deep for the passes even balanced: the chain is read as one value (``deepexpr``, thirty-seventh session).
    assert deeper.tokens and deeper.parsed and deeper.tokens[:4] == ('def:v0', 'Return', 'n:v1', '}')
    report = find_similar({"a": {"f": deep}, "b": {"f": deep.replace("x1 ", "y1 ")}, "c": {"f": "def f(:\n"},
                           "d": {"f": ""}, "e": {}})
    assert report.stats["unparsable"] >= 1
    assert report.pairs and {report.pairs[0].a, report.pairs[0].b} == {"a", "b"}
