"""A generated benchmark for copied-code detection: independent solutions and disguised copies.

Everything here is written for this project. Each graded function has
several hand-written *styles* of a correct solution (loops versus
vectorised, ``np.dot`` versus ``@``, concatenated versus split weights,
stacked gates, helpers, different temporaries and shape look-ups). Each style
also has *knobs*, small choices students make independently (where a shape
comes from, ``x[:, :, t]`` or ``x[..., t]``, ``keepdims`` or ``reshape``...).
A generated student picks, per function, a style (the first, "textbook"
style, is the most likely) and its knobs, and gets random identifier names
for their own variables: these are the *independent* solutions.

``disguise`` turns a submission into a *copy* with one or all of the
disguises a copier uses: renamed identifiers, reordered independent
statements, new comments and docstrings, added dead code, ``np.dot`` swapped
with ``@``. Its code is independent of ``grader.similarity`` (it uses its own
conservative dependency test), so the benchmark does not grade the detector
with the detector's own logic.

The tests in this file check the generator itself: every style of every
function computes what the reference solution computes, and every disguise
keeps the behaviour.
"""
from __future__ import annotations

import ast
import random
import re
import textwrap
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np
import pytest

FUNCTIONS = ("rnn_cell_forward", "rnn_forward", "lstm_cell_forward", "lstm_forward",
             "rnn_cell_backward", "rnn_backward")

# --------------------------------------------------------------------------- starter code (our own rendition)

TEMPLATE: Mapping[str, str] = {
    "rnn_cell_forward": '''
def rnn_cell_forward(xt, a_prev, parameters):
    """One forward step of the basic RNN cell; returns a_next, yt_pred, cache."""
    # Retrieve parameters from "parameters"
    Wax = parameters["Wax"]
    Waa = parameters["Waa"]
    Wya = parameters["Wya"]
    ba = parameters["ba"]
    by = parameters["by"]
    ### START CODE HERE ###
    a_next = None
    yt_pred = None
    ### END CODE HERE ###
    cache = (a_next, a_prev, xt, parameters)
    return a_next, yt_pred, cache
''',
    "rnn_forward": '''
def rnn_forward(x, a0, parameters):
    """Forward pass of the RNN over T_x steps; returns a, y_pred, caches."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    ### START CODE HERE ###
    a = None
    y_pred = None
    a_next = None
    for t in range(None):
        a_next, yt_pred, cache = None
    ### END CODE HERE ###
    caches = (caches, x)
    return a, y_pred, caches
''',
    "lstm_cell_forward": '''
def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    """One forward step of the LSTM cell; returns a_next, c_next, yt_pred, cache."""
    Wf = parameters["Wf"]
    bf = parameters["bf"]
    Wi = parameters["Wi"]
    bi = parameters["bi"]
    Wc = parameters["Wc"]
    bc = parameters["bc"]
    Wo = parameters["Wo"]
    bo = parameters["bo"]
    Wy = parameters["Wy"]
    by = parameters["by"]
    n_x, m = xt.shape
    n_y, n_a = Wy.shape
    ### START CODE HERE ###
    concat = None
    ft = None
    it = None
    cct = None
    c_next = None
    ot = None
    a_next = None
    yt_pred = None
    ### END CODE HERE ###
    cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)
    return a_next, c_next, yt_pred, cache
''',
    "lstm_forward": '''
def lstm_forward(x, a0, parameters):
    """Forward pass of the LSTM over T_x steps; returns a, y, c, caches."""
    caches = []
    ### START CODE HERE ###
    n_x, m, T_x = None
    n_y, n_a = None
    a = None
    c = None
    y = None
    a_next = None
    c_next = None
    for t in range(None):
        a_next, c_next, yt, cache = None
    ### END CODE HERE ###
    caches = (caches, x)
    return a, y, c, caches
''',
    "rnn_cell_backward": '''
def rnn_cell_backward(da_next, cache):
    """Backward step of the RNN cell; returns the gradients dictionary."""
    (a_next, a_prev, xt, parameters) = cache
    Wax = parameters["Wax"]
    Waa = parameters["Waa"]
    Wya = parameters["Wya"]
    ba = parameters["ba"]
    by = parameters["by"]
    ### START CODE HERE ###
    dtanh = None
    dxt = None
    dWax = None
    da_prev = None
    dWaa = None
    dba = None
    ### END CODE HERE ###
    gradients = {"dxt": dxt, "da_prev": da_prev, "dWax": dWax, "dWaa": dWaa, "dba": dba}
    return gradients
''',
    "rnn_backward": '''
def rnn_backward(da, caches):
    """Backward pass of the RNN over the whole sequence; returns the gradients dictionary."""
    ### START CODE HERE ###
    (caches, x) = None
    (a1, a0, x1, parameters) = None
    n_a, m, T_x = None
    n_x, m = None
    dx = None
    dWax = None
    dWaa = None
    dba = None
    da0 = None
    da_prevt = None
    for t in reversed(range(None)):
        gradients = None
        dxt, da_prevt, dWaxt, dWaat, dbat = None
    da0 = None
    ### END CODE HERE ###
    gradients = {"dx": dx, "da0": da0, "dWax": dWax, "dWaa": dWaa, "dba": dba}
    return gradients
''',
}

# --------------------------------------------------------------------------- names

_WORDS = ("val", "tmp", "res", "out", "cur", "nxt", "prev", "acc", "buf", "step", "mat", "vec", "arr",
          "term", "part", "hid", "state", "grad", "sig", "act", "pre", "lin", "new", "old", "z", "h", "s",
          "g", "q", "u", "w", "k", "r", "m2", "aux", "loc", "sum", "tot", "it", "el")


