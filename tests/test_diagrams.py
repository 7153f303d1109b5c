"""Diagrams of the cells: one per cell variant, nodes equal to the rules, each edge justified by a free symbol
of its rule, the highlighted routes checked against the derivatives, and a real, legible matplotlib figure."""

import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import sympy as sp
from matplotlib.figure import Figure

from lstmsym import LstmsymError, UnknownChoiceError, jacobian_block, make_cell
from lstmsym import diagrams as dg
from lstmsym.cells.variants import VARIANTS, variant_cell

#: every variant, and the largest LSTM: peepholes, coupled gates and the dense readout together
CELLS = {name: (lambda name=name: variant_cell(name)) for name in VARIANTS}
CELLS["lstm-peephole-coupled-dense"] = lambda: make_cell("lstm", peephole=True, coupled=True, readout="dense")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def quantity_symbols(step):
    out = set(step.x)
    for prev in step.prev.values():
        out |= set(prev)
    for rule in step.rules:
        out |= set(rule.symbols)
    return out


@pytest.mark.parametrize("name", CELLS)
def test_nodes_are_the_previous_states_the_input_and_every_rule(name):
    cell = CELLS[name]()
    graph = dg.cell_graph(cell)
    step = cell.step("t")
    expected = [f"{s}_prev" for s in cell.state_names] + ["x"] + [rule.name for rule in step.rules]
    assert list(graph.keys) == expected
    for rule in step.rules:
        node = graph.node(rule.name)
        assert node.kind == rule.role and node.symbols == frozenset(rule.symbols)
        assert node.label == f"${rule.symbols[0].name}$"
    assert graph.carried == {s: (f"{s}_prev", s) for s in cell.state_names}


@pytest.mark.parametrize("name", CELLS)
def test_every_edge_is_a_free_symbol_of_its_rule_and_every_such_symbol_an_edge(name):
    cell = CELLS[name]()
    graph = dg.cell_graph(cell)
    step = cell.step("t")
    quantities = quantity_symbols(step)
    order = list(graph.keys)
    for edge in graph.edges:
        rule = step.rule(edge.target)
        assert edge.symbols, edge
        assert edge.symbols <= rule.value.free_symbols  # justified by the rule itself
        assert edge.symbols <= graph.node(edge.source).symbols
        assert order.index(edge.source) < order.index(edge.target)  # rules read earlier quantities only
    for rule in step.rules:  # complete: every quantity a rule reads is an edge, parameters are not
        read = rule.value.free_symbols & quantities
        covered = set().union(*(e.symbols for e in graph.edges if e.target == rule.name))
        assert covered == read, rule.name
        assert not (rule.value.free_symbols - quantities) & quantities
    assert len(set(graph.pairs)) == len(graph.pairs)


def test_known_edges():
    lstm = dg.cell_graph(make_cell("lstm"))
    assert set(lstm.pairs) == {
        *((s, g) for g in "ifgo" for s in ("h_prev", "x")),
        ("c_prev", "c"),
        ("i", "c"),
        ("f", "c"),
        ("g", "c"),
        ("o", "h"),
        ("c", "h"),
    }
    peep = set(dg.cell_graph(make_cell("lstm", peephole=True)).pairs)
    assert {("c_prev", "i"), ("c_prev", "f"), ("c", "o")} <= peep
    gru = set(dg.cell_graph(make_cell("gru")).pairs)
    assert {("r", "n"), ("h_prev", "n"), ("h_prev", "h"), ("z", "h"), ("n", "h")} <= gru
    assert ("r", "h") not in gru
    assert set(dg.cell_graph(make_cell("rnn")).pairs) == {("h_prev", "h"), ("x", "h")}


def test_the_graph_is_read_from_the_scalar_cell_and_is_the_same_for_every_size():
    big = dg.cell_graph(make_cell("lstm", n=3, m=2, peephole=True))
    small = dg.cell_graph(make_cell("lstm", peephole=True))
    assert big.pairs == small.pairs and big.cell.n == 3
    assert dg.cell_graph("lstm1997").pairs == dg.cell_graph(make_cell("lstm1997")).pairs


