r"""LSTM and GRU weights as PyTorch and Keras store them: pack lstmsym's parameters, unpack theirs.

lstmsym names every gate block (``W_f``, ``U_f``, ``b_f``, ...; :doc:`docs/conventions.md`); the
libraries stack the blocks of all gates into one matrix, each in its own gate order, and keep two
biases where lstmsym keeps one. The four layouts, for hidden size n and input size m:

=================  ==========  ===========================================================
layout             gate order  arrays
=================  ==========  ===========================================================
torch nn.LSTM      i, f, g, o  ``weight_ih_l0`` (4n, m), ``weight_hh_l0`` (4n, n),
                               ``bias_ih_l0`` (4n,), ``bias_hh_l0`` (4n,)
torch nn.GRU       r, z, n     the same names, 3n rows; ``b_hn`` sits inside the reset product
Keras LSTM         i, f, c, o  ``kernel`` (m, 4n), ``recurrent_kernel`` (n, 4n), ``bias`` (4n,)
Keras GRU          z, r, h     ``kernel`` (m, 3n), ``recurrent_kernel`` (n, 3n), ``bias`` (2, 3n)
(reset_after=True)             (row 0 input bias, row 1 recurrent bias)
=================  ==========  ===========================================================

PyTorch multiplies column vectors (``W_ih x``), so its blocks are rows and lstmsym's ``U_i`` is a
block of ``weight_ih`` as it stands; Keras multiplies row vectors (``x @ kernel``), so its blocks
are columns and each is transposed: ``U_i = kernel[:, :n].T``. Only the sum of two biases acts in
a gate, so unpacking adds them (``b_i = b_ii + b_hi``); packing puts lstmsym's bias on the input
side and zeros on the recurrent side, so that unpack(pack(p)) returns p exactly. The one
exception is the GRU's candidate: PyTorch computes n_t = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
and Keras (reset_after=True) the same with its recurrent bias of the h block, so that bias is
lstmsym's ``d_n`` (inside the reset product), not part of ``b_n``. Both libraries' GRU keeps the
old state where z = 1, h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}, as lstmsym's does. The state orders
differ: PyTorch (h, c), Keras [h, c], lstmsym (c, h).

Which cells travel: the LSTM with all four gates, the tanh readout and no peepholes (what
nn.LSTM and keras.layers.LSTM compute), and the GRU. Other switches have no counterpart and are
refused. Multi-layer, bidirectional and projected (``proj_size``) torch modules are refused too:
an lstmsym cell is one layer in one direction.

Where this comes from: the PyTorch layouts from the nn.LSTM, nn.LSTMCell, nn.GRU and nn.GRUCell
documentation (equations, gate order in ``weight_ih_l[k]``, shapes); the Keras layouts from the
source of ``keras.layers.LSTMCell`` and ``GRUCell`` (Keras 3: ``build`` declares the shapes, ``call``
splits the columns in the order i, f, c, o and z, r, h and adds the recurrent bias of the h block
before the reset product). ``tests/test_layouts.py`` pins every layout by a small example written
from those equations, and compares trajectories and Jacobians with nn.LSTM and nn.GRU when torch
is installed.

>>> from lstmsym.cells import make_cell
>>> from lstmsym.numerics.params import init_params
>>> gru = make_cell("gru", n=2, m=3)
>>> params = init_params(gru, seed=0)
>>> state_dict = torch_state_dict(gru, params)
>>> {name: array.shape for name, array in state_dict.items()}
{'weight_ih_l0': (6, 3), 'weight_hh_l0': (6, 2), 'bias_ih_l0': (6,), 'bias_hh_l0': (6,)}
>>> back = params_from_torch(gru, state_dict)
>>> all((back[name] == params[name]).all() for name in params)
True
>>> {name: array.shape for name, array in keras_weights(gru, params).items()}
{'kernel': (3, 6), 'recurrent_kernel': (2, 6), 'bias': (2, 6)}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..cells.base import Cell
from ..errors import LstmsymError
from .params import as_real_array, check_params

#: PyTorch's order of the LSTM gate blocks (lstmsym's g is torch's g and Keras' c).
TORCH_GATE_ORDER = ("i", "f", "g", "o")
#: PyTorch's order of the GRU gate blocks: reset, update, new (candidate).
TORCH_GRU_GATE_ORDER = ("r", "z", "n")
#: Keras' order of the LSTM blocks, in lstmsym's names (Keras calls the candidate c).
KERAS_GATE_ORDER = ("i", "f", "g", "o")
#: Keras' order of the GRU blocks, in lstmsym's names (Keras calls the candidate h).
KERAS_GRU_GATE_ORDER = ("z", "r", "n")
#: The names of one layer's arrays in a torch state_dict: nn.LSTM / nn.GRU add the suffix ``_l0``.
TORCH_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
KERAS_NAMES = ("kernel", "recurrent_kernel", "bias")

_STANDARD_LSTM = {
    "readout": "tanh",
    "input_gate": True,
    "forget_gate": True,
    "output_gate": True,
    "coupled": False,
    "peephole": False,
}


def _kind(cell: Cell) -> str:
    """'lstm' or 'gru' for the cells the libraries compute; refuse every other cell or switch."""
    if not isinstance(cell, Cell):
        raise LstmsymError(f"cell must be an lstmsym cell (make_cell(...)), got {type(cell).__name__}")
    if cell.kind == "gru":
        return "gru"
    if cell.kind == "lstm" and dict(cell.options) == _STANDARD_LSTM:
        return "lstm"
    if cell.kind == "lstm":
        changed = {k: v for k, v in cell.options.items() if _STANDARD_LSTM.get(k) != v}
        raise LstmsymError(
            f"PyTorch's and Keras' LSTM have all four gates, the tanh readout and no peepholes; {cell!r} "
            f"differs in {changed}"
        )
    raise LstmsymError(f"packed layouts exist for make_cell('lstm') and make_cell('gru'), not {cell!r}")


def _order(cell: Cell, library: str) -> tuple[str, ...]:
    kind = _kind(cell)
    if library == "torch":
        return TORCH_GATE_ORDER if kind == "lstm" else TORCH_GRU_GATE_ORDER
    return KERAS_GATE_ORDER if kind == "lstm" else KERAS_GRU_GATE_ORDER


def _array(name: str, value: object, shape: tuple[int, ...], origin: str) -> np.ndarray:
    """``value`` (a NumPy array, a list, or a torch tensor) as float64 of ``shape``."""
    if hasattr(value, "detach"):  # a torch tensor, possibly requiring grad or on a GPU: no torch import
        value = value.detach().cpu().numpy()
    arr = as_real_array(name, value, "parameter")
    if arr.shape != shape:
        raise LstmsymError(f"{origin} {name!r} has shape {arr.shape}; expected {shape}")
    return arr


def _blocks(
    cell: Cell, order: tuple[str, ...], weight_x: np.ndarray, weight_h: np.ndarray, bias: np.ndarray
) -> dict[str, np.ndarray]:
    """lstmsym's named parameters from gate-stacked (rows) input weights, recurrent weights and bias."""
    n = cell.n
    out: dict[str, np.ndarray] = {}
    for j, g in enumerate(order):
        rows = slice(j * n, (j + 1) * n)
        out.update({f"U_{g}": weight_x[rows], f"W_{g}": weight_h[rows], f"b_{g}": bias[rows]})
    return {name: np.ascontiguousarray(value) for name, value in out.items()}


