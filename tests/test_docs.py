"""Documentation is generated from the registry and stays current."""

from pathlib import Path

import autograd_core as ag
from autograd_core.docs import END, START, primitive_table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_primitive_table_is_current():
    text = README.read_text()
    table = text.split(START)[1].split(END)[0].strip()
    assert table == primitive_table(), "run `python -m autograd_core docs` to regenerate the README table"


def test_public_functions_carry_their_registered_formulas():
    assert ag.REGISTRY["tanh"].formula.vjp in ag.tanh.__doc__
    assert str(ag.REGISTRY["linear"].formula.jvp) in ag.linear.__doc__
    for name in ("add", "sum", "matmul", "reshape", "getitem", "softmax", "cross_entropy"):
        assert "Rules (from the primitive registry)" in getattr(ag, name).__doc__
