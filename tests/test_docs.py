"""Documentation is generated from the registry and stays current."""

import sys
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


def _paste(block: str) -> dict:
    """Run ``block`` as if pasted line by line into a fresh interactive interpreter; its namespace."""
    import code

    errors: list[str] = []

    class Console(code.InteractiveConsole):
        def showsyntaxerror(self, filename=None, **kwargs):
            errors.append(f"syntax error: {sys.exc_info()[1]}")

        def showtraceback(self):
            errors.append(f"{sys.exc_info()[0].__name__}: {sys.exc_info()[1]}")

    console = Console(locals={"__name__": "__console__"})
    for line in [*block.splitlines(), "", ""]:
        console.push(line)
    assert not errors, f"README block failed when pasted into a fresh interpreter: {errors}\n{block}"
    return console.locals


def test_each_readme_code_block_runs_on_its_own_pasted_into_a_fresh_interpreter(tmp_path, monkeypatch):
    import re

    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 5
    monkeypatch.chdir(tmp_path)
    namespaces = [_paste(block) for block in blocks]
    assert (tmp_path / "L.svg").stat().st_size > 0 and (tmp_path / "moons.npz").exists()
    assert any(ns.get("history") is not None and ns["history"]["val_accuracy"][-1] >= 0.95 for ns in namespaces)


def test_the_docs_command_works_in_a_checkout_and_says_what_it_is_elsewhere(tmp_path, monkeypatch, capsys):
    from autograd_core import __main__ as command

    monkeypatch.setattr(command, "default_readme", lambda: tmp_path / "site-packages" / "README.md")
    assert command.main(["docs"]) == 2  # an installed package: no README next to it
    assert "source checkout" in capsys.readouterr().err
    assert command.main(["docs", "--print"]) == 0
    assert capsys.readouterr().out.strip() == primitive_table()
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\n{START}\nstale\n{END}\n", encoding="utf-8")
    assert command.main(["docs", str(readme)]) == 0 and "updated" in capsys.readouterr().out
    assert primitive_table() in readme.read_text(encoding="utf-8")
    readme.write_text("no markers here", encoding="utf-8")
    assert command.main(["docs", str(readme)]) == 2 and "no <!-- primitives:start --> marker" in capsys.readouterr().err
    assert command.main(["doc"]) == 2 and "usage" in capsys.readouterr().err
