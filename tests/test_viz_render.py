"""Rendering with the real `dot` program (`make test` installs Graphviz), hostile names, the missing-`dot` error, Jupyter display."""

import xml.etree.ElementTree as ET

import pytest
from viz_cases import grounded, micrograd, nodes

import autograd_core as ag
import viz

SVG = "{http://www.w3.org/2000/svg}"

HOSTILE = [
    'quote " and ]; evil [label="pwned"',
    "<b>angle</b> & <TABLE>",
    "{braces} | [brackets]",
    "back\\slash\\",
    "new\nline\r\nand\ttab",
    "\\N \\G \\l escapes",
    "x\x00control\x1b",
]


def _svg_groups(svg: bytes, cls: str):
    root = ET.fromstring(svg)
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == cls]


def _svg_text(svg: bytes) -> str:
    return " ".join(t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text"))


@pytest.mark.parametrize("mode", ["forward", "backward", "both"])
def test_renders_to_svg_that_parses_as_xml_with_every_node_and_edge(tmp_path, mode):
    ex = micrograd()
    graph = viz.draw_graph(ex.L, mode=mode)
    path = viz.render(graph, tmp_path / f"graph_{mode}.svg")
    svg = path.read_bytes()
    assert len(_svg_groups(svg, "node")) == len(nodes(graph.source)) == 9
    assert len(_svg_groups(svg, "edge")) == 8
    text = _svg_text(svg)
    if mode != "backward":
        assert "0.7071" in text
    if mode != "forward":
        assert "-1.5" in text


def test_renders_png_and_pdf_and_takes_the_format_from_the_suffix(tmp_path):
    ex = micrograd()
    png = viz.render(ex.L, tmp_path / "g.png", mode="both")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = viz.render(viz.draw_graph(ex.L), tmp_path / "sub" / "g", format="pdf")
    assert pdf.name == "g.pdf" and pdf.read_bytes()[:5] == b"%PDF-"
    svg = viz.render(viz.draw_graph(ex.L), tmp_path / "plain")
    assert svg.suffix == ".svg"
    with pytest.raises(ValueError, match="format must be one of"):
        viz.render(viz.draw_graph(ex.L), tmp_path / "g.gif", format="gif")
    with pytest.raises(TypeError, match="only apply when render"):
        viz.render(viz.draw_graph(ex.L), tmp_path / "g.svg", mode="both")


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_render_safely_and_appear_literally(tmp_path, name):
    x = ag.tensor([1.0, 2.0], requires_grad=True, name=name)
    with ag.graph_scope(name):
        y = (x * 2).sum()
    y.name = name + " out"
    for mode in ("forward", "backward", "both"):
        graph = viz.draw_graph(y, mode=mode)
        assert "pwned" not in graph.source.replace("&quot;pwned&quot;", "").replace('\\"pwned\\"', "")
        assert len(nodes(graph.source)) == 6  # x, x·2, 2, the sum, and two ops
        svg = viz.render(graph, tmp_path / f"h_{mode}.svg").read_bytes()
        assert len(_svg_groups(svg, "node")) == 6 and len(_svg_groups(svg, "cluster")) == 1
        text = _svg_text(svg)
        tooltips = [a.get("{http://www.w3.org/1999/xlink}title") or "" for a in ET.fromstring(svg).iter(f"{SVG}a")]
        assert not any(t.startswith("t0") or " t0 " in t for t in tooltips)  # no \N expansion
        visible = name.replace("\r\n", "\n").replace("\t", " ").split("\n")[0]
        visible = visible.replace("\x00", "\ufffd").replace("\x1b", "\ufffd")
        assert visible.strip().split(" ")[0] in text


def test_without_dot_the_graph_is_still_built_and_rendering_says_how_to_install_graphviz(tmp_path, monkeypatch):
    ex = micrograd()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    graph = viz.draw_graph(ex.L, mode="both")
    assert graph.source.startswith("digraph")
    with pytest.raises(viz.GraphvizNotFoundError, match=r"install Graphviz.*apt-get install graphviz"):
        viz.render(graph, tmp_path / "g.svg")
    with pytest.raises(RuntimeError):  # also catchable as the builtin
        viz.render(ex.L, tmp_path / "g.png")
    assert not (tmp_path / "g.svg").exists()
    monkeypatch.undo()
    svg = viz.render(graph, tmp_path / "later.svg").read_bytes()  # the same source is valid DOT
    assert len(_svg_groups(svg, "node")) == 9


def test_jupyter_displays_the_graph_inline_as_svg():
    bundle = viz.draw_graph(micrograd().L)._repr_mimebundle_()
    assert "image/svg+xml" in bundle
    ET.fromstring(bundle["image/svg+xml"])


def test_save_step_graphs_writes_the_forward_and_backward_pictures_before_backward(tmp_path):
    ex = grounded()
    paths = viz.save_step_graphs(ex.J, tmp_path / "demo")
    assert set(paths) == {"forward", "backward"}
    for mode, path in paths.items():
        assert path.name == f"training_step_{mode}.png" and path.stat().st_size > 1000
    ex.J.backward()  # the graph is intact
    assert ex.w0.grad is not None


def test_without_dot_a_notebook_shows_the_install_message_instead_of_a_traceback(tmp_path, monkeypatch):
    graph = viz.draw_graph(micrograd().L)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    bundle = graph._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert "apt-get install graphviz" in bundle["text/plain"] and "brew install graphviz" in bundle["text/html"]
    assert graph._repr_svg_() is None


def _png_size(data: bytes) -> tuple[int, int]:
    import struct

    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("mode", ["forward", "both"])
def test_a_picture_of_a_few_nodes_fits_a_notebook(tmp_path, mode):
    width, _ = _png_size(viz.render(micrograd().L, tmp_path / "g.png", mode=mode).read_bytes())
    assert width <= 900  # the legend wraps into short rows instead of one long line
    small, _ = _png_size(viz.render(micrograd().L, tmp_path / "s.png", mode=mode, size=4).read_bytes())
    assert small <= 4 * 96 + 2  # size= scales it down to 4 inches


def test_size_takes_inches_a_pair_or_dot_text_and_says_what_it_accepts():
    ex = micrograd()
    assert 'size="5,1000"' in viz.draw_graph(ex.L, size=5).source
    assert 'size="5,3"' in viz.draw_graph(ex.L, size=(5, 3)).source
    assert 'size="7,4!"' in viz.draw_graph(ex.L, size="7,4!").source
    for bad in (0, (1, 2, 3), "wide", -2):
        with pytest.raises(ValueError, match="size must"):
            viz.draw_graph(ex.L, size=bad)


def test_the_legend_lists_only_what_the_picture_shows():
    ex = micrograd()
    both = viz.draw_graph(ex.L, mode="both").source
    assert "tooltip" not in both.split("label=<<TABLE")[1].split("</TABLE>>")[0]  # no promise of tooltips
    assert "parameter</FONT>" not in both and "leaf (requires grad)" in both  # only the kinds drawn
    assert "gradient sent back" not in both and "one of several uses" not in both  # no edge carries one
    x = ag.tensor(3.0, requires_grad=True, name="x")
    assert "gradient from one of several uses" in viz.draw_graph(x * x, mode="both").source  # x feeds two edges
    assert "gradient sent back along the edge" in viz.draw_graph(ex.L, mode="backward").source