class Namer:
    """Random, per-student identifier names for a student's own variables (consistent within a function)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.names: dict[str, str] = {}
        self.used: set[str] = set()

    def __call__(self, role: str, *preferred: str) -> str:
        """The name this student uses for ``role`` (one of ``preferred`` or a made-up one)."""
        if role not in self.names:
            options = [p for p in preferred if p not in self.used]
            if options and self.rng.random() < 0.6:
                name = self.rng.choice(options)
            else:
                while True:
                    name = "%s_%s" % (self.rng.choice(_WORDS), self.rng.choice(_WORDS))
                    if self.rng.random() < 0.5:
                        name += str(self.rng.randint(0, 9))
                    if name not in self.used:
                        break
            self.names[role] = name
            self.used.add(name)
        return self.names[role]


def _mm(rng: random.Random, a: str, b: str) -> str:
    """A matrix product as this student writes it."""
    return rng.choice(("np.dot(%s, %s)", "%s @ %s", "np.matmul(%s, %s)", "%s.dot(%s)")) % (a, b)


def _sum_rows(rng: random.Random, z: str) -> str:
    """Sum over the batch axis keeping a column, as this student writes it."""
    return rng.choice((
        "np.sum(%s, axis=1, keepdims=True)", "np.sum(%s, axis=1).reshape(-1, 1)",
        "%s.sum(axis=1, keepdims=True)", "np.sum(%s, axis=1)[:, np.newaxis]",
        "np.sum(%s, 1, keepdims=True)",
    )) % (z, z) if False else rng.choice((
        "np.sum({z}, axis=1, keepdims=True)", "np.sum({z}, axis=1).reshape(-1, 1)",
        "{z}.sum(axis=1, keepdims=True)", "np.sum({z}, axis=1)[:, np.newaxis]",
        "np.sum({z}, 1, keepdims=True)",
    )).format(z=z)


def _step(rng: random.Random, arr: str, t: str) -> str:
    """Slice of time step ``t`` of a 3-D array."""
    return rng.choice(("%s[:, :, %s]", "%s[..., %s]", "%s[:,:,%s]")) % (arr, t)


def _indent(body: str) -> str:
    """Indent a dedented body by four spaces."""
    return textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n"


# --------------------------------------------------------------------------- rnn_cell_forward

_RNN_RETRIEVE = '''Wax = parameters["Wax"]
Waa = parameters["Waa"]
Wya = parameters["Wya"]
ba = parameters["ba"]
by = parameters["by"]
'''


def _rnn_cell_forward(style: int, rng: random.Random, n: Namer) -> str:
    """Styles: 0 textbook one-liners, 1 temporaries, 2 concatenated weights, 3 inline parameters, 4 per-example loop."""
    head = "def rnn_cell_forward(xt, a_prev, parameters):\n"
    doc = rng.choice(('    """RNN cell forward."""\n', "", "    # forward step\n"))
    tail = "cache = (a_next, a_prev, xt, parameters)\nreturn a_next, yt_pred, cache\n"
    if style == 0:
        order = rng.random() < 0.5
        terms = [_mm(rng, "Waa", "a_prev"), _mm(rng, "Wax", "xt")]
        if order:
            terms.reverse()
        body = _RNN_RETRIEVE + "a_next = np.tanh(%s + %s + ba)\nyt_pred = softmax(%s + by)\n" % (
            terms[0], terms[1], _mm(rng, "Wya", "a_next"))
    elif style == 1:
        z, zy = n("z", "z", "z_t", "pre"), n("zy", "zy", "logits", "y_lin")
        body = _RNN_RETRIEVE + "%s = %s + %s + ba\na_next = np.tanh(%s)\n%s = %s + by\nyt_pred = softmax(%s)\n" % (
            z, _mm(rng, "Wax", "xt"), _mm(rng, "Waa", "a_prev"), z, zy, _mm(rng, "Wya", "a_next"), zy)
    elif style == 2:
        st, W = n("stack", "stacked", "ax", "concat"), n("W", "W", "W_all", "Wstack")
        join_a = rng.choice(("np.concatenate((a_prev, xt), axis=0)", "np.vstack((a_prev, xt))", "np.vstack([a_prev, xt])"))
        join_w = rng.choice(("np.concatenate((Waa, Wax), axis=1)", "np.hstack((Waa, Wax))", "np.hstack([Waa, Wax])"))
        body = _RNN_RETRIEVE + "%s = %s\n%s = %s\na_next = np.tanh(%s + ba)\nyt_pred = softmax(%s + by)\n" % (
            st, join_a, W, join_w, _mm(rng, W, st), _mm(rng, "Wya", "a_next"))
    elif style == 3:
        p = "parameters"
        body = ('a_next = np.tanh(%s + %s + %s["ba"])\nyt_pred = softmax(%s + %s["by"])\n' % (
            _mm(rng, p + '["Wax"]', "xt"), _mm(rng, p + '["Waa"]', "a_prev"), p, _mm(rng, p + '["Wya"]', "a_next"), p))
        if rng.random() < 0.5:
            body = _RNN_RETRIEVE + body
    else:
        i = n("i", "i", "j", "col")
        mm = rng.choice(("xt.shape[1]", "a_prev.shape[1]"))
        body = _RNN_RETRIEVE + (
            "a_next = np.zeros((Waa.shape[0], {mm}))\n"
            "for {i} in range({mm}):\n"
            "    a_next[:, {i}] = np.tanh({p1} + {p2} + ba[:, 0])\n"
            "yt_pred = softmax({p3} + by)\n"
        ).format(mm=mm, i=i, p1=_mm(rng, "Wax", "xt[:, %s]" % i), p2=_mm(rng, "Waa", "a_prev[:, %s]" % i),
                 p3=_mm(rng, "Wya", "a_next"))
    return head + doc + _indent(body + tail)


# --------------------------------------------------------------------------- rnn_forward


def _rnn_forward(style: int, rng: random.Random, n: Namer) -> str:
    """Styles: 0 textbook, 1 lists then np.stack, 2 while loop, 3 shapes from a0/by and zeros_like-free init, 4 cell inlined."""
    head = "def rnn_forward(x, a0, parameters):\n"
    an, yt, cache = n("a_next", "a_next", "a_t", "h"), n("yt", "yt_pred", "y_t", "yhat"), n("cache", "cache", "c_t")
    t = n("t", "t", "step", "k")
    shapes = rng.choice((
        'n_x, m, T_x = x.shape\nn_y, n_a = parameters["Wya"].shape\n',
        'n_x, m, T_x = x.shape\nn_a = a0.shape[0]\nn_y = parameters["by"].shape[0]\n',
        'n_x, m, T_x = x.shape\nn_a, _ = parameters["Waa"].shape\nn_y = parameters["Wya"].shape[0]\n',
    ))
    xs = _step(rng, "x", t)
    if style == 0:
        body = ("caches = []\n" + shapes +
                "a = np.zeros((n_a, m, T_x))\ny_pred = np.zeros((n_y, m, T_x))\n{an} = a0\n"
                "for {t} in range(T_x):\n"
                "    {an}, {yt}, {cache} = rnn_cell_forward({xs}, {an}, parameters)\n"
                "    {aslot} = {an}\n    {yslot} = {yt}\n    caches.append({cache})\n"
                "caches = (caches, x)\nreturn a, y_pred, caches\n")
        body = body.format(an=an, yt=yt, cache=cache, t=t, xs=xs, aslot=_step(rng, "a", t), yslot=_step(rng, "y_pred", t))
    elif style == 1:
        hs, ys = n("hs", "hs", "states", "a_list"), n("ys", "ys", "preds", "y_list")
        stack = rng.choice(("np.stack({v}, axis=2)", "np.stack({v}, axis=-1)", "np.dstack({v})"))
        body = ("caches = []\n" + rng.choice(("T_x = x.shape[2]\n", "T_x = x.shape[-1]\n")) +
                "{hs} = []\n{ys} = []\n{an} = a0\n"
                "for {t} in range(T_x):\n"
                "    {an}, {yt}, {cache} = rnn_cell_forward({xs}, {an}, parameters)\n"
                "    {hs}.append({an})\n    {ys}.append({yt})\n    caches.append({cache})\n"
                "a = {sa}\ny_pred = {sy}\ncaches = (caches, x)\nreturn a, y_pred, caches\n")
        body = body.format(hs=hs, ys=ys, an=an, yt=yt, cache=cache, t=t, xs=xs,
                           sa=stack.format(v=hs), sy=stack.format(v=ys))
    elif style == 2:
        body = ("caches = []\n" + shapes +
                "a = np.zeros([n_a, m, T_x])\ny_pred = np.zeros([n_y, m, T_x])\n{an} = a0\n{t} = 0\n"
                "while {t} < T_x:\n"
                "    {an}, {yt}, {cache} = rnn_cell_forward({xs}, {an}, parameters)\n"
                "    caches.append({cache})\n    {aslot} = {an}\n    {yslot} = {yt}\n    {t} += 1\n"
                "caches = (caches, x)\nreturn a, y_pred, caches\n")
        body = body.format(an=an, yt=yt, cache=cache, t=t, xs=xs, aslot=_step(rng, "a", t), yslot=_step(rng, "y_pred", t))
    elif style == 3:
        xt = n("xt", "xt", "x_t", "inp")
        body = ("caches = []\n" + shapes +
                "a = np.zeros((a0.shape[0], x.shape[1], x.shape[2]))\ny_pred = np.zeros((n_y,) + x.shape[1:])\n"
                "{an} = a0.copy()\n"
                "for {t}, {xt} in enumerate(np.moveaxis(x, 2, 0)):\n"
                "    {an}, {yt}, {cache} = rnn_cell_forward({xt}, {an}, parameters)\n"
                "    caches.append({cache})\n    {aslot}, {yslot} = {an}, {yt}\n"
                "caches = (caches, x)\nreturn a, y_pred, caches\n")
        body = body.format(an=an, yt=yt, cache=cache, t=t, xt=xt, aslot=_step(rng, "a", t), yslot=_step(rng, "y_pred", t))
    else:
        ap = n("a_prev", "a_prev", "prev", "h_prev")
        body = ("caches = []\n" + shapes +
                'Wax, Waa, Wya = parameters["Wax"], parameters["Waa"], parameters["Wya"]\n'
                'ba, by = parameters["ba"], parameters["by"]\n'
                "a = np.zeros((n_a, m, T_x))\ny_pred = np.zeros((n_y, m, T_x))\n{ap} = a0\n"
                "for {t} in range(T_x):\n"
                "    {an} = np.tanh({m1} + {m2} + ba)\n"
                "    {yt} = softmax({m3} + by)\n"
                "    caches.append(({an}, {ap}, {xs}, parameters))\n"
                "    {aslot} = {an}\n    {yslot} = {yt}\n    {ap} = {an}\n"
                "caches = (caches, x)\nreturn a, y_pred, caches\n")
        body = body.format(an=an, yt=yt, t=t, xs=xs, ap=ap, m1=_mm(rng, "Wax", xs), m2=_mm(rng, "Waa", ap),
                           m3=_mm(rng, "Wya", an), aslot=_step(rng, "a", t), yslot=_step(rng, "y_pred", t))
    return head + _indent(body)


# --------------------------------------------------------------------------- lstm_cell_forward

_LSTM_RETRIEVE = '''Wf = parameters["Wf"]
bf = parameters["bf"]
Wi = parameters["Wi"]
bi = parameters["bi"]
Wc = parameters["Wc"]
bc = parameters["bc"]
Wo = parameters["Wo"]
bo = parameters["bo"]
Wy = parameters["Wy"]
by = parameters["by"]
n_x, m = xt.shape
n_y, n_a = Wy.shape
'''


def _lstm_cell_forward(style: int, rng: random.Random, n: Namer) -> str:
    """Styles: 0 textbook, 1 concat filled into zeros, 2 stacked gates + split, 3 split weights, 4 helper gate function."""
    head = "def lstm_cell_forward(xt, a_prev, c_prev, parameters):\n"
    tail = "cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)\nreturn a_next, c_next, yt_pred, cache\n"
    join = rng.choice(("np.concatenate((a_prev, xt), axis=0)", "np.vstack((a_prev, xt))", "np.concatenate([a_prev, xt])",
                       "np.r_[a_prev, xt]"))
    cnext = rng.choice(("c_next = ft * c_prev + it * cct\n", "c_next = np.multiply(ft, c_prev) + np.multiply(it, cct)\n",
                        "c_next = c_prev * ft + cct * it\n"))
    anext = rng.choice(("a_next = ot * np.tanh(c_next)\n", "a_next = np.multiply(ot, np.tanh(c_next))\n"))
    ypred = "yt_pred = softmax(%s + by)\n" % _mm(rng, "Wy", "a_next")
    if style in (0, 1):
        if style == 0:
            cat = "concat = %s\n" % join
        else:
            cat = rng.choice(("concat = np.zeros((n_a + n_x, m))\nconcat[:n_a, :] = a_prev\nconcat[n_a:, :] = xt\n",
                              "concat = np.zeros((n_a + n_x, m))\nconcat[0:n_a] = a_prev\nconcat[n_a:n_a + n_x] = xt\n"))
        gates = ["ft = sigmoid(%s + bf)\n" % _mm(rng, "Wf", "concat"), "it = sigmoid(%s + bi)\n" % _mm(rng, "Wi", "concat"),
                 "cct = np.tanh(%s + bc)\n" % _mm(rng, "Wc", "concat"), "ot = sigmoid(%s + bo)\n" % _mm(rng, "Wo", "concat")]
        if rng.random() < 0.5:
            gates = [gates[0], gates[1], gates[2], cnext, gates[3]]
            body = _LSTM_RETRIEVE + cat + "".join(gates) + anext + ypred
        else:
            body = _LSTM_RETRIEVE + cat + "".join(gates) + cnext + anext + ypred
    elif style == 2:
        W, b, z = n("W", "W", "W_all", "Wg"), n("b", "b", "b_all", "bg"), n("z", "z", "gates", "pre")
        zf, zi, zc, zo = (n("zf", "zf", "f_lin"), n("zi", "zi", "i_lin"), n("zc", "zc", "c_lin"), n("zo", "zo", "o_lin"))
        split = rng.choice(("{zf}, {zi}, {zc}, {zo} = np.split({z}, 4, axis=0)\n",
                            "{zf} = {z}[:n_a]\n{zi} = {z}[n_a:2 * n_a]\n{zc} = {z}[2 * n_a:3 * n_a]\n{zo} = {z}[3 * n_a:]\n"))
        body = (_LSTM_RETRIEVE + "concat = {join}\n{W} = np.vstack((Wf, Wi, Wc, Wo))\n{b} = np.vstack((bf, bi, bc, bo))\n"
                "{z} = {mm} + {b}\n" + split +
                "ft = sigmoid({zf})\nit = sigmoid({zi})\ncct = np.tanh({zc})\not = sigmoid({zo})\n").format(
            join=join, W=W, b=b, z=z, mm=_mm(rng, W, "concat"), zf=zf, zi=zi, zc=zc, zo=zo)
        body += cnext + anext + ypred
    elif style == 3:
        def gate(wn: str, bn: str) -> str:
            return "%s + %s + %s" % (_mm(rng, wn + "[:, :n_a]", "a_prev"), _mm(rng, wn + "[:, n_a:]", "xt"), bn)
        body = (_LSTM_RETRIEVE + "ft = sigmoid(%s)\nit = sigmoid(%s)\ncct = np.tanh(%s)\not = sigmoid(%s)\n" % (
            gate("Wf", "bf"), gate("Wi", "bi"), gate("Wc", "bc"), gate("Wo", "bo")))
        body += cnext + anext + ypred
    else:
        g, W, b, f = n("gate", "gate", "affine", "lin"), n("Wg", "W", "Wm"), n("bg", "b", "bv"), n("fn", "act", "f")
        body = (_LSTM_RETRIEVE + "concat = {join}\n\ndef {g}({W}, {b}, {f}):\n    return {f}({mm} + {b})\n\n"
                "ft = {g}(Wf, bf, sigmoid)\nit = {g}(Wi, bi, sigmoid)\ncct = {g}(Wc, bc, np.tanh)\not = {g}(Wo, bo, sigmoid)\n"
                ).format(join=join, g=g, W=W, b=b, f=f, mm=_mm(rng, W, "concat"))
        body += cnext + anext + ypred
    return head + _indent(body + tail)


# --------------------------------------------------------------------------- lstm_forward


def _lstm_forward(style: int, rng: random.Random, n: Namer) -> str:
    """Styles: 0 textbook, 1 lists then np.stack, 2 while loop with zeros_like, 3 enumerate over time-major view."""
    head = "def lstm_forward(x, a0, parameters):\n"
    an, cn, yt, cache = n("a_next", "a_next", "h"), n("c_next", "c_next", "cell"), n("yt", "yt", "y_t"), n("cache", "cache", "cc")
    t = n("t", "t", "step")
    shapes = rng.choice((
        'n_x, m, T_x = x.shape\nn_y, n_a = parameters["Wy"].shape\n',
        'n_x, m, T_x = x.shape\nn_a = a0.shape[0]\nn_y = parameters["Wy"].shape[0]\n',
        'n_x, m, T_x = x.shape\nn_a, m = a0.shape\nn_y = parameters["by"].shape[0]\n',
    ))
    xs = _step(rng, "x", t)
    c_init = rng.choice(("{cn} = np.zeros((n_a, m))\n", "{cn} = np.zeros_like(a0)\n", "{cn} = np.zeros(a0.shape)\n")).format(cn=cn)
    if style == 0:
        body = ("caches = []\n" + shapes + "a = np.zeros((n_a, m, T_x))\nc = np.zeros((n_a, m, T_x))\ny = np.zeros((n_y, m, T_x))\n"
                "{an} = a0\n" + c_init +
                "for {t} in range(T_x):\n"
                "    {an}, {cn}, {yt}, {cache} = lstm_cell_forward({xs}, {an}, {cn}, parameters)\n"
                "    {aslot} = {an}\n    {yslot} = {yt}\n    {cslot} = {cn}\n    caches.append({cache})\n"
                "caches = (caches, x)\nreturn a, y, c, caches\n")
    elif style == 1:
        hs, cs, ys = n("hs", "hs", "a_list"), n("cs", "cs", "c_list"), n("ys", "ys", "y_list")
        stack = rng.choice(("np.stack({v}, axis=2)", "np.stack({v}, axis=-1)", "np.dstack({v})"))
        body = ("caches = []\nT_x = x.shape[2]\n{hs}, {cs}, {ys} = [], [], []\n{an} = a0\n" + c_init.replace("n_a, m", "a0.shape") +
                "for {t} in range(T_x):\n"
                "    {an}, {cn}, {yt}, {cache} = lstm_cell_forward({xs}, {an}, {cn}, parameters)\n"
                "    {hs}.append({an})\n    {cs}.append({cn})\n    {ys}.append({yt})\n    caches.append({cache})\n"
                "a = %s\ny = %s\nc = %s\ncaches = (caches, x)\nreturn a, y, c, caches\n" % (
                    stack.format(v="{hs}"), stack.format(v="{ys}"), stack.format(v="{cs}")))
        body = body.replace("{hs}", hs).replace("{cs}", cs).replace("{ys}", ys)
    elif style == 2:
        body = ("caches = []\n" + shapes + "a = np.zeros([n_a, m, T_x])\nc = np.zeros_like(a)\ny = np.zeros([n_y, m, T_x])\n"
                "{an} = a0\n" + c_init + "{t} = 0\n"
                "while {t} < T_x:\n"
                "    {an}, {cn}, {yt}, {cache} = lstm_cell_forward({xs}, {an}, {cn}, parameters)\n"
                "    caches.append({cache})\n    {aslot} = {an}\n    {cslot} = {cn}\n    {yslot} = {yt}\n    {t} = {t} + 1\n"
                "caches = (caches, x)\nreturn a, y, c, caches\n")
    else:
        xt = n("xt", "xt", "x_t")
        body = ("caches = []\n" + shapes + "a = np.zeros((n_a, m, T_x))\nc = np.zeros((n_a, m, T_x))\ny = np.zeros((n_y, m, T_x))\n"
                "{an} = a0\n" + c_init +
                "for {t}, {xt} in enumerate(np.transpose(x, (2, 0, 1))):\n"
                "    {an}, {cn}, {yt}, {cache} = lstm_cell_forward({xt}, {an}, {cn}, parameters)\n"
                "    {aslot}, {cslot}, {yslot} = {an}, {cn}, {yt}\n    caches.append({cache})\n"
                "caches = (caches, x)\nreturn a, y, c, caches\n").replace("{xt}", xt)
    body = body.format(an=an, cn=cn, yt=yt, cache=cache, t=t, xs=xs, aslot=_step(rng, "a", t), cslot=_step(rng, "c", t),
                       yslot=_step(rng, "y", t))
    return head + _indent(body)


# --------------------------------------------------------------------------- rnn_cell_backward


def _rnn_cell_backward(style: int, rng: random.Random, n: Namer) -> str:
    """Styles: 0 textbook from a_next, 1 recompute pre-activation, 2 concatenated weights, 3 transposes spelled out."""
    head = "def rnn_cell_backward(da_next, cache):\n"
    unpack = rng.choice(("(a_next, a_prev, xt, parameters) = cache\n", "a_next, a_prev, xt, parameters = cache\n"))
    retrieve = 'Wax = parameters["Wax"]\nWaa = parameters["Waa"]\nWya = parameters["Wya"]\nba = parameters["ba"]\nby = parameters["by"]\n'
    tail = 'gradients = {"dxt": dxt, "da_prev": da_prev, "dWax": dWax, "dWaa": dWaa, "dba": dba}\nreturn gradients\n'
    d = n("dtanh", "dtanh", "dz", "delta")
    deriv = rng.choice(("(1 - a_next ** 2)", "(1 - np.square(a_next))", "(1 - a_next * a_next)", "(1.0 - np.power(a_next, 2))"))
    if style == 0:
        body = unpack + retrieve + "{d} = {deriv} * da_next\n".format(d=d, deriv=deriv)
        lines = ["dxt = %s\n" % _mm(rng, "Wax.T", d), "dWax = %s\n" % _mm(rng, d, "xt.T"),
                 "da_prev = %s\n" % _mm(rng, "Waa.T", d), "dWaa = %s\n" % _mm(rng, d, "a_prev.T"),
                 "dba = %s\n" % _sum_rows(rng, d)]
        rng.shuffle(lines)
        body += "".join(lines)
    elif style == 1:
        z = n("z", "z", "pre", "u")
        body = unpack + retrieve + "{z} = {m1} + {m2} + ba\n{d} = da_next * (1 - np.tanh({z}) ** 2)\n".format(
            z=z, d=d, m1=_mm(rng, "Wax", "xt"), m2=_mm(rng, "Waa", "a_prev"))
        body += "dxt = %s\nda_prev = %s\ndWax = %s\ndWaa = %s\ndba = %s\n" % (
            _mm(rng, "Wax.T", d), _mm(rng, "Waa.T", d), _mm(rng, d, "xt.T"), _mm(rng, d, "a_prev.T"), _sum_rows(rng, d))
    elif style == 2:
        W, dcat, dW, na = n("W", "W", "Wst"), n("dcat", "dconcat", "dstack"), n("dW", "dW", "dWst"), n("na", "n_a", "hidden")
        body = unpack + retrieve + (
            "{na} = a_prev.shape[0]\n{d} = da_next * {deriv}\n{W} = np.hstack((Waa, Wax))\n"
            "{dcat} = {m1}\nda_prev = {dcat}[:{na}]\ndxt = {dcat}[{na}:]\n"
            "{dW} = {m2}\ndWaa = {dW}[:, :{na}]\ndWax = {dW}[:, {na}:]\ndba = {s}\n").format(
            na=na, d=d, deriv=deriv, W=W, dcat=dcat, dW=dW, m1=_mm(rng, W + ".T", d),
            m2=_mm(rng, d, "np.vstack((a_prev, xt)).T"), s=_sum_rows(rng, d))
    else:
        body = unpack + (
            '{d} = da_next * {deriv}\n'
            'dxt = {m1}\nda_prev = {m2}\ndWax = {m3}\ndWaa = {m4}\n'
            'dba = np.sum({d}, axis=1).reshape(parameters["ba"].shape)\n').format(
            d=d, deriv=deriv, m1=_mm(rng, 'np.transpose(parameters["Wax"])', d), m2=_mm(rng, 'np.transpose(parameters["Waa"])', d),
            m3=_mm(rng, d, "np.transpose(xt)"), m4=_mm(rng, d, "np.transpose(a_prev)"))
    return head + _indent(body + tail)


# --------------------------------------------------------------------------- rnn_backward


def _rnn_backward(style: int, rng: random.Random, n: Namer) -> str:
    """Styles: 0 textbook, 1 reverse range and zeros_like, 2 dictionary accumulation, 3 while loop."""
    head = "def rnn_backward(da, caches):\n"
    tail = 'gradients = {"dx": dx, "da0": da0, "dWax": dWax, "dWaa": dWaa, "dba": dba}\nreturn gradients\n'
    t, g = n("t", "t", "step"), n("gradients", "gradients", "grads", "g")
    dap = n("da_prevt", "da_prevt", "da_carry", "da_p")
    first = rng.choice(("(a1, a0, x1, parameters) = caches[0]\n", "a1, a0, x1, parameters = caches[0]\n"))
    unpack_caches = rng.choice(("(caches, x) = caches\n", "caches, x = caches\n"))
    sizes = rng.choice(("n_a, m, T_x = da.shape\nn_x, m = x1.shape\n", "n_a, m, T_x = da.shape\nn_x = x1.shape[0]\n",
                        "n_x, m, T_x = x.shape\nn_a = da.shape[0]\n"))
    loop = rng.choice(("reversed(range(T_x))", "range(T_x - 1, -1, -1)", "range(T_x)[::-1]"))
    das = _step(rng, "da", t)
    if style in (0, 1):
        if style == 0:
            init = ("dx = np.zeros((n_x, m, T_x))\ndWax = np.zeros((n_a, n_x))\ndWaa = np.zeros((n_a, n_a))\n"
                    "dba = np.zeros((n_a, 1))\nda0 = np.zeros((n_a, m))\n{dap} = np.zeros((n_a, m))\n")
        else:
            init = ('dx = np.zeros_like(x)\ndWax = np.zeros_like(parameters["Wax"])\ndWaa = np.zeros_like(parameters["Waa"])\n'
                    'dba = np.zeros_like(parameters["ba"])\n{dap} = np.zeros_like(a0)\n')
        acc = rng.choice((
            '    dxt, {dap}, dWaxt, dWaat, dbat = {g}["dxt"], {g}["da_prev"], {g}["dWax"], {g}["dWaa"], {g}["dba"]\n'
            "    {dxslot} = dxt\n    dWax += dWaxt\n    dWaa += dWaat\n    dba += dbat\n",
            '    {dxslot} = {g}["dxt"]\n    {dap} = {g}["da_prev"]\n    dWax = dWax + {g}["dWax"]\n'
            '    dWaa = dWaa + {g}["dWaa"]\n    dba = dba + {g}["dba"]\n',
        ))
        body = (unpack_caches + first + sizes + init +
                "for {t} in %s:\n    {g} = rnn_cell_backward({das} + {dap}, caches[{t}])\n" % loop + acc +
                "da0 = {dap}\n")
    elif style == 2:
        key = n("key", "key", "name", "kk")
        body = (unpack_caches + first + sizes +
                "dx = np.zeros((n_x, m, T_x))\n{tot} = {{\"dWax\": np.zeros_like(parameters[\"Wax\"]), "
                "\"dWaa\": np.zeros_like(parameters[\"Waa\"]), \"dba\": np.zeros_like(parameters[\"ba\"])}}\n"
                "{dap} = np.zeros((n_a, m))\n"
                "for {t} in %s:\n    {g} = rnn_cell_backward({das} + {dap}, caches[{t}])\n" % loop +
                "    {dxslot} = {g}[\"dxt\"]\n    {dap} = {g}[\"da_prev\"]\n"
                "    for {key} in {tot}:\n        {tot}[{key}] += {g}[{key}]\n"
                "da0 = {dap}\ndWax, dWaa, dba = {tot}[\"dWax\"], {tot}[\"dWaa\"], {tot}[\"dba\"]\n").replace(
            "{tot}", n("total", "total", "acc", "sums")).replace("{key}", key)
    else:
        body = (unpack_caches + first + sizes +
                "dx = np.zeros((n_x, m, T_x))\ndWax = np.zeros((n_a, n_x))\ndWaa = np.zeros((n_a, n_a))\ndba = np.zeros((n_a, 1))\n"
                "{dap} = np.zeros((n_a, m))\n{t} = T_x - 1\n"
                "while {t} >= 0:\n    {g} = rnn_cell_backward({das} + {dap}, caches[{t}])\n"
                '    {dxslot} = {g}["dxt"]\n    {dap} = {g}["da_prev"]\n'
                '    dWax += {g}["dWax"]\n    dWaa += {g}["dWaa"]\n    dba += {g}["dba"]\n    {t} -= 1\n'
                "da0 = {dap}\n")
    body = body.format(t=t, g=g, dap=dap, das=das, dxslot=_step(rng, "dx", t))
    return head + _indent(body + tail)


GENERATORS: Mapping[str, tuple[Callable[[int, random.Random, Namer], str], tuple[float, ...]]] = {
    "rnn_cell_forward": (_rnn_cell_forward, (0.4, 0.2, 0.15, 0.15, 0.1)),
    "rnn_forward": (_rnn_forward, (0.45, 0.2, 0.1, 0.1, 0.15)),
    "lstm_cell_forward": (_lstm_cell_forward, (0.4, 0.2, 0.15, 0.15, 0.1)),
    "lstm_forward": (_lstm_forward, (0.5, 0.2, 0.15, 0.15)),
    "rnn_cell_backward": (_rnn_cell_backward, (0.45, 0.2, 0.2, 0.15)),
    "rnn_backward": (_rnn_backward, (0.45, 0.25, 0.15, 0.15)),
}


def independent_submission(rng: random.Random) -> dict[str, str]:
    """One student's six functions: a style per function (textbook most likely), random knobs and names."""
    out = {}
    for fname in FUNCTIONS:
        gen, weights = GENERATORS[fname]
        style = rng.choices(range(len(weights)), weights=weights)[0]
        out[fname] = gen(style, rng, Namer(rng))
    return out