def _stack(p: Mapping[str, np.ndarray], order: tuple[str, ...], letter: str) -> np.ndarray:
    return np.concatenate([p[f"{letter}_{g}"] for g in order])


# -- PyTorch ---------------------------------------------------------------------------------------
def pack_lstm(cell: Cell, params: Mapping[str, object]) -> dict[str, np.ndarray]:
    """LSTM parameters as PyTorch packs them: gate blocks stacked in the order i, f, g, o, one bias.

    For a state_dict that ``nn.LSTM.load_state_dict`` takes, use :func:`torch_state_dict`.

    >>> from lstmsym.cells import make_cell
    >>> from lstmsym.numerics.params import init_params
    >>> cell = make_cell("lstm", n=2, m=1)
    >>> packed = pack_lstm(cell, init_params(cell, seed=0))
    >>> packed["weight_ih"].shape, packed["weight_hh"].shape, packed["bias"].shape
    ((8, 1), (8, 2), (8,))
    """
    if _kind(cell) != "lstm":
        raise LstmsymError(f"pack_lstm packs an LSTM; for {cell!r} use pack_gru")
    p = check_params(cell, params)
    return {
        "weight_ih": _stack(p, TORCH_GATE_ORDER, "U"),  # (4n, m)
        "weight_hh": _stack(p, TORCH_GATE_ORDER, "W"),  # (4n, n)
        "bias": _stack(p, TORCH_GATE_ORDER, "b"),  # (4n,)
    }