def test_operations_are_read_from_the_rules():
    ops = {node.key: node.operation for node in dg.cell_graph(make_cell("lstm")).nodes}
    assert ops == {
        "c_prev": "",
        "h_prev": "",
        "x": "",
        "i": r"$\sigma$",
        "f": r"$\sigma$",
        "g": r"$\tanh$",
        "c": r"$\odot\ +$",
        "o": r"$\sigma$",
        "h": r"$\odot\ \tanh$",
    }
    gru = {node.key: node.operation for node in dg.cell_graph(make_cell("gru")).nodes}
    assert gru["h"] == r"$1-\ \odot\ +$" and gru["n"] == r"$\tanh\ \odot$"
    assert dg.cell_graph(make_cell("lstm", readout="identity")).node("h").operation == r"$\odot$"
    assert dg.cell_graph(make_cell("lstm", output_gate=False)).node("h").operation == r"$\tanh$"
    words = {node.key: node.word for node in dg.cell_graph(make_cell("lstm")).nodes}
    assert (words["f"], words["i"], words["o"], words["g"]) == ("keep", "write", "read", "candidate")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("lstm", {("c_prev", "c"), ("f", "c")}),
        ("lstm-peephole", {("c_prev", "c"), ("f", "c")}),
        ("lstm-coupled", {("c_prev", "c"), ("f", "c")}),
        ("lstm1997", {("c_prev", "c")}),  # the identity: no gate scales the old memory
        ("gru", {("h_prev", "h"), ("z", "h")}),
        ("rnn", {("h_prev", "h")}),
        ("dense_memory", {("c_prev", "c"), ("h_prev", "c"), ("c", "h"), ("o", "h")}),
        ("lstm-readout-dense", {("c_prev", "c"), ("f", "c"), ("h_prev", "y"), ("y", "h"), ("o", "h")}),
    ],
)
def test_direct_edges(name, expected):
    assert dg.direct_edges(dg.cell_graph(name)) == expected


@pytest.mark.parametrize("name", CELLS)
def test_direct_edges_agree_with_the_direct_jacobian(name):
    """Each state's direct route exists exactly when its direct block is nonzero, and the gates highlighted
    on it are the gates in that block (LSTM: f_t; GRU: z_t), from the derivative, not from the picture."""
    cell = CELLS[name]()
    graph = dg.cell_graph(cell)
    direct = dg.direct_edges(graph)
    assert direct <= set(graph.pairs)
    gates = {node.key for node in graph.nodes if node.kind == "gate"}
    for state, (prev, new) in graph.carried.items():
        block = jacobian_block(cell, state, state, path="direct")
        route = graph.route(prev, new, avoid=gates)
        assert bool(route) == (block != sp.zeros(*block.shape)), state
        on_route = {target for _, target in route}
        lit = {source for source, target in direct if source in gates and target in on_route}
        in_block = {g for g in gates if not block.free_symbols.isdisjoint(graph.node(g).symbols)}
        assert lit == in_block, state


def test_loop_edges():
    lstm = dg.cell_graph(make_cell("lstm"))
    loop = dg.loop_edges(lstm)
    assert loop == {("c", "h"), *(("h_prev", g) for g in "ifg"), *((g, "c") for g in "ifg")}
    assert set(dg.walk(lstm, "c", "h", "g", "c")) <= loop  # notebook 02's loop c -> h -> g -> c
    assert ("c_prev", "c") not in loop and ("o", "h") not in loop
    assert ("c", "o") in dg.loop_edges(dg.cell_graph(make_cell("lstm", peephole=True)))
    assert dg.loop_edges(dg.cell_graph("dense_memory")) == {("c", "h"), ("h_prev", "c")}
    gru = dg.loop_edges(dg.cell_graph("gru"))
    assert ("h_prev", "h") not in gru and {("r", "n"), ("z", "h"), ("n", "h")} <= gru
    with pytest.raises(LstmsymError, match="no route besides the direct one"):
        dg.loop_edges(dg.cell_graph("rnn"))


def test_walk_crosses_a_step_at_a_state_and_refuses_a_missing_edge():
    lstm = dg.cell_graph(make_cell("lstm"))
    assert dg.walk(lstm, "c_prev", "c", "h", "o") == [("c_prev", "c"), ("c", "h"), ("h_prev", "o")]
    with pytest.raises(LstmsymError, match="no edge g -> h"):
        dg.walk(lstm, "g", "h")
    with pytest.raises(UnknownChoiceError, match="node='q'"):
        dg.walk(lstm, "c", "q")
    with pytest.raises(LstmsymError, match="at least two"):
        dg.walk(lstm, "c")


