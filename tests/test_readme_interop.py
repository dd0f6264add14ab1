"""The README's Interop section runs, block by block: scikit-learn and ONNX Runtime, then PyTorch when installed."""

import importlib.util
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def test_interop_blocks_run(tmp_path, monkeypatch):
    for module in ("sklearn", "onnx", "onnxruntime"):
        pytest.importorskip(module)
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    # One BLAS thread, as the benchmarks use: on a busy machine a second one stalls (here 15x slower).
    limits = threadpool_limits(1)
    try:
        _run_blocks(tmp_path, monkeypatch)
    finally:
        limits.restore_original_limits()


def _run_blocks(tmp_path, monkeypatch):
    section = README.read_text().split("## Interop\n")[1].split("\n## ")[0]
    blocks = re.findall(r"```py\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 3
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for block in blocks[:2]:
        exec(compile(block, "README.md (Interop)", "exec"), namespace)
    assert namespace["search"].best_score_ > 0.9 and (tmp_path / "digits.onnx").exists()
    if importlib.util.find_spec("torch") is None:
        pytest.skip("PyTorch is not installed: the scikit-learn and ONNX blocks ran, the PyTorch block did not")
    exec(compile(blocks[2], "README.md (Interop)", "exec"), namespace)
    assert namespace["shared"].data_ptr() == namespace["t"].data.ctypes.data
    assert list(namespace["model"].state_dict()) == list(namespace["clf"].model_.state_dict())