def unpack_lstm(
    cell: Cell, weight_ih: object, weight_hh: object, bias_ih: object = None, bias_hh: object = None
) -> dict[str, np.ndarray]:
    """Split PyTorch-packed LSTM weights (gate order i, f, g, o) into lstmsym's named parameters.

    PyTorch keeps two biases, ``bias_ih`` and ``bias_hh``; only their sum acts, so it becomes b_·.
    A bias left out counts as zeros (``bias=False`` modules have none).

    >>> from lstmsym.cells import make_cell
    >>> cell = make_cell("lstm", n=1, m=1)
    >>> p = unpack_lstm(cell, [[1], [2], [3], [4]], [[5], [6], [7], [8]], [1, 1, 1, 1], [0.5, 0, 0, 0])
    >>> p["U_i"], p["W_f"], p["b_i"], p["b_o"]
    (array([[1.]]), array([[6.]]), array([1.5]), array([1.]))
    """
    if _kind(cell) != "lstm":
        raise LstmsymError(f"unpack_lstm unpacks an LSTM; for {cell!r} use unpack_gru")
    w_ih, w_hh, b_ih, b_hh = _torch_arrays(cell, "", (weight_ih, weight_hh, bias_ih, bias_hh))
    out = _blocks(cell, TORCH_GATE_ORDER, w_ih, w_hh, b_ih + b_hh)
    return {name: out[name] for name in cell.param_shapes}


def pack_gru(cell: Cell, params: Mapping[str, object]) -> dict[str, np.ndarray]:
    """GRU parameters as PyTorch packs them: blocks in the order r, z, n, and two biases.

    ``bias_ih`` holds b_r, b_z, b_n; ``bias_hh`` is zero except its n block, which is lstmsym's
    d_n (torch's b_hn, inside the reset product).

    >>> from lstmsym.cells import make_cell
    >>> cell = make_cell("gru", n=1, m=1)
    >>> p = {"W_z": [[1.0]], "U_z": [[2.0]], "b_z": [3.0], "W_r": [[4.0]], "U_r": [[5.0]], "b_r": [6.0],
    ...      "W_n": [[7.0]], "U_n": [[8.0]], "b_n": [9.0], "d_n": [10.0]}
    >>> packed = pack_gru(cell, p)
    >>> packed["weight_hh"].ravel(), packed["bias_ih"], packed["bias_hh"]     # order r, z, n
    (array([4., 1., 7.]), array([6., 3., 9.]), array([ 0.,  0., 10.]))
    """
    if _kind(cell) != "gru":
        raise LstmsymError(f"pack_gru packs a GRU; for {cell!r} use pack_lstm")
    p = check_params(cell, params)
    zeros = np.zeros(cell.n)
    return {
        "weight_ih": _stack(p, TORCH_GRU_GATE_ORDER, "U"),  # (3n, m)
        "weight_hh": _stack(p, TORCH_GRU_GATE_ORDER, "W"),  # (3n, n)
        "bias_ih": _stack(p, TORCH_GRU_GATE_ORDER, "b"),  # (3n,)
        "bias_hh": np.concatenate([zeros, zeros, p["d_n"]]),  # (3n,): b_hn = d_n
    }


def unpack_gru(
    cell: Cell, weight_ih: object, weight_hh: object, bias_ih: object = None, bias_hh: object = None
) -> dict[str, np.ndarray]:
    """Split PyTorch-packed GRU weights (gate order r, z, n) into lstmsym's named parameters.

    b_r = b_ir + b_hr and b_z = b_iz + b_hz (their sums act); b_n = b_in, and d_n = b_hn, which
    PyTorch multiplies by the reset gate. A bias left out counts as zeros.

    >>> from lstmsym.cells import make_cell
    >>> cell = make_cell("gru", n=1, m=1)
    >>> p = unpack_gru(cell, [[5], [2], [8]], [[4], [1], [7]], [6, 3, 9], [0.5, 0.25, 10])
    >>> p["U_r"], p["W_z"], p["b_r"], p["b_z"], p["b_n"], p["d_n"]
    (array([[5.]]), array([[1.]]), array([6.5]), array([3.25]), array([9.]), array([10.]))
    """
    if _kind(cell) != "gru":
        raise LstmsymError(f"unpack_gru unpacks a GRU; for {cell!r} use unpack_lstm")
    w_ih, w_hh, b_ih, b_hh = _torch_arrays(cell, "", (weight_ih, weight_hh, bias_ih, bias_hh))
    n = cell.n
    out = _blocks(cell, TORCH_GRU_GATE_ORDER, w_ih, w_hh, b_ih + np.concatenate([b_hh[: 2 * n], np.zeros(n)]))
    out["d_n"] = b_hh[2 * n :]
    return {name: out[name] for name in cell.param_shapes}


