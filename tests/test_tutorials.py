"""The tutorial notebooks are committed clean and linked; `make docs` executes them (CI)."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "docs" / "tutorials").glob("*.ipynb"))


def test_there_is_one_tutorial_per_chapter():
    assert [p.stem[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path):
    notebook = json.loads(path.read_text())
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code, "a tutorial runs code"
    for cell in code:
        assert cell["outputs"] == [] and cell["execution_count"] is None, "clear the outputs before committing"
    source = "".join("".join(cell["source"]) for cell in code)
    assert "%matplotlib inline" in source, "pictures must show inline"
    assert "assert " in source, "a tutorial checks the notes' numbers"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_tutorial_is_linked_from_the_readme_and_the_site(path):
    assert f"(docs/tutorials/{path.name})" in (ROOT / "README.md").read_text()
    assert path.stem in (ROOT / "docs" / "tutorials" / "index.md").read_text()


def test_the_library_imports_nothing_of_the_docs_extra():
    import subprocess
    import sys

    docs_packages = ("sphinx", "myst_nb", "myst_parser", "docutils", "furo", "IPython", "ipykernel", "nbclient")
    code = (
        "import json, sys; import autograd_core, nn, viz, nn.sklearn; "
        f"print(json.dumps([m for m in {docs_packages!r} if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []
