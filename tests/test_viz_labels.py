"""The text helpers: escaping, number formatting, input symbols from the registry, op parameters."""

import numpy as np
import pytest

import autograd_core as ag
from viz.arrays import array_lines, compact, number
from viz.labels import attr, bar, html, input_symbols, params_text
from viz.trace import ordinal, unbroadcast_text


def test_html_escapes_markup_and_turns_newlines_into_breaks():
    assert html("<b>\"x\" & 'y'</b>") == "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;"
    assert html("a\nb\r\nc") == 'a<BR ALIGN="LEFT"/>b<BR ALIGN="LEFT"/>c'
    assert html("nul\x00esc\x1b") == "nul\ufffdesc\ufffd"


def test_attr_leaves_no_backslash_newline_or_html_look():
    text = attr('<x> "q" \\N back\\\nline')
    assert "\\" not in text and "\n" not in text
    assert text.startswith("<x>") and type(text).__name__ == "NoHtml"


def test_numbers_small_arrays_in_full_large_ones_summarised():
    assert number(-0.48853) == "-0.4885" and number(1.2e-7) == "1.2e-07" and number(0.0) == "0"
    assert number(float("nan")) == "nan"
    assert array_lines(np.array([[0.4, 0.6], [0.7, -0.4]])) == ["[0.4, 0.6]", "[0.7, -0.4]"]
    assert array_lines(np.arange(10.0)) == ["min 0  mean 4.5  max 9", "[0, 1, 2, …]"]
    assert array_lines(np.array([1.0, np.nan, np.inf, 2.0, 3.0, 4.0, 5.0]))[0].endswith("(2 nan/inf)")
    assert compact(np.array([[1.0, 2.0]])) == "[[1, 2]]"
    assert compact(np.ones((3, 4))) == "(3, 4) ‖·‖=3.464"
    assert compact(np.arange(32)) == "(32,) int64"


def test_input_symbols_come_from_the_registry_formulas():
    assert input_symbols(ag.REGISTRY["mul"], 2) == ["a", "b"]
    assert input_symbols(ag.REGISTRY["linear"], 3) == ["X", "W", "b"]
    assert input_symbols(ag.REGISTRY["where"], 3) == [None, "a", "b"]  # the condition has no VJP
    assert input_symbols(ag.REGISTRY["concatenate"], 3) == [None, None, None]
    assert bar("a") == "ā" and bar("X") == "X̄"


def test_op_parameters_read_like_code():
    x = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert params_text("getitem", x[0:2, 1].grad_fn.params) == "[0:2, 1]"
    assert params_text("getitem", x[:, [0, 2]].grad_fn.params) == "[:, [0, 2]]"
    assert params_text("sum", x.sum(axis=0, keepdims=True).grad_fn.params, ndim=2) == "axis=0, keepdims=True"
    assert params_text("mean", x.mean().grad_fn.params, ndim=2) == "axis=(0, 1)"


@pytest.mark.parametrize(
    ("raw", "shape", "text"),
    [
        ((4, 3), (3,), "summed over axis 0 because b was broadcast from (3,) to (4, 3)"),
        ((2, 4, 3), (4, 1), "summed over axes 0 and 2 because b was broadcast from (4, 1) to (2, 4, 3)"),
        ((3,), (3,), None),
    ],
)
def test_unbroadcast_explanations(raw, shape, text):
    assert unbroadcast_text("b", raw, shape) == text


def test_ordinals():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
        "111th",
    ]