# --------------------------------------------------------------------------- disguises

DISGUISES = ("rename", "reorder", "comments", "dead_code", "matmul_swap", "all")


def _bound_names(tree: ast.AST) -> set[str]:
    """Names a function binds (parameters, assignment targets, loop variables, nested defs)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            out.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
        elif isinstance(node, ast.FunctionDef) and node is not tree.body[0]:
            out.add(node.name)
    return out


def _rename(source: str, rng: random.Random) -> str:
    """Every bound identifier renamed to a fresh random one."""
    tree = ast.parse(source)
    mapping: dict[str, str] = {}
    for name in sorted(_bound_names(tree)):
        while True:
            fresh = "%s%s_%d" % (rng.choice(("my", "the", "v", "tmp", "res", "x")), rng.choice(_WORDS), rng.randint(0, 99))
            if fresh not in mapping.values():
                break
        mapping[name] = fresh

    class R(ast.NodeTransformer):
        def visit_Name(self, node):
            node.id = mapping.get(node.id, node.id)
            return node

        def visit_arg(self, node):
            node.arg = mapping.get(node.arg, node.arg)
            return node

        def visit_FunctionDef(self, node):
            if node is not tree.body[0]:
                node.name = mapping.get(node.name, node.name)
            self.generic_visit(node)
            return node

    return ast.unparse(R().visit(tree)) + "\n"


def _names_in(node: ast.AST) -> tuple[set[str], set[str]]:
    """(all names mentioned, names written incl. bases of subscripts and method receivers) of a statement."""
    mentioned = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    written = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    for n in ast.walk(node):
        if isinstance(n, (ast.Subscript, ast.Attribute)) and isinstance(n.ctx, ast.Store):
            base = n
            while isinstance(base, (ast.Subscript, ast.Attribute)):
                base = base.value
            if isinstance(base, ast.Name):
                written.add(base.id)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name):
            written.add(n.func.value.id)
    return mentioned, written


def _reorder(source: str, rng: random.Random) -> str:
    """Swap adjacent independent assignments (neither writes a name the other mentions), many times, in every block."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        for field in ("body", "orelse"):
            block = getattr(node, field, None)
            if not isinstance(block, list) or len(block) < 2 or not isinstance(block[0], ast.stmt):
                continue
            for _ in range(3 * len(block)):
                i = rng.randrange(len(block) - 1)
                s1, s2 = block[i], block[i + 1]
                if not (isinstance(s1, (ast.Assign, ast.Expr)) and isinstance(s2, (ast.Assign, ast.Expr))):
                    continue
                m1, w1 = _names_in(s1)
                m2, w2 = _names_in(s2)
                if not (w1 & m2) and not (w2 & m1):
                    block[i], block[i + 1] = s2, s1
    return ast.unparse(tree) + "\n"