def patches(fig, prefix):
    return {p.get_gid(): p for p in fig.axes[0].patches if str(p.get_gid()).startswith(prefix)}


@pytest.mark.parametrize("name", CELLS)
def test_one_figure_per_variant_with_a_box_per_node_and_an_arrow_per_edge(name):
    cell = CELLS[name]()
    graph = dg.cell_graph(cell)
    red = "#d62728"
    fig = dg.draw_cell(cell, highlight="direct", color=red)
    assert isinstance(fig, Figure) and fig.canvas.get_renderer() is not None
    nodes, edges = patches(fig, "node:"), patches(fig, "edge:")
    assert set(nodes) == {f"node:{key}" for key in graph.keys}
    assert set(edges) == {f"edge:{s}->{t}" for s, t in graph.pairs}
    direct = dg.direct_edges(graph)
    scalers = dg.scaling_gates(graph, "direct")
    assert scalers == {s for s, _ in direct if graph.node(s).kind == "gate"}
    for (s, t), patch in zip(graph.pairs, (edges[f"edge:{s}->{t}"] for s, t in graph.pairs), strict=True):
        lit = matplotlib.colors.same_color(patch.get_edgecolor(), red)
        accent = matplotlib.colors.same_color(patch.get_edgecolor(), dg.SCALER)
        assert lit == ((s, t) in direct and s not in scalers), (s, t)  # red: only the direct route itself
        assert accent == ((s, t) in direct and s in scalers), (s, t)  # the held gate's arrow: the accent
    for key, patch in nodes.items():  # a held gate's box is never red: held fixed on the direct path
        is_scaler = key.removeprefix("node:") in scalers
        assert matplotlib.colors.same_color(patch.get_edgecolor(), dg.SCALER) == is_scaler, key
        if is_scaler:
            assert not matplotlib.colors.same_color(patch.get_edgecolor(), red)
    legend = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "legend"]
    assert legend[0] == "direct path (gates held fixed)"
    assert len(legend) == (2 if scalers else 1)
    if scalers:
        scale = "the gates that scale it" if len(scalers) > 1 else "the gate that scales it"
        assert legend[1].endswith(f": {scale}, held fixed on the direct path")
    assert set(patches(fig, "carry:")) == {f"carry:{s}" for s in cell.state_names}
    assert fig.axes[0].get_title().startswith(cell.title)
    plt.close(fig)


def test_the_scaling_gate_is_the_keep_gate_in_the_lstm_and_none_in_the_rnn_or_on_the_loop():
    assert dg.scaling_gates(dg.cell_graph(make_cell("lstm")), "direct") == {"f"}
    assert dg.scaling_gates(dg.cell_graph("gru"), "direct") == {"z"}
    assert dg.scaling_gates(dg.cell_graph("lstm1997"), "direct") == set()  # no keep gate: nothing scales it
    assert dg.scaling_gates(dg.cell_graph("rnn"), "direct") == set()
    assert dg.scaling_gates(dg.cell_graph(make_cell("lstm")), "loop") == set()
    fig = dg.draw_cell("lstm", highlight="loop")  # on the loop the gates carry gradient: they stay red
    nodes = patches(fig, "node:")
    assert all(matplotlib.colors.same_color(nodes[f"node:{g}"].get_edgecolor(), "#d62728") for g in "ifg")
    assert [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "legend"] == [
        "loop (a route of the total path)"
    ]
    plt.close(fig)
    fig = dg.draw_cell("lstm", highlight=None)  # nothing highlighted: no legend
    assert not [t for t in fig.axes[0].texts if t.get_gid() == "legend"]
    plt.close(fig)


def test_highlight_an_explicit_route_into_given_axes():
    lstm = make_cell("lstm")
    fig, ax = plt.subplots()
    route = dg.walk(dg.cell_graph(lstm), "c", "h", "g", "c")
    assert dg.draw_cell(lstm, highlight=route, ax=ax, title="") is fig
    lit = {
        gid
        for gid, p in patches(fig, "edge:").items()
        if matplotlib.colors.same_color(p.get_edgecolor(), "#d62728")
    }
    assert lit == {"edge:c->h", "edge:h_prev->g", "edge:g->c"}
    assert ax.get_title() == ""
    carried = patches(fig, "carry:")  # h_t goes on to the next step's h_{t-1} -> g: its line is lit too
    assert matplotlib.colors.same_color(carried["carry:h"].get_edgecolor(), "#d62728")
    assert not matplotlib.colors.same_color(carried["carry:c"].get_edgecolor(), "#d62728")


