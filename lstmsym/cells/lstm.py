r"""The LSTM (Gers et al. 2000, with forget gate), and the switches that turn it into its variants.

.. math::
    i_t = \sigma(W_i h_{t-1} + U_i x_t + b_i) \quad f_t = \sigma(W_f h_{t-1} + U_f x_t + b_f)
    \quad g_t = \tanh(W_g h_{t-1} + U_g x_t + b_g)

    c_t = f_t \odot c_{t-1} + i_t \odot g_t, \quad
    o_t = \sigma(W_o h_{t-1} + U_o x_t + b_o), \quad h_t = o_t \odot \tanh(c_t)

f is the keep (forget) gate, i the write (input) gate, o the read (output) gate, g the candidate.

>>> from lstmsym.cells import make_cell
>>> print(make_cell("lstm").latex())
\begin{aligned}
i_{t} &= \sigma\left(W_{i} h_{t-1} + U_{i} x_{t} + b_{i}\right) \\
f_{t} &= \sigma\left(W_{f} h_{t-1} + U_{f} x_{t} + b_{f}\right) \\
g_{t} &= \tanh{\left(W_{g} h_{t-1} + U_{g} x_{t} + b_{g} \right)} \\
c_{t} &= f_{t} \odot c_{t-1} + i_{t} \odot g_{t} \\
o_{t} &= \sigma\left(W_{o} h_{t-1} + U_{o} x_{t} + b_{o}\right) \\
h_{t} &= o_{t} \odot \tanh{\left(c_{t} \right)}
\end{aligned}

The 1997 cell has no forget gate, so the old memory passes with weight exactly 1:

>>> print(make_cell("lstm1997").step().rule("c").display)
c_{t} &= c_{t-1} + i_{t} \odot g_{t}
"""

from __future__ import annotations

from ..errors import LstmsymError, UnknownChoiceError
from .base import Builder, Cell, affine_parameters
from .registry import register_cell

READOUTS = ("tanh", "sigmoid", "identity", "dense")

# switch name -> default; the order here is the order they print in
DEFAULTS: dict[str, object] = {
    "readout": "tanh",
    "input_gate": True,
    "forget_gate": True,
    "output_gate": True,
    "coupled": False,
    "peephole": False,
}


