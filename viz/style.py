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


def caption(
    title: str,
    legend: bool,
    values: bool,
    grads: bool,
    backward: bool,
    kinds: set[str] | None = None,
    edge_grads: bool | None = None,
    notes: list[str] | None = None,
) -> str:
    """The graph's HTML label: the title and, below it, a compact legend of what the picture shows.

    One table: the legend is a grid of at most ``PER_ROW`` swatches a row, so
    a picture of a few nodes stays narrow; only the tensor kinds in ``kinds``
    are listed (all when None). ``edge_grads`` says whether some edge carries
    a gradient label (by default in backward pictures); ``notes`` are extra
    lines under the legend.
    """
    span = 2 * PER_ROW
    rows = []
    if title and "\n" in title:  # a step's caption: several lines, left-aligned, a little smaller
        rows.append(_wide(f'<FONT POINT-SIZE="12"><B>{html(title + chr(10))}</B></FONT>', span))
    elif title:
        rows.append(_wide(f'<FONT POINT-SIZE="14"><B>{html(title)}</B></FONT>', span, "CENTER"))
    if legend:
        rows.extend(_legend(values, grads, backward, kinds, backward if edge_grads is None else edge_grads, span))
    rows.extend(_wide(f'<FONT POINT-SIZE="9"><I>{html(note)}</I></FONT>', span) for note in notes or ())
    if not rows:
        return ""
    return '<<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="1">' + "".join(rows) + "</TABLE>>"


_KINDS = (
    (PARAMETER, "parameter"),
    (LEAF, "leaf (requires grad)"),
    (INPUT, "input (no grad)"),
    (INTERMEDIATE, "intermediate"),
    (OUTPUT, "output"),
)
PER_ROW = 4  # legend entries per row: a picture of a few nodes stays under about 900 px


def _legend(
    values: bool, grads: bool, backward: bool, kinds: set[str] | None, edge_grads: bool, span: int
) -> list[str]:
    keys = [_swatch(OP_FILL, "operation, with its VJP rule" if backward else "operation", rounded=True)]
    if values:
        keys.append(_key(f'<FONT COLOR="{VALUE_EDGE}">⟶</FONT>', "value flowing forward"))
    if grads and edge_grads:
        text = "gradient sent back along the edge" if backward else "gradient from one of several uses"
        keys.append(_key(f'<FONT COLOR="{GRAD_EDGE}">x̄</FONT>', text))
    rows = _grid(keys)
    shown = [(kind, text) for kind, text in _KINDS if kinds is None or kind in kinds]
    rows.append(_wide(_heading("tensors", "(header colour)"), span))
    rows.extend(_grid([_swatch(KIND_COLOURS[kind], text) for kind, text in shown]))
    if grads:
        rows.append(_wide(_heading("gradient health", "(node colour): rms(grad) / max(rms(value), 1)"), span))
        rows.extend(_grid([_swatch(b.colour, b.label) for b in (*health.BANDS, health.ZERO, health.NOT_FINITE)]))
    return rows


def _grid(pairs: list[str]) -> list[str]:
    """Rows of at most ``PER_ROW`` (swatch, text) pairs; a short row is padded so the columns line up."""
    rows = []
    for start in range(0, len(pairs), PER_ROW):
        chunk = pairs[start : start + PER_ROW]
        pad = 2 * (PER_ROW - len(chunk))
        rows.append("<TR>" + "".join(chunk) + (f'<TD COLSPAN="{pad}"></TD>' if pad else "") + "</TR>")
    return rows


def _wide(content: str, span: int, align: str = "LEFT") -> str:
    return f'<TR><TD COLSPAN="{span}" ALIGN="{align}">{content}</TD></TR>'


def _heading(title: str, text: str) -> str:
    return f'<FONT POINT-SIZE="9"><B>{html(title)}</B> {html(text)}</FONT>'


def cell(content: str, bgcolor: str | None = None) -> str:
    """One left-aligned row of a tensor's table."""
    bg = f' BGCOLOR="{bgcolor}"' if bgcolor else ""
    return f'<TR><TD ALIGN="LEFT" BALIGN="LEFT"{bg}>{content}</TD></TR>'


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
