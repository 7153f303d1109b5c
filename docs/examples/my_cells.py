"""Two cells a student might propose, declared outside the package (see docs/your_own_cell.md).

Load them with ``lstmsym.cells.load_cell_file("docs/examples/my_cells.py")`` or on the command line with
``lstmsym check --cell-file docs/examples/my_cells.py decay_carousel reset_gru``.
"""

from lstmsym.cells import Cell, affine_parameters, register_cell


@register_cell("decay_carousel")
class DecayCarousel(Cell):
    """Carousel with a learned decay: c_t = f ⊙ c_{t-1} + i_t ⊙ g_t, f = σ(b_f) learned, not input-driven."""

    state_names = ("c", "h")
    parameters = {**affine_parameters("i", "g", "o"), "b_f": ("n",)}

    def declare(self, b):
        i = b.gate("i", b.affine("i"), "sigmoid", "write gate")
        g = b.gate("g", b.affine("g"), "tanh", "candidate memory")
        f = b.gate("f", b.param("b_f"), "sigmoid", "learned decay, one per unit (a keep gate without inputs)")
        c = b.state("c", f * b.prev("c") + i * g, meaning="memory")
        o = b.gate("o", b.affine("o"), "sigmoid", "read gate")
        b.state("h", o * c.apply("tanh"), meaning="hidden state")


@register_cell("reset_gru")
class ResetGRU(Cell):
    """GRU whose reset gate acts on the memory: h_t = (1 - z_t) ⊙ n_t + z_t ⊙ r_t ⊙ h_{t-1}."""

    state_names = ("h",)
    parameters = affine_parameters("z", "r", "n")

    def declare(self, b):
        z = b.gate("z", b.affine("z"), "sigmoid", "update gate: how much of the memory is kept")
        r = b.gate("r", b.affine("r"), "sigmoid", "reset gate, on the kept memory")
        n = b.gate("n", b.affine("n"), "tanh", "candidate state")
        b.state("h", (1 - z) * n + z * r * b.prev("h"), meaning="hidden state")
