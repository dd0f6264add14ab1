"""The look of the graph pictures: colours, kind tags, table cells and the legend in the caption."""

from __future__ import annotations

from . import health
from .labels import html
from .recording import INPUT, INTERMEDIATE, LEAF, OUTPUT, PARAMETER

FONT = "Helvetica"
VALUE_EDGE = "#444444"
GRAD_EDGE = "#c0392b"
HIGHLIGHT = "#d62728"
HOOK_COLOUR = "#9a3412"  # the warning on a tensor whose hook a replay did not run
OP_FILL = "#f3f4f6"
KIND_COLOURS = {
    PARAMETER: "#c4b5fd",
    LEAF: "#fde68a",
    INPUT: "#e5e7eb",
    INTERMEDIATE: "#dbeafe",
    OUTPUT: "#fca5a5",
}
KIND_TAGS = {
    PARAMETER: "parameter",
    LEAF: "leaf · requires grad",
    INPUT: "input · no grad",
    INTERMEDIATE: "",
    OUTPUT: "output",
}
CLUSTER_FILLS = ("#f5f7fb", "#eaf0f8", "#dfe8f3")


def caption(title: str, legend: bool, values: bool, grads: bool, backward: bool) -> str:
    """The graph's HTML label: the title and, below it, a compact legend of what the picture shows."""
    rows = [f'<TR><TD ALIGN="CENTER"><FONT POINT-SIZE="14"><B>{html(title)}</B></FONT></TD></TR>']
    if legend:
        rows.extend(f"<TR><TD>{line}</TD></TR>" for line in _legend(values, grads, backward))
    return '<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1">' + "".join(rows) + "</TABLE>>"


def _legend(values: bool, grads: bool, backward: bool) -> list[str]:
    kinds = [
        (PARAMETER, "parameter"),
        (LEAF, "leaf (requires grad)"),
        (INPUT, "input (no grad)"),
        (INTERMEDIATE, "intermediate"),
        (OUTPUT, "output"),
    ]
    op_text = "operation, with its VJP rule" if backward else "operation (formula in its tooltip)"
    cells = [_swatch(OP_FILL, op_text, rounded=True)]
    if values:
        cells.append(_key(f'<FONT COLOR="{VALUE_EDGE}">⟶</FONT>', "value flowing forward"))
    if grads:
        cells.append(_key(f'<FONT COLOR="{GRAD_EDGE}">x̄ = …</FONT>', "gradient sent back along the edge"))
    cells.append(_head("tensor", "(header colour):"))
    cells.extend(_swatch(KIND_COLOURS[kind], text) for kind, text in kinds)
    lines = [_legend_row(cells)]
    if grads:
        bands = [_swatch(b.colour, b.label) for b in (*health.BANDS, health.ZERO, health.NOT_FINITE)]
        head = _head("gradient health", "(node colour) rms(grad) / max(rms(value), 1):")
        lines.append(_legend_row([head, *bands]))
    return lines


def cell(content: str, bgcolor: str | None = None) -> str:
    """One left-aligned row of a tensor's table."""
    bg = f' BGCOLOR="{bgcolor}"' if bgcolor else ""
    return f'<TR><TD ALIGN="LEFT" BALIGN="LEFT"{bg}>{content}</TD></TR>'


def _legend_row(cells: list[str]) -> str:
    return '<TABLE BORDER="0" CELLSPACING="3" CELLPADDING="1"><TR>' + "".join(cells) + "</TR></TABLE>"


def _head(title: str, text: str) -> str:
    return f'<TD ALIGN="LEFT"><FONT POINT-SIZE="9"><B>{html(title)}</B> {html(text)}  </FONT></TD>'


def _key(symbol: str, text: str) -> str:
    return (
        f'<TD><FONT POINT-SIZE="9">{symbol}</FONT></TD><TD ALIGN="LEFT"><FONT POINT-SIZE="9">{html(text)}  </FONT></TD>'
    )


def _swatch(colour: str, text: str, rounded: bool = False) -> str:
    style = ' STYLE="rounded"' if rounded else ""
    return (
        f'<TD BGCOLOR="{colour}" BORDER="1"{style} WIDTH="16" HEIGHT="12"> </TD>'
        f'<TD ALIGN="LEFT"><FONT POINT-SIZE="9">{html(text)}  </FONT></TD>'
    )