def test_an_explicit_route_without_a_title_is_named_a_route():
    lstm = make_cell("lstm")
    route = dg.walk(dg.cell_graph(lstm), "c", "h", "g", "c")
    fig = dg.draw_cell(lstm, highlight=route)
    assert fig.axes[0].get_title().endswith(", route highlighted")
    plt.close(fig)


def test_bad_input_is_refused():
    with pytest.raises(UnknownChoiceError, match="cell='lstn'"):
        dg.draw_cell("lstn")
    with pytest.raises(LstmsymError, match="cell must be a cell"):
        dg.cell_graph(3)
    with pytest.raises(UnknownChoiceError, match="highlight='carousel'"):
        dg.draw_cell("lstm", highlight="carousel")
    with pytest.raises(LstmsymError, match=r"\('x', 'c'\)\] are not edges"):
        dg.draw_cell("lstm", highlight=[("x", "c")])
    with pytest.raises(LstmsymError, match="no loop"):
        dg.draw_cell("rnn", highlight="loop")


def inside(point, box, margin=0.0):
    (x, y), (cx, cy, w, h) = point, box
    return abs(x - cx) < w / 2 - margin and abs(y - cy) < h / 2 - margin


@pytest.mark.parametrize("name", CELLS)
def test_no_line_runs_through_a_box_it_does_not_join(name):
    graph = dg.cell_graph(CELLS[name]())
    layout = dg._layout(graph)
    boxes = {k: (*layout.position[k], *layout.size[k]) for k in graph.keys}
    for a, (xa, ya, wa, ha) in boxes.items():  # boxes apart, at least 0.15 columns
        for b, (xb, yb, wb, hb) in boxes.items():
            if a < b:
                assert abs(xa - xb) > (wa + wb) / 2 + 0.15 or abs(ya - yb) > (ha + hb) / 2 + 0.15, (a, b)
    for (source, target), points in dg._routes(graph, layout).items():
        samples = [
            a + (b - a) * s
            for a, b in zip(np.array(points[:-1]), np.array(points[1:]), strict=True)
            for s in np.linspace(0, 1, 50)
        ]
        for key, box in boxes.items():
            if key not in (source, target):
                assert not any(inside(p, box, margin=-0.03) for p in samples), (source, target, key)


@pytest.mark.parametrize("name", CELLS)
def test_labels_do_not_overlap_and_stay_in_their_boxes(name):
    """Legibility at notebook width: every text sits inside its node's box, and no two texts overlap."""
    graph = dg.cell_graph(CELLS[name]())
    fig = dg.draw_cell(graph.cell, highlight=None)
    width, height = fig.get_size_inches()
    extra_rows = max(0, len(graph.carried) - 2)   # the sLSTM's normaliser: one more row above the memory line
    assert width <= 7.3 and height <= 3.6 + extra_rows * dg.ROW_GAP * dg.SCALE
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    boxes = [p.get_window_extent(renderer) for p in patches(fig, "node:").values()]
    texts = [t for t in ax.texts if t.get_text()]
    extents = [t.get_window_extent(renderer) for t in texts]
    for a in range(len(extents)):
        for b in range(a + 1, len(extents)):
            assert not extents[a].overlaps(extents[b]), (texts[a].get_text(), texts[b].get_text())
    for text, extent in zip(texts, extents, strict=True):
        if extent.x0 > max(box.x1 for box in boxes):
            continue  # the carried state's name, beside its arrow at the right
        assert any(
            box.x0 <= extent.x0 and extent.x1 <= box.x1 and box.y0 <= extent.y0 and extent.y1 <= box.y1
            for box in boxes
        ), text.get_text()


def test_svg_is_the_same_on_every_run():
    first, second = dg.diagram_svg("lstm"), dg.diagram_svg("lstm")
    assert first == second and first.lstrip().startswith("<?xml") and "<svg" in first
    assert dg.diagram_svg("gru", highlight=None) != dg.diagram_svg("gru")


def test_svg_is_the_same_in_processes_with_different_string_hashes():
    code = "from lstmsym.diagrams import diagram_svg; print(diagram_svg('lstm-peephole', 'loop'))"
    outputs = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed, "MPLBACKEND": "Agg"},
        ).stdout
        for seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1] and "<svg" in outputs[0]