def _torch_arrays(cell: Cell, suffix: str, values: Sequence[object]) -> list[np.ndarray]:
    """weight_ih, weight_hh, bias_ih, bias_hh checked against the cell (missing biases: zeros)."""
    rows = len(_order(cell, "torch")) * cell.n
    shapes = ((rows, cell.m), (rows, cell.n), (rows,), (rows,))
    out = []
    for name, value, shape in zip(TORCH_NAMES, values, shapes, strict=True):
        if value is None and name.startswith("bias"):
            out.append(np.zeros(shape))
        elif value is None:
            raise LstmsymError(f"parameter {name + suffix!r} is missing")
        else:
            out.append(_array(name + suffix, value, shape, "parameter"))
    return out


def torch_state_dict(cell: Cell, params: Mapping[str, object], suffix: str = "_l0") -> dict[str, np.ndarray]:
    """The cell's parameters under the names of a one-layer nn.LSTM or nn.GRU state_dict.

    ``module.load_state_dict({k: torch.tensor(v) for k, v in torch_state_dict(cell, p).items()})``
    loads them (for nn.LSTMCell and nn.GRUCell, ``suffix=""``). The bias goes to ``bias_ih``, and
    ``bias_hh`` is zero except the GRU's n block (d_n); :func:`params_from_torch` adds them back, so
    the round trip returns the parameters exactly.

    >>> from lstmsym.cells import make_cell
    >>> from lstmsym.numerics.params import init_params
    >>> cell = make_cell("lstm", n=3, m=2)
    >>> {k: v.shape for k, v in torch_state_dict(cell, init_params(cell, seed=0)).items()}
    {'weight_ih_l0': (12, 2), 'weight_hh_l0': (12, 3), 'bias_ih_l0': (12,), 'bias_hh_l0': (12,)}
    """
    if not isinstance(suffix, str) or suffix not in ("_l0", ""):
        raise LstmsymError(
            f"suffix must be '_l0' (nn.LSTM, nn.GRU) or '' (nn.LSTMCell, nn.GRUCell), got {suffix!r}"
        )
    if _kind(cell) == "gru":
        packed = pack_gru(cell, params)
    else:
        lstm = pack_lstm(cell, params)
        packed = {
            "weight_ih": lstm["weight_ih"],
            "weight_hh": lstm["weight_hh"],
            "bias_ih": lstm["bias"],
            "bias_hh": np.zeros_like(lstm["bias"]),
        }
    return {name + suffix: packed[name] for name in TORCH_NAMES}


def params_from_torch(cell: Cell, state_dict: Mapping[str, object]) -> dict[str, np.ndarray]:
    """lstmsym's parameters from a one-layer nn.LSTM / nn.GRU (or LSTMCell / GRUCell) state_dict.

    The values may be torch tensors (``module.state_dict()`` as it is) or NumPy arrays. The names
    with suffix ``_l0`` (nn.LSTM, nn.GRU) or without (the Cell modules) are recognised; a second
    layer, a reverse direction or a projection is refused. Biases are summed as in
    :func:`unpack_lstm` and :func:`unpack_gru`.
    """
    if not isinstance(state_dict, Mapping):
        raise LstmsymError(
            "state_dict must be a mapping from name to array (module.state_dict()), got "
            f"{type(state_dict).__name__}"
        )
    suffix = "_l0" if any(str(key).endswith("_l0") for key in state_dict) else ""
    expected = [name + suffix for name in TORCH_NAMES]
    unknown = [key for key in state_dict if key not in expected]
    if unknown:
        raise LstmsymError(
            f"state_dict entry {unknown[0]!r} is not one of {expected}: an lstmsym cell is one layer in one "
            "direction, without projection (num_layers=1, bidirectional=False, proj_size=0)"
        )
    values = [state_dict.get(name) for name in expected]
    w_ih, w_hh, b_ih, b_hh = _torch_arrays(cell, suffix, values)
    unpack = unpack_gru if _kind(cell) == "gru" else unpack_lstm
    return unpack(cell, w_ih, w_hh, b_ih, b_hh)