_COMMENTS = ("# compute the next step", "# TODO check shapes", "# see lecture notes", "# vectorised over the batch",
             "# my own implementation", "# update", "# careful with the axis here", "# this was tricky", "#", "# ok")


def _comments(source: str, rng: random.Random) -> str:
    """New comments on their own lines and at line ends, blank lines, and a new docstring."""
    tree = ast.parse(source)
    func = tree.body[0]
    doc = ast.Expr(ast.Constant("Written by me after the lecture; %s." % rng.choice(_WORDS)))
    if ast.get_docstring(func) is not None:
        func.body[0] = doc
    else:
        func.body.insert(0, doc)
    lines = ast.unparse(tree).split("\n")
    out = []
    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if line.startswith(" ") and rng.random() < 0.4:
            out.append(indent + rng.choice(_COMMENTS))
        if rng.random() < 0.15:
            out.append("")
        if line.startswith(" ") and not stripped.endswith(":") and rng.random() < 0.3 and '"""' not in line and "'" not in line:
            line += "  " + rng.choice(_COMMENTS)
        out.append(line)
    return "\n".join(out) + "\n"


def _dead_code(source: str, rng: random.Random) -> str:
    """Unused temporaries (a chain), an ``if False:`` block, a debug print, and statements after the return."""
    tree = ast.parse(source)
    func = tree.body[0]
    params = [a.arg for a in func.args.args]
    p = rng.choice(params)
    dead = ast.parse(textwrap.dedent(f"""
        unused_{rng.randint(0, 999)} = {rng.randint(2, 9)} * 3
        debug_shape = type({p}).__name__
        debug_copy = debug_shape
        if False:
            print("debugging", debug_shape)
        print("entering", {rng.randint(0, 99)})
    """)).body
    position = rng.randint(0, min(2, len(func.body) - 1))
    func.body[position:position] = dead
    func.body.extend(ast.parse("never_reached = 0\nnever_reached += 1").body)
    return ast.unparse(tree) + "\n"


