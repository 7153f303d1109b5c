r"""Pictures of the cells drawn from their own rules, so that a picture cannot disagree with the equations.

:func:`cell_graph` turns a cell into a graph: one node per previous state (c_{t-1}, h_{t-1}), one for the
input x_t, and one per rule of the cell's step (gates, candidate, intermediates, new states), in rule order.
An edge u → v means "rule v reads quantity u"; it is found from the free symbols of v's forward rule, never
listed by hand, and each edge keeps the symbols that justify it. :func:`draw_cell` lays the graph out
(previous state on the left, new state on the right, the carried state as horizontal through lines, the
memory line on top, gates in between) and draws it with matplotlib, highlighting a route:

- ``"direct"``: the weight-free term, gates and candidate held (LSTM: c_{t-1} → c_t scaled by f_t; GRU:
  h_{t-1} → h_t scaled by z_t; RNN and dense memory: the whole state route), found by
  :func:`direct_edges` from the graph and the rules' local derivatives;
- ``"loop"``: the routes of the total Jacobian that the direct path leaves out (:func:`loop_edges`; LSTM:
  c_t → h_t, then at the next step h_{t-1} → gates and candidate → c_t);
- an explicit list of edges, e.g. :func:`walk` for notebook 02's loop c → h → g → c.

>>> from lstmsym.cells import make_cell
>>> graph = cell_graph(make_cell("lstm"))
>>> graph.keys
('c_prev', 'h_prev', 'x', 'i', 'f', 'g', 'c', 'o', 'h')
>>> [(e.source, e.target) for e in graph.edges if e.target == "c"]
[('c_prev', 'c'), ('i', 'c'), ('f', 'c'), ('g', 'c')]
>>> sorted(direct_edges(graph))                  # c_{t-1} → c_t, scaled by the keep gate
[('c_prev', 'c'), ('f', 'c')]
>>> walk(graph, "c", "h", "g", "c")              # h_t is the next step's h_{t-1}
[('c', 'h'), ('h_prev', 'g'), ('g', 'c')]
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> fig = draw_cell(make_cell("gru"), highlight="direct")     # one box per node: h_{t-1}, x_t, z, r, n, h_t
>>> sorted(p.get_gid() for p in fig.axes[0].patches if str(p.get_gid()).startswith("node:"))
['node:h', 'node:h_prev', 'node:n', 'node:r', 'node:x', 'node:z']
>>> import matplotlib.pyplot as plt; plt.close(fig)

matplotlib is imported inside the drawing functions, so ``import lstmsym`` stays light.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from .cells.base import Cell, Rule, Step, display_name
from .cells.variants import VARIANTS, variant_cell
from .errors import LstmsymError, UnknownChoiceError

__all__ = [
    "HIGHLIGHTS",
    "CellGraph",
    "Edge",
    "Node",
    "cell_graph",
    "diagram_svg",
    "direct_edges",
    "draw_cell",
    "loop_edges",
    "scaling_gates",
    "walk",
]

#: The named routes :func:`draw_cell` can highlight (or pass a list of (source, target) edges).
HIGHLIGHTS = ("direct", "loop")

#: The course's name for each quantity (rule name -> word); the name alone is shown for any other rule.
WORDS = {
    "i": "write",
    "f": "keep",
    "g": "candidate",
    "o": "read",
    "y": "readout",
    "z": "update",
    "r": "reset",
    "n": "candidate",
    "c": "memory",
    "h": "hidden",
}
#: Words for a cell whose letter means something else than in WORDS: (cell kind, name) -> word.
CELL_WORDS = {("slstm", "n"): "normaliser", ("min_gru", "z"): "write",
              ("min_lstm", "i'"): "write / (f+i)", ("min_lstm", "f'"): "keep / (f+i)"}


def _word(cell: Cell, name: str) -> str:
    return CELL_WORDS.get((cell.kind, name), WORDS.get(name, name))

_FUNCTIONS = {"sigmoid": r"\sigma", "tanh": r"\tanh"}


@dataclass(frozen=True)
class Node:
    r"""One quantity of a step: a previous state, the input, or a rule's output.

    ``kind`` is ``"previous"``, ``"input"`` or the rule's role (``"gate"``, ``"intermediate"``, ``"state"``);
    ``label`` is mathtext (``"$f_{t}$"``), ``word`` the course's name (``"keep"``), ``operation`` the
    rule's operations in mathtext (``r"$\sigma$"``, ``r"$\odot\ +$"``; empty for previous states and
    input), ``symbols`` the SymPy symbols that stand for the quantity.
    """

    key: str
    kind: str
    label: str
    word: str
    operation: str
    symbols: frozenset


@dataclass(frozen=True)
class Edge:
    """Rule ``target`` reads quantity ``source``; ``symbols`` are the free symbols of the rule that say so."""

    source: str
    target: str
    symbols: frozenset


@dataclass(frozen=True, eq=False)
class CellGraph:
    """Nodes and edges of one step of a cell; ``carried`` maps each state name to (previous key, new key)."""

    cell: Cell
    step: Step  # the scalar cell's step the graph was read from
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    carried: dict[str, tuple[str, str]]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(node.key for node in self.nodes)

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """The edges as (source, target) pairs, in order."""
        return [(e.source, e.target) for e in self.edges]

    def node(self, key: str) -> Node:
        for node in self.nodes:
            if node.key == key:
                return node
        raise UnknownChoiceError("node", key, self.keys)

    @cached_property
    def _successors(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {key: [] for key in self.keys}
        for e in self.edges:
            out[e.source].append(e.target)
        return out

    def paths(self, source: str, target: str, avoid: Iterable[str] = ()) -> list[list[str]]:
        """Every path source → ... → target (node keys), not passing through the nodes in ``avoid``."""
        avoid = set(avoid)
        found: list[list[str]] = []

        def extend(path: list[str]) -> None:
            for nxt in self._successors[path[-1]]:
                if nxt == target:
                    found.append([*path, nxt])
                elif nxt not in avoid:
                    extend([*path, nxt])  # the step graph is acyclic: rules read only earlier quantities

        self.node(source), self.node(target)
        extend([source])
        return found

    def route(self, source: str, target: str, avoid: Iterable[str] = ()) -> set[tuple[str, str]]:
        """The edges on the paths source → ... → target (see :meth:`paths`)."""
        return {(a, b) for path in self.paths(source, target, avoid) for a, b in itertools.pairwise(path)}


def _operation(rule: Rule, quantities: set[sp.Symbol]) -> str:
    """The operations a rule applies to quantities, in mathtext: σ, tanh, 1 -, ⊙, +."""
    if rule.activation is not None:
        ops = [_FUNCTIONS.get(type(rule.value[0]).__name__, type(rule.value[0]).__name__)]
        expr = rule.inner[0]
    else:
        ops, expr = [], rule.inner[0]
    found: list[str] = []
    for sub in sp.preorder_traversal(expr):
        args = [a for a in sub.args if not a.free_symbols.isdisjoint(quantities)]
        if isinstance(sub, sp.Mul) and len(args) >= 2:
            found.append(r"\odot")
        elif isinstance(sub, sp.Add) and rule.activation is None:
            if len(args) >= 2:
                found.append("+")
            elif any(a.is_number for a in sub.args):
                found.append("1-")
        elif isinstance(sub, sp.Function) and args and rule.activation is None:
            found.append(_FUNCTIONS.get(type(sub).__name__, type(sub).__name__))
    order = ["1-", r"\odot", "+", r"\sigma", r"\tanh"]
    ops += sorted(set(found), key=lambda op: order.index(op) if op in order else len(order))
    return "$" + r"\ ".join(ops) + "$" if ops else ""


def _check_cell(cell: Cell | str) -> Cell:
    if isinstance(cell, str):
        if cell not in VARIANTS:
            raise UnknownChoiceError("cell", cell, VARIANTS)
        return variant_cell(cell)
    if not isinstance(cell, Cell):
        raise LstmsymError(f"cell must be a cell from lstmsym.make_cell or a variant name, got {cell!r}")
    return cell


def cell_graph(cell: Cell | str) -> CellGraph:
    """The graph of one step of ``cell`` (a cell, or a name of :data:`lstmsym.cells.variants.VARIANTS`).

    Nodes: the previous states (keys ``"c_prev"``, ``"h_prev"``), the input (``"x"``), then every rule
    by its name, in rule order. Edges: rule v reads quantity u when a symbol of u is a free symbol of v's
    forward rule. The graph is read from the scalar cell (n = m = 1) of the same kind and switches: the
    dependencies are the same for every size, and no large symbolic cell is built for a picture.

    >>> from lstmsym.cells import make_cell
    >>> g = cell_graph(make_cell("lstm", coupled=True))
    >>> g.node("f").operation                    # the coupled keep gate, f = 1 - i
    '$1-$'
    >>> [(e.source, e.target, e.symbols) for e in g.edges if e.target == "f"]
    [('i', 'f', frozenset({i_{t}}))]
    """
    cell = _check_cell(cell)
    scalar = cell if cell.n == cell.m == 1 else type(cell)(1, 1, **cell.options)
    step = scalar.step("t")
    nodes: list[Node] = []
    for name, symbols in step.prev.items():
        label = f"${display_name(name, 't-1')}$"
        nodes.append(Node(f"{name}_prev", "previous", label, _word(cell, name), "", frozenset(symbols)))
    nodes.append(Node("x", "input", f"${display_name('x', 't')}$", "input", "", frozenset(step.x)))
    quantities = {s for node in nodes for s in node.symbols} | {s for r in step.rules for s in r.symbols}
    for rule in step.rules:
        nodes.append(
            Node(
                rule.name,
                rule.role,
                f"${display_name(rule.name, 't')}$",
                _word(cell, rule.name),
                _operation(rule, quantities),
                frozenset(rule.symbols),
            )
        )
    edges: list[Edge] = []
    sources = list(nodes)
    for rule in step.rules:
        free = rule.value.free_symbols
        for node in sources:
            if node.key == rule.name:
                break  # a rule reads only earlier quantities
            used = free & node.symbols
            if used:
                edges.append(Edge(node.key, rule.name, frozenset(used)))
    carried = {name: (f"{name}_prev", name) for name in cell.state_names}
    return CellGraph(cell, step, tuple(nodes), tuple(edges), carried)


def direct_edges(graph: CellGraph) -> set[tuple[str, str]]:
    """The edges of the direct path: the weight-free term of each state's own block, gates held fixed.

    For each state s: the edges on the paths s_{t-1} → ... → s_t that pass through no gate (a gate held
    fixed moves nothing), plus an edge gate → v for each gate whose symbol appears in the local derivative
    of a rule v on such a path (the gate that scales the route: f for the LSTM's memory, z for the GRU).

    >>> from lstmsym.cells import make_cell
    >>> sorted(direct_edges(cell_graph(make_cell("gru"))))
    [('h_prev', 'h'), ('z', 'h')]
    >>> sorted(direct_edges(cell_graph(make_cell("dense_memory"))))
    [('c', 'h'), ('c_prev', 'c'), ('h_prev', 'c'), ('o', 'h')]
    """
    gates = {node.key for node in graph.nodes if node.kind == "gate"}
    out: set[tuple[str, str]] = set()
    for prev, new in graph.carried.values():
        route = graph.route(prev, new, avoid=gates)
        out |= route
        for source, target in route:
            slope = graph.step.rule(target).local_derivative(
                sp.Matrix(sorted(graph.node(source).symbols, key=str))
            )
            for gate in gates:
                if not slope.free_symbols.isdisjoint(graph.node(gate).symbols):
                    out.add((gate, target))
    return out


def loop_edges(graph: CellGraph) -> set[tuple[str, str]]:
    """The edges of the routes the direct path leaves out: the loops of the total Jacobian.

    A cell with a memory c and a hidden state h (LSTM family, dense memory): the loop c → h → c, i.e. the
    edges on the paths c_t → ... → h_t within a step and h_{t-1} → ... → c_t at the next step (for the
    LSTM: through the gates and the candidate), and the same with c and h swapped where both halves exist.
    A cell with one state (GRU): the routes h_{t-1} → ... → h_t through a gate. The RNN has no such route
    (its one route is the direct one) and is refused.

    >>> from lstmsym.cells import make_cell
    >>> sorted(loop_edges(cell_graph(make_cell("lstm1997"))))
    [('c', 'h'), ('g', 'c'), ('h_prev', 'g'), ('h_prev', 'i'), ('i', 'c')]
    """
    out: set[tuple[str, str]] = set()
    states = list(graph.carried)
    if len(states) == 1:
        prev, new = graph.carried[states[0]]
        gates = [node.key for node in graph.nodes if node.kind == "gate"]
        for gate in gates:
            if graph.paths(prev, gate) and graph.paths(gate, new):
                out |= graph.route(prev, gate) | graph.route(gate, new)
    else:
        for a in states:
            for b in states:
                if a == b:
                    continue
                within = graph.route(graph.carried[a][1], graph.carried[b][1])
                back = graph.route(graph.carried[b][0], graph.carried[a][1])
                if within and back:
                    out |= within | back
    if not out:
        raise LstmsymError(
            f"{graph.cell!r} has no route besides the direct one, so there is no loop to highlight; "
            "use highlight='direct'"
        )
    return out


def walk(graph: CellGraph, *keys: str) -> list[tuple[str, str]]:
    """The edges of a walk through the unrolled cell, e.g. ``walk(graph, "c", "h", "g", "c")``.

    Each step a → b is the edge a → b of the graph if it exists, else, when a is a state, the edge from
    a's previous value (a_t is the next step's a_{t-1}) to b.
    """
    if len(keys) < 2:
        raise LstmsymError(f"a walk needs at least two node keys, got {keys!r}")
    pairs = set(graph.pairs)
    out = []
    for a, b in itertools.pairwise(keys):
        graph.node(a), graph.node(b)
        if (a, b) in pairs:
            out.append((a, b))
        elif a in graph.carried and (graph.carried[a][0], b) in pairs:
            out.append((graph.carried[a][0], b))
        else:
            raise LstmsymError(f"{graph.cell!r}: no edge {a} -> {b}, within a step or across one")
    return out


def _highlighted(graph: CellGraph, highlight) -> set[tuple[str, str]]:
    if highlight is None:
        return set()
    if isinstance(highlight, str):
        if highlight == "direct":
            return direct_edges(graph)
        if highlight == "loop":
            return loop_edges(graph)
        raise UnknownChoiceError("highlight", highlight, (*HIGHLIGHTS, None))
    chosen = {tuple(pair) for pair in highlight}
    missing = sorted(chosen - set(graph.pairs))
    if missing:
        raise LstmsymError(f"highlight: {missing} are not edges of {graph.cell!r}; its edges: {graph.pairs}")
    return chosen


# -- layout -----------------------------------------------------------------------------------------
ROW_GAP, INPUT_GAP = 1.0, 0.7  # between the rows (memory line, gates, hidden line), and down to the input
WIDTH, HEIGHT = 0.8, 0.6  # a rule's box, in column units (a state's box is STATE_WIDTH wide)
STATE_WIDTH, SOURCE_WIDTH, SOURCE_HEIGHT = 0.92, 0.66, 0.42  # new states; previous states and input
FEED = {"h_prev": -0.15, "x": 0.15}  # where the rails from below enter a node, from its centre
SCALE = 0.92  # inches per column unit when draw_cell makes its own figure
COLORS = {
    "previous": "#ffffff",
    "input": "#ffffff",
    "gate": "#fff2b3",
    "intermediate": "#ffe0b3",
    "state": "#d6e6f5",
}
INK, FAINT = "#222222", "#6b6b6b"
#: The accent of a gate that scales the direct path without being on it (held fixed: no gradient enters it).
SCALER = "#2171b5"
LEGEND_GAP = 0.36  # room below the input row for the legend line, in column units


@dataclass(frozen=True)
class _Layout:
    position: dict[str, tuple[float, float]]
    size: dict[str, tuple[float, float]]  # key -> (width, height) of its box
    rail: dict[str, float]  # source key -> row of the rail it feeds nodes from below along
    top: float  # the first state's row (the memory line)
    input: float  # the input rail's row
    exit: float  # x where the carried states leave the step


def _layout(graph: CellGraph) -> _Layout:
    """Columns in rule order; the first state on the top row, the last on the bottom row, gates between
    (a third state, the sLSTM's normaliser, on a row of its own above the top row, in a column of its own).

    A new state that reads gates sits on the top row above them (at the mean of their columns); one that
    reads none takes a column of its own; the bottom row's state comes last, after every rail branch.
    """
    states = list(graph.carried)
    reads: dict[str, list[str]] = {}
    for e in graph.edges:
        reads.setdefault(e.target, []).append(e.source)
    middle = [n for n in graph.nodes if n.kind in ("gate", "intermediate")]
    h_rail = len(states) == 1 and any(
        e.source == graph.carried[states[0]][0] for e in graph.edges if graph.node(e.target).kind != "state"
    )
    top = 0.0
    mid = top - ROW_GAP
    bottom = mid - ROW_GAP if middle else top - ROW_GAP
    lowest = bottom if (len(states) > 1 or h_rail) else (mid if middle else top)
    inp = lowest - (INPUT_GAP if lowest != top else 0.9)
    row = {states[0]: top, **({states[-1]: bottom} if len(states) > 1 else {})}
    for k, name in enumerate(states[1:-1]):  # a third state (the sLSTM's normaliser): rows above the top
        row[name] = top + (k + 1) * ROW_GAP
    position: dict[str, tuple[float, float]] = {}
    column = 0.0
    for node in graph.nodes:
        if node.kind in ("gate", "intermediate"):
            column += 1
            position[node.key] = (column, mid)
        elif node.kind == "state" and row[node.key] >= top:
            cols = [position[s][0] for s in reads[node.key] if graph.node(s).kind in ("gate", "intermediate")]
            if not cols or row[node.key] > top:  # above the memory line: right of the gates, clear of its box
                column += 1
                cols = [column]
            position[node.key] = (sum(cols) / len(cols), row[node.key])
    for name in states[1:]:
        if row[name] == bottom:
            column += 1
            position[name] = (column, bottom)
    rail = {"x": inp}
    for name in states:
        prev = graph.carried[name][0]
        position[prev] = (0.0, row[name])
        if row[name] == bottom or h_rail:
            rail[prev] = bottom
    position["x"] = (0.0, inp)
    size = {}
    for node in graph.nodes:
        if node.kind in ("previous", "input"):
            size[node.key] = (SOURCE_WIDTH, SOURCE_HEIGHT)
        else:
            size[node.key] = (STATE_WIDTH if node.kind == "state" else WIDTH, HEIGHT)
    exit_x = max(x for x, _ in position.values()) + 0.95
    return _Layout(position, size, rail, top, inp, exit_x)


def _routes(graph: CellGraph, layout: _Layout) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """Each edge's polyline (arrow at the end); two points for a straight line between box edges."""
    pos, size = layout.position, layout.size
    out = {}
    for e in graph.edges:
        (x0, y0), (x1, y1) = pos[e.source], pos[e.target]
        (w0, h0), (w1, h1) = size[e.source], size[e.target]
        src = graph.node(e.source)
        if y0 == y1:  # along a row: the through line, or gate to gate
            out[e.source, e.target] = [(x0 + w0 / 2, y0), (x1 - w1 / 2, y1)]
        elif e.source in layout.rail and y1 > layout.rail[e.source]:  # a rail from below
            rail, xe = layout.rail[e.source], x1 + FEED.get(e.source, 0.0)
            start = [(x0 + w0 / 2, y0)] if y0 == rail else [(x0 + 0.2, y0 - h0 / 2), (x0 + 0.2, rail)]
            out[e.source, e.target] = [*start, (xe, rail), (xe, y1 - h1 / 2)]
        elif src.kind == "state" and y0 == layout.top:  # down from the memory line
            out[e.source, e.target] = [(x0 + w0 / 2, y0), (x1, y0), (x1, y1 + h1 / 2)]
        elif src.kind == "previous":  # a peephole: from the old memory into a gate's top
            out[e.source, e.target] = [(x0 + w0 / 2, y0 - h0 / 4), (x1 - 0.22, y1 + h1 / 2)]
        elif y1 > y0:  # a gate into the state above it
            out[e.source, e.target] = [
                (x0, y0 + h0 / 2),
                (x1 + 0.3 * (x0 - x1) / max(abs(x0 - x1), 1), y1 - h1 / 2),
            ]
        else:  # a gate down into the state on the bottom row, under any box between them
            between = any(y == y0 and x0 < x < x1 for key, (x, y) in pos.items() if key != e.source)
            start = (x0 + w0 / 4, y0 - h0 / 2) if between else (x0 + w0 / 2, y0 - h0 / 4)
            out[e.source, e.target] = [start, (x1 - w1 / 2, y1 + h1 / 4)]
    return out


def scaling_gates(graph: CellGraph, highlight) -> set[str]:
    """The gates that scale the highlighted direct path without lying on it (LSTM: f; GRU: z).

    The direct path holds the gates fixed (the weight-free term): they only multiply the path, and the
    routes into them belong to the total path. :func:`draw_cell` draws them (and their arrow into the path)
    in a second accent, so that the path's colour marks only the direct route itself. Empty for any other
    highlight (the loop runs through the gates).

    >>> from lstmsym.cells import make_cell
    >>> scaling_gates(cell_graph(make_cell("lstm")), "direct"), scaling_gates(cell_graph("rnn"), "direct")
    ({'f'}, set())
    >>> scaling_gates(cell_graph(make_cell("lstm")), "loop")
    set()
    """
    if highlight != "direct":
        return set()
    return {s for s, _ in direct_edges(graph) if graph.node(s).kind == "gate"}


def draw_cell(
    cell: Cell | str,
    highlight=None,
    ax=None,
    title: str | None = None,
    color: str = "#d62728",
    accent: str = SCALER,
):
    """Draw one step of ``cell`` from its rules; return the matplotlib Figure.

    ``cell`` is a cell (``lstmsym.make_cell``) or a name of :data:`lstmsym.cells.variants.VARIANTS`.
    ``highlight``: ``"direct"`` (:func:`direct_edges`), ``"loop"`` (:func:`loop_edges`), ``None``, or a list
    of (source, target) edges (e.g. from :func:`walk`), drawn in ``color``. On the direct path the gate
    that scales it (:func:`scaling_gates`: held fixed, not on the path) is outlined dashed in ``accent``,
    with its arrow into the path, and a legend line under the picture says which colour is which.
    ``ax``: draw into these axes (else a new figure 7 inches wide, 3.5 high for the LSTM, plus the legend
    line). ``title``: defaults to the cell's title and what is highlighted; ``""`` for none. Each node is
    one patch with gid ``"node:KEY"``, each edge one arrow with gid ``"edge:SOURCE->TARGET"``, each carried
    state one arrow with gid ``"carry:NAME"``, the legend's texts have gid ``"legend"``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
    from matplotlib.path import Path

    graph = cell_graph(cell)
    chosen = _highlighted(graph, highlight)
    scalers = scaling_gates(graph, highlight)
    scaled = {pair for pair in chosen if pair[0] in scalers}  # the scaling gate's arrow into the path
    layout = _layout(graph)
    pos, size = layout.position, layout.size
    xmax = layout.exit + 0.45
    span = max(7.6, xmax + 0.5)  # one scale for every cell: small cells are centred, not stretched
    left = -0.5 - (span - (xmax + 0.5)) / 2
    bottom = layout.input - 0.33 - (LEGEND_GAP if chosen else 0.0)
    top = max(y for _, y in pos.values()) + 0.4  # the memory line's row, or a third state's above it
    if ax is None:
        head = 0.3  # inches for the title
        fig = plt.figure(figsize=(span * SCALE, (top - bottom) * SCALE + head))
        ax = fig.add_axes((0, 0, 1, (top - bottom) * SCALE / ((top - bottom) * SCALE + head)))
    fig = ax.figure
    ax.set_axis_off()
    ax.set_xlim(left, left + span)
    ax.set_ylim(bottom, top)
    ax.set_aspect("equal", adjustable="box")
    box = ax.get_position()  # text is in points, boxes in data: shrink the text with smaller axes
    inches = min(box.width * fig.get_figwidth() / span, box.height * fig.get_figheight() / (top - bottom))
    k = min(1.0, inches / SCALE)

    def style(lit: bool, width: float = 0.8, scale: bool = False) -> dict:
        return {
            "arrowstyle": "-|>,head_length=0.35,head_width=0.18",
            "mutation_scale": 10 * k,
            "color": accent if scale else color if lit else INK,
            "linewidth": (1.6 if scale else 2.0 if lit else width) * k,
            "linestyle": (0, (3, 2)) if scale else "-",
            "zorder": 5 if lit else 2,
            "capstyle": "butt",
            "joinstyle": "miter",
        }

    lit_nodes = {key for pair in chosen for key in pair} - scalers
    for node in graph.nodes:
        (x, y), (width, height) = pos[node.key], size[node.key]
        lit, scaler = node.key in lit_nodes, node.key in scalers
        source = node.kind in ("previous", "input")
        ax.add_patch(
            FancyBboxPatch(
                (x - width / 2, y - height / 2),
                width,
                height,
                boxstyle="round,pad=0,rounding_size=0.08",
                facecolor=COLORS[node.kind],
                edgecolor=accent if scaler else color if lit else (FAINT if source else INK),
                linewidth=(1.8 if lit or scaler else 0.9) * k,
                linestyle=(0, (3, 2)) if scaler else "-",
                zorder=6,
                gid=f"node:{node.key}",
            )
        )
        if source:
            ax.text(x, y, node.label, ha="center", va="center", fontsize=10.5 * k, zorder=7)
        else:
            ax.text(x, y + 0.15, node.label, ha="center", va="center", fontsize=10.5 * k, zorder=7)
            ax.text(x, y - 0.04, node.operation, ha="center", va="center", fontsize=8.5 * k, zorder=7)
            ax.text(x, y - 0.2, node.word, ha="center", va="center", fontsize=7 * k, color=FAINT, zorder=7)

    # the carried states leave to the right: each is the next step's previous state
    for name, (prev, new) in graph.carried.items():
        lit = any(p[1] == new for p in chosen) and any(p[0] == prev for p in chosen)
        (x, y), (width, _) = pos[new], size[new]
        ax.add_patch(
            FancyArrowPatch(
                (x + width / 2, y), (layout.exit, y), gid=f"carry:{name}", **style(lit, width=1.3)
            )
        )
        ax.text(
            layout.exit + 0.06,
            y,
            f"${display_name(name, 't')}$",
            ha="left",
            va="center",
            fontsize=9 * k,
            color=FAINT,
        )

    routes = _routes(graph, layout)
    for (source, target), points in routes.items():
        lit, scale = (source, target) in chosen, (source, target) in scaled
        ax.add_patch(
            FancyArrowPatch(path=Path(points), gid=f"edge:{source}->{target}", **style(lit, scale=scale))
        )
    # a dot where a line branches (a rail, the memory line), so that a branch never reads as a crossing
    for source in dict.fromkeys(s for s, _ in routes):  # in graph order: the same file every run
        outgoing = [points for (s, _), points in routes.items() if s == source and len(points) >= 3]
        corners = dict.fromkeys(points[-2] for points in outgoing)
        for corner in corners:
            along = [p for p in outgoing if p[-3][1] == corner[1]]
            farthest = max(p[-2][0] for p in along)
            carried = graph.node(source).kind == "state"  # the memory line goes on to the next step
            if corner[0] < farthest or carried:
                lit = any(
                    (source, t) in chosen - scaled
                    for (s, t), p in routes.items()
                    if s == source and p[-2] == corner
                )
                ax.add_patch(Circle(corner, 0.035, color=color if lit else INK, zorder=5 if lit else 3))

    if chosen:  # the legend line: which colour is which
        _legend(ax, graph, highlight, scalers, (left + 0.15, bottom + 0.17), color, accent, k)

    if title is None:
        names = {"direct": "direct path", "loop": "loop"}
        named = names.get(highlight, "route") if isinstance(highlight, str) else "route"
        named = named if chosen else ""
        title = graph.cell.title + (f", {named} highlighted" if named else "")
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def _legend(
    ax, graph: CellGraph, highlight, scalers: set[str], at, color: str, accent: str, k: float
) -> None:
    """One line under the picture: a red stroke for the highlighted route, a dashed box for a scaling gate."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyBboxPatch

    x, y = at
    names = {"direct": "direct path (gates held fixed)", "loop": "loop (a route of the total path)"}
    what = names.get(highlight, "highlighted route") if isinstance(highlight, str) else "highlighted route"
    ax.add_line(Line2D([x, x + 0.35], [y, y], color=color, linewidth=2.0 * k, gid="legend"))
    text = ax.text(x + 0.45, y, what, ha="left", va="center", fontsize=8 * k, gid="legend")
    if not scalers:
        return
    renderer = ax.figure.canvas.get_renderer()
    inv = ax.transData.inverted()
    end = inv.transform(text.get_window_extent(renderer).p1)[0] + 0.35
    ax.add_patch(FancyBboxPatch((end, y - 0.09), 0.3, 0.18, boxstyle="round,pad=0,rounding_size=0.04",
                                facecolor=COLORS["gate"], edgecolor=accent, linewidth=1.6 * k,
                                linestyle=(0, (3, 2)), gid="legend"))
    gates = ", ".join(graph.node(g).label for g in sorted(scalers))
    scale = "the gates that scale it" if len(scalers) > 1 else "the gate that scales it"
    ax.text(end + 0.4, y, f"{gates}: {scale}, held fixed on the direct path", ha="left", va="center",
            fontsize=8 * k, gid="legend")


def diagram_svg(cell: Cell | str, highlight="direct", title: str | None = None) -> str:
    """The diagram of :func:`draw_cell` as SVG text, the same bytes on every run (for pages and the site)."""
    import io

    import matplotlib.pyplot as plt

    fig = draw_cell(cell, highlight=highlight, title=title)
    buffer = io.StringIO()
    with plt.rc_context({"svg.hashsalt": "lstmsym", "svg.fonttype": "path"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()
