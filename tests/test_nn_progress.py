"""fit's progress display: a bar that fits an 80-column terminal with every metric, text in a notebook without widgets."""

import os
import re
import struct
import sys

import numpy as np
import pytest

import nn
from nn import progress

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _fit(epochs=3, progress_on=True):
    X, y = nn.data.make_moons(64, noise=0.1, rng=0)
    nn.manual_seed(0)
    model = nn.MLP([2, 8, 2])
    loader = nn.data.DataLoader(X, y, batch_size=16, rng=np.random.default_rng(0))
    val = nn.data.DataLoader(X, y, batch_size=None, shuffle=False)
    return nn.fit(
        model,
        nn.CrossEntropyLoss(),
        nn.optim.Adam(model.parameters(), lr=0.01),
        loader,
        epochs=epochs,
        val_loader=val,
        metrics=["accuracy"],
        progress=progress_on,
    )


def _expected_metrics(history):
    names = {"accuracy": "acc", "val_accuracy": "val_acc"}
    return [f"{names.get(k, k)}={history[k][-1]:.4g}" for k in ("loss", "accuracy", "val_loss", "val_accuracy")]


@pytest.mark.skipif(os.name != "posix", reason="needs a pseudo-terminal")
def test_in_an_80_column_terminal_the_bar_shows_every_metric_untruncated(monkeypatch):
    import fcntl
    import pty
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    terminal = os.fdopen(slave, "w", buffering=1)
    monkeypatch.setattr(sys, "stderr", terminal)
    history = _fit()
    terminal.close()
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal's other end is closed: everything has been read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    screens = [ANSI.sub("", line) for line in re.split(r"[\r\n]+", b"".join(chunks).decode()) if line.strip()]
    assert screens and max(len(line) for line in screens) <= 80
    last = screens[-1]
    assert last.startswith("fit 3/3, ")
    for metric in _expected_metrics(history):
        assert metric in last


def test_without_a_terminal_there_is_no_bar(capsys):
    _fit(epochs=2)
    captured = capsys.readouterr()
    assert "fit" not in captured.err and "fit" not in captured.out


def test_in_a_notebook_without_widgets_the_bar_is_text_on_the_cell_output(monkeypatch, capsys):
    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    real = progress.importlib.util.find_spec
    monkeypatch.setattr(progress.importlib.util, "find_spec", lambda name: None if name == "ipywidgets" else real(name))
    history = _fit()
    out = capsys.readouterr().out
    assert "fit 3/3, " in out
    for metric in _expected_metrics(history):
        assert metric in out
    monkeypatch.undo()
    assert not progress.in_notebook()  # a plain interpreter (pytest) is no notebook