def _matmul_swap(source: str, rng: random.Random) -> str:
    """``np.dot(a, b)`` / ``np.matmul(a, b)`` / ``a.dot(b)`` become ``a @ b`` and ``a @ b`` becomes ``np.dot(a, b)``."""
    tree = ast.parse(source)

    class S(ast.NodeTransformer):
        def visit_Call(self, node):
            self.generic_visit(node)
            f = node.func
            if (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "np"
                    and f.attr in ("dot", "matmul") and len(node.args) == 2):
                return ast.BinOp(node.args[0], ast.MatMult(), node.args[1])
            if isinstance(f, ast.Attribute) and f.attr == "dot" and len(node.args) == 1 and not (
                    isinstance(f.value, ast.Name) and f.value.id == "np"):
                return ast.BinOp(f.value, ast.MatMult(), node.args[0])
            return node

        def visit_BinOp(self, node):
            original = isinstance(node.op, ast.MatMult)
            self.generic_visit(node)
            if original and getattr(node, "lineno", None) is not None:
                return ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "dot", ast.Load()), [node.left, node.right], [])
            return node

    return ast.unparse(ast.fix_missing_locations(S().visit(tree))) + "\n"


def _split_temporary(source: str, rng: random.Random) -> str:
    """Move one call argument that is an arithmetic expression into a new temporary (a real edit, not a disguise)."""
    tree = ast.parse(source)
    func = tree.body[0]
    sites = []
    for block_owner in ast.walk(func):
        body = getattr(block_owner, "body", None)
        if not isinstance(body, list):
            continue
        for index, stmt in enumerate(body):
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                for position, arg in enumerate(stmt.value.args):
                    if isinstance(arg, ast.BinOp):
                        sites.append((body, index, stmt, position))
    if not sites:
        return source
    body, index, stmt, position = rng.choice(sites)
    name = "tmp_%s_%d" % (rng.choice(_WORDS), rng.randint(0, 99))
    body.insert(index, ast.Assign(targets=[ast.Name(name, ast.Store())], value=stmt.value.args[position], lineno=0))
    stmt.value.args[position] = ast.Name(name, ast.Load())
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