@register_cell(
    "lstm",
    reference="lstmsym.numerics.reference.lstm",
    batched="lstmsym.training.batched_lstm",
    switches=DEFAULTS,
)
class LSTM(Cell):
    """LSTM cell with switches for readout, gates, coupling and peepholes (Greff et al. 2017 variants)."""

    kind = "lstm"
    state_names = ("c", "h")

    def __init__(self, n: int = 1, m: int = 1, **switches: object) -> None:
        super().__init__(n, m)
        unknown = set(switches) - set(DEFAULTS)
        if unknown:
            raise UnknownChoiceError("switch", sorted(unknown)[0], DEFAULTS)
        opts = {**DEFAULTS, **switches}
        if opts["readout"] not in READOUTS:
            raise UnknownChoiceError("readout", opts["readout"], READOUTS)
        for name in DEFAULTS:
            if name != "readout" and not isinstance(opts[name], bool):
                raise LstmsymError(f"{name} must be True or False, got {opts[name]!r}")
        if opts["coupled"] and not (opts["input_gate"] and opts["forget_gate"]):
            raise LstmsymError(
                "coupled=True ties the forget gate to the input gate (f = 1 - i), so it needs "
                "input_gate=True and forget_gate=True"
            )
        self._options = opts

    @property
    def options(self) -> dict[str, object]:
        return dict(self._options)

    @property
    def title(self) -> str:  # type: ignore[override]
        changed = [f"{k}={v}" for k, v in self._options.items() if DEFAULTS[k] != v]
        return "LSTM" + (f" ({', '.join(changed)})" if changed else "")

    def __repr__(self) -> str:
        implied = {"forget_gate": False} if self.registry_name == "lstm1997" else {}
        opts = "".join(
            f", {k}={v!r}" for k, v in self._options.items() if DEFAULTS[k] != v and implied.get(k) != v
        )
        return f"make_cell({self.registry_name!r}, n={self.n}, m={self.m}{opts})"

    def _has(self, gate: str) -> bool:
        """Whether gate i, f or o has weights of its own (a coupled f is computed from i)."""
        o = self._options
        return {
            "i": o["input_gate"],
            "f": o["forget_gate"] and not o["coupled"],
            "o": o["output_gate"],
            "g": True,
        }[gate]

    @property
    def parameters(self) -> dict[str, tuple[str, ...]]:  # type: ignore[override]
        shapes = affine_parameters(*(gate for gate in "ifgo" if self._has(gate)))
        if self._options["peephole"]:
            for gate in "ifo":
                if self._has(gate):
                    shapes[f"p_{gate}"] = ("n",)  # diagonal peephole weight on the cell state
        if self._options["readout"] == "dense":
            shapes.update({"W_y": ("n", "n"), "U_y": ("n", "m"), "V_y": ("n", "n"), "b_y": ("n",)})
        return shapes

    def declare(self, b: Builder) -> None:
        opts = self._options
        c_prev = b.prev("c")

        def peep(gate, c):
            return b.param(f"p_{gate}") * c if opts["peephole"] else None

        i = f = o = None
        if self._has("i"):
            i = b.gate("i", b.affine("i", peep("i", c_prev)), "sigmoid", "write / input gate")
        if opts["coupled"]:
            f = b.gate("f", 1 - i, None, "keep gate, coupled: f = 1 - i")
        elif self._has("f"):
            f = b.gate("f", b.affine("f", peep("f", c_prev)), "sigmoid", "keep / forget gate")
        g = b.gate("g", b.affine("g"), "tanh", "candidate memory")
        kept = f * c_prev if f is not None else c_prev  # keep gate: how much of the old memory survives
        written = i * g if i is not None else g  # write gate: how much of the candidate goes in
        c = b.state("c", kept + written, None, "memory (cell state): the additive update")
        if self._has("o"):
            o = b.gate("o", b.affine("o", peep("o", c)), "sigmoid", "read / output gate")
        if opts["readout"] == "dense":
            pre = b.param("W_y") @ b.prev("h") + b.param("U_y") @ b.x() + b.param("V_y") @ c + b.param("b_y")
            read = b.intermediate("y", pre, "tanh", "dense readout layer over [x_t; h_{t-1}; c_t]")
        else:
            read = c.apply(opts["readout"])
        b.state("h", o * read if o is not None else read, None, "hidden state")


@register_cell(
    "lstm1997", reference="lstmsym.numerics.reference.lstm", batched="lstmsym.training.batched_lstm",
    switches={k: v for k, v in DEFAULTS.items() if k != "forget_gate"},
)
class LSTM1997(LSTM):
    """The 1997 LSTM: no forget gate (f ≡ 1), so the old memory passes with weight exactly 1.

    The structure of the 1997 cell with today's squashing: tanh for the candidate and the readout (the paper
    used scaled sigmoids, g ∈ [-2, 2] and h ∈ [-1, 1]). Its derivatives here are those of full
    backpropagation through time; the paper's truncated gradient, in which only the carousel carries error
    across steps, is asked for with ``gradient="truncated"`` in :mod:`lstmsym.numerics.reference` and in
    the trainer. It is not Greff et al.'s NFG variant, which removes the forget gate from a cell that keeps
    its peepholes.
    """

    def __init__(self, n: int = 1, m: int = 1, **switches: object) -> None:
        if switches.get("forget_gate", False) is not False:
            raise LstmsymError("lstm1997 is the LSTM without a forget gate; drop forget_gate=True")
        super().__init__(n, m, **{**switches, "forget_gate": False})
