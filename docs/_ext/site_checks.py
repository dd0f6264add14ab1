"""Checks on the built site that a strict build alone would not catch.

Every tutorial page must show pictures inline: a notebook whose figures came
out as ``<Figure ...>`` text (no inline backend, a plot that silently failed)
is a warning, hence an error under ``-W``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


def tutorials_show_pictures(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for docname in sorted(app.env.found_docs):
        if not docname.startswith("tutorials/") or docname.endswith("index"):
            continue
        page = Path(app.outdir, f"{docname}.html").read_text(encoding="utf-8")
        pictures = page.count("<img") + page.count("<svg")
        if pictures == 0 or "&lt;Figure size" in page:
            logger.warning(
                "%s: the executed tutorial shows no inline pictures (is %%matplotlib inline missing?)", docname
            )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", tutorials_show_pictures)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