_STEPS = {"rename": _rename, "reorder": _reorder, "comments": _comments, "dead_code": _dead_code, "matmul_swap": _matmul_swap}


#: Harder cases measured for the record, beyond the brief: ``all`` plus a real edit (a new temporary) in
#: two functions, and a partial copy (three functions copied with ``all``, the other three written independently).
EXTRA_KINDS = ("all+edit", "partial")


def disguise(submission: Mapping[str, str], kind: str, rng: random.Random) -> dict[str, str]:
    """A copy of ``submission`` with the disguise ``kind`` (one of ``DISGUISES``) applied to every function.

    ``"all+edit"`` (see ``EXTRA_KINDS``) also splits an expression into a new
    temporary in two random functions; ``"partial"`` is made by ``make_corpus``.
    """
    steps = ["reorder", "dead_code", "matmul_swap", "rename", "comments"] if kind in ("all", "all+edit") else [kind]
    edited = set(rng.sample(sorted(submission), min(2, len(submission)))) if kind == "all+edit" else set()
    out = {}
    for fname, source in submission.items():
        text = textwrap.dedent(source)
        if fname in edited:
            text = _split_temporary(text, rng)
        for step in steps:
            text = _STEPS[step](text, rng)
        out[fname] = text
    return out


# --------------------------------------------------------------------------- the benchmark