# -- Keras -----------------------------------------------------------------------------------------
def keras_weights(cell: Cell, params: Mapping[str, object]) -> dict[str, np.ndarray]:
    """The cell's parameters as keras.layers.LSTM / GRU (reset_after=True) hold them.

    ``layer.set_weights(list(keras_weights(cell, p).values()))`` loads them (the order is kernel,
    recurrent_kernel, bias). Keras multiplies row vectors, so each block is lstmsym's transposed:
    ``kernel[:, :n] = U_i.T``. The GRU's bias is (2, 3n): row 0 the input bias (b_z, b_r, b_n), row 1
    the recurrent bias, zero except its h block, which is d_n.

    >>> from lstmsym.cells import make_cell
    >>> cell = make_cell("lstm", n=1, m=1)
    >>> p = {f"{k}_{g}": [[float(j)]] if k != "b" else [float(j)]
    ...      for j, g in enumerate("ifgo") for k in "WUb"}
    >>> keras_weights(cell, p)["kernel"]                 # columns i, f, c, o
    array([[0., 1., 2., 3.]])
    """
    p = check_params(cell, params)
    order = _order(cell, "keras")
    kernel = np.concatenate([p[f"U_{g}"].T for g in order], axis=1)  # (m, kn)
    recurrent = np.concatenate([p[f"W_{g}"].T for g in order], axis=1)  # (n, kn)
    bias = _stack(p, order, "b")
    if _kind(cell) == "gru":
        zeros = np.zeros(cell.n)
        bias = np.stack([bias, np.concatenate([zeros, zeros, p["d_n"]])])  # (2, 3n)
    return {"kernel": kernel, "recurrent_kernel": recurrent, "bias": bias}


def params_from_keras(cell: Cell, weights: Mapping[str, object] | Sequence[object]) -> dict[str, np.ndarray]:
    """lstmsym's parameters from a Keras LSTM or GRU layer's weights.

    ``weights`` is ``layer.get_weights()`` (the list kernel, recurrent_kernel, bias) or a mapping with
    those names. For the GRU only reset_after=True (Keras' default, bias (2, 3n)) is lstmsym's cell;
    a (3n,) bias, reset_after=False, applies the reset before the product and is refused.
    """
    if isinstance(weights, Mapping):
        unknown = [key for key in weights if key not in KERAS_NAMES]
        if unknown:
            raise LstmsymError(f"Keras weight {unknown[0]!r} is not one of {list(KERAS_NAMES)}")
        values = [weights.get(name) for name in KERAS_NAMES]
    elif isinstance(weights, Sequence) and not isinstance(weights, str) and len(weights) in (2, 3):
        values = [*weights, None][:3]
    else:
        raise LstmsymError(
            "weights must be layer.get_weights() ([kernel, recurrent_kernel, bias]) or a mapping with "
            f"those names, got {type(weights).__name__}"
        )
    order = _order(cell, "keras")
    n, cols = cell.n, len(order) * cell.n
    kernel = _array("kernel", values[0], (cell.m, cols), "Keras weight")
    recurrent = _array("recurrent_kernel", values[1], (n, cols), "Keras weight")
    gru = _kind(cell) == "gru"
    if values[2] is None:
        bias, recurrent_bias = np.zeros(cols), np.zeros(cols)
    elif gru:
        shape = np.shape(values[2]) if not hasattr(values[2], "detach") else tuple(values[2].shape)
        if shape == (cols,):
            raise LstmsymError(
                f"a GRU bias of shape ({cols},) is Keras' reset_after=False, which resets h before the "
                "product; lstmsym's GRU (and PyTorch's) resets after it: reset_after=True, bias (2, 3n)"
            )
        both = _array("bias", values[2], (2, cols), "Keras weight")
        bias, recurrent_bias = both[0], both[1]
    else:
        bias, recurrent_bias = _array("bias", values[2], (cols,), "Keras weight"), np.zeros(cols)
    if gru:  # z and r: the sums act; the h block's recurrent bias is d_n, inside the reset product
        summed = bias + np.concatenate([recurrent_bias[: 2 * n], np.zeros(n)])
        out = _blocks(cell, order, kernel.T, recurrent.T, summed)
        out["d_n"] = recurrent_bias[2 * n :]
    else:
        out = _blocks(cell, order, kernel.T, recurrent.T, bias)
    return {name: out[name] for name in cell.param_shapes}


__all__ = [
    "KERAS_GATE_ORDER",
    "KERAS_GRU_GATE_ORDER",
    "TORCH_GATE_ORDER",
    "TORCH_GRU_GATE_ORDER",
    "keras_weights",
    "pack_gru",
    "pack_lstm",
    "params_from_keras",
    "params_from_torch",
    "torch_state_dict",
    "unpack_gru",
    "unpack_lstm",
]