@dataclass(frozen=True)
class Corpus:
    """A generated class: submissions, the family each comes from, the disguise used, and known sources.

    Two ids are a true copy pair when they share a family (an original and
    its copies, or two copies of one original); a submission whose family is
    ``known:<name>`` copies that known source.
    """

    submissions: Mapping[str, Mapping[str, str]]
    family: Mapping[str, str]
    disguise: Mapping[str, str]
    known: Mapping[str, Mapping[str, str]]


def make_corpus(*, seed: int, n_independent: int, copies_per_disguise: int, n_known: int = 0,
                known_copies: int = 0, extra_copies: int = 0) -> Corpus:
    """Generate a class: independent students, disguised copies of random students, copies of known sources.

    ``extra_copies`` copies of each of ``EXTRA_KINDS`` are added too (their
    ``disguise`` is the kind's name).
    """
    rng = random.Random(seed)
    subs: dict[str, dict[str, str]] = {}
    family: dict[str, str] = {}
    kind: dict[str, str] = {}
    for i in range(n_independent):
        sid = "s%04d" % i
        subs[sid] = independent_submission(rng)
        family[sid] = sid
        kind[sid] = "independent"
    originals = sorted(subs)
    for d in DISGUISES:
        for j in range(copies_per_disguise):
            src = rng.choice(originals)
            cid = "c_%s_%02d" % (d, j)
            subs[cid] = disguise(subs[src], d, rng)
            family[cid] = family[src]
            kind[cid] = d
    for kind_name in EXTRA_KINDS:
        for j in range(extra_copies):
            src = rng.choice(originals)
            cid = "x_%s_%02d" % (kind_name.replace("+", "_"), j)
            if kind_name == "partial":
                own = independent_submission(rng)
                copied = set(rng.sample(FUNCTIONS, 3))
                full = disguise(subs[src], "all", rng)
                subs[cid] = {f: (full[f] if f in copied else own[f]) for f in FUNCTIONS}
            else:
                subs[cid] = disguise(subs[src], kind_name, rng)
            family[cid] = family[src]
            kind[cid] = kind_name
    known = {"web%02d" % i: independent_submission(rng) for i in range(n_known)}
    for j in range(known_copies):
        name = rng.choice(sorted(known))
        cid = "k_%02d" % j
        subs[cid] = disguise(known[name], "all", rng)
        family[cid] = "known:" + name
        kind[cid] = "known_all"
    return Corpus(subs, family, kind, known)


# --------------------------------------------------------------------------- tests of the generator itself


def _namespace() -> dict:
    """Globals a submission runs with: NumPy and the provided softmax / sigmoid."""
    from solution import rnn

    return {"np": np, "softmax": rnn.softmax, "sigmoid": rnn.sigmoid}


def _inputs(fname: str, seed: int = 1):
    """Random arguments for ``fname`` (small sizes) built with the reference solution where a cache is needed."""
    from solution import rnn

    r = np.random.default_rng(seed)
    n_x, n_a, n_y, m, T = 3, 5, 2, 4, 6
    rp = {"Wax": r.standard_normal((n_a, n_x)), "Waa": r.standard_normal((n_a, n_a)), "Wya": r.standard_normal((n_y, n_a)),
          "ba": r.standard_normal((n_a, 1)), "by": r.standard_normal((n_y, 1))}
    lp = {k: r.standard_normal((n_a, n_a + n_x)) for k in ("Wf", "Wi", "Wc", "Wo")}
    lp.update({k: r.standard_normal((n_a, 1)) for k in ("bf", "bi", "bc", "bo")})
    lp.update({"Wy": r.standard_normal((n_y, n_a)), "by": r.standard_normal((n_y, 1))})
    x = r.standard_normal((n_x, m, T))
    a0 = r.standard_normal((n_a, m))
    if fname == "rnn_cell_forward":
        return (x[:, :, 0], a0, rp)
    if fname == "rnn_forward":
        return (x, a0, rp)
    if fname == "lstm_cell_forward":
        return (x[:, :, 0], a0, r.standard_normal((n_a, m)), lp)
    if fname == "lstm_forward":
        return (x, a0, lp)
    if fname == "rnn_cell_backward":
        _, _, cache = rnn.rnn_cell_forward(x[:, :, 0], a0, rp)
        return (r.standard_normal((n_a, m)), cache)
    _, _, caches = rnn.rnn_forward(x, a0, rp)
    return (r.standard_normal((n_a, m, T)), caches)


def _run(source: str, fname: str, args):
    """Execute ``source`` and call ``fname`` with the reference per-step functions available."""
    from solution import rnn

    ns = _namespace()
    ns.update({name: getattr(rnn, name) for name in FUNCTIONS})
    exec(compile(source, "<student>", "exec"), ns)  # noqa: S102 - generated test code
    return ns[fname](*args)


def _close(a, b) -> bool:
    """Recursive allclose for the nested tuples/lists/dicts the functions return."""
    if isinstance(a, dict):
        return set(a) == set(b) and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.shape(a) == np.shape(b) and np.allclose(a, b)
    return a is b or a == b


@pytest.mark.parametrize("fname", FUNCTIONS)
def test_every_style_is_a_correct_solution(fname):
    """Each style of each function, with many knob settings, returns what the reference returns."""
    from solution import rnn

    gen, weights = GENERATORS[fname]
    args = _inputs(fname)
    expected = getattr(rnn, fname)(*args)
    rng = random.Random(7)
    for style in range(len(weights)):
        for _ in range(6):
            source = gen(style, rng, Namer(rng))
            got = _run(source, fname, args)
            assert _close(got, expected), (fname, style, source)


@pytest.mark.parametrize("kind", DISGUISES + ("all+edit",))
def test_disguises_keep_behaviour_and_change_text(kind):
    """A disguised copy computes the same thing, and its text differs from the original."""
    from solution import rnn

    rng = random.Random(11)
    for _ in range(4):
        sub = independent_submission(rng)
        copy = disguise(sub, kind, rng)
        changed = 0
        for fname in FUNCTIONS:
            args = _inputs(fname)
            assert _close(_run(copy[fname], fname, args), getattr(rnn, fname)(*args)), (kind, copy[fname])
            changed += copy[fname].strip() != sub[fname].strip()
        assert changed >= 1


def test_independent_students_differ():
    """Generated students are not clones: most pairs differ in most functions."""
    rng = random.Random(3)
    subs = [independent_submission(rng) for _ in range(30)]
    identical = sum(subs[i][f] == subs[j][f] for i in range(30) for j in range(i) for f in FUNCTIONS)
    assert identical < 0.02 * 435 * len(FUNCTIONS)
    assert len({re.sub(r"\s+", " ", s["lstm_cell_forward"]) for s in subs}) == 30
