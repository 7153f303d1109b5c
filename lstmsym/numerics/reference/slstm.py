"""xLSTM's sLSTM with one head, by hand, and its log-space stabiliser.

State ``(c, n, h)``; gates ``i, f, g, o``; params ``W_k (n, n), U_k (n, m), b_k (n,)`` for k = i, f, g, o;
option ``forget``: ``"sigmoid"`` (default) or ``"exp"``::

    a_k = W_k h_{t-1} + U_k x_t + b_k
    i_t = exp(a_i)                       ∂i/∂a_i = i
    f_t = σ(a_f)  or  exp(a_f)           ∂f/∂a_f = f(1 - f)  or  f
    g_t = tanh(a_g),  o_t = σ(a_o)
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    n_t = f_t ⊙ n_{t-1} + i_t
    h_t = o_t ⊙ c_t / n_t                ∂h/∂c = o/n, ∂h/∂n = -o c/n², ∂h/∂o = c/n

The direct Jacobian holds i, f, g, o: diag(f) on c and on n, 0 on h. :func:`forward_stabilised` runs the
same cell with the stabiliser m_t; the unstabilised :func:`step` overflows once a gate's preactivation
passes ~709 (exp), the stabilised one never exponentiates a positive number.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ...errors import LstmsymError
from .activations import dsigmoid, dtanh, sigmoid, tanh

Array = np.ndarray
STATE_NAMES = ("c", "n", "h")
FORGET_GATES = ("sigmoid", "exp")


def _forget(options: Mapping[str, object]) -> str:
    forget = options.get("forget", "sigmoid")
    unknown = set(options) - {"forget"}
    if unknown:
        raise ValueError(f"unknown slstm option(s) {sorted(unknown)}; expected some of ['forget']")
    if forget not in FORGET_GATES:
        raise ValueError(f"forget={forget!r} is not valid; expected one of: 'sigmoid', 'exp'")
    return str(forget)


def gate_names(options: Mapping[str, object]) -> tuple[str, ...]:
    """Gates g, i, f, o (always all four; the paper's order z, i, f, o)."""
    _forget(options)
    return ("g", "i", "f", "o")


def _preact(params: Mapping[str, Array], k: str, h_prev: Array, x: Array) -> Array:
    return params[f"W_{k}"] @ h_prev + params[f"U_{k}"] @ x + params[f"b_{k}"]


def step(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
         prev: Mapping[str, Array]) -> dict[str, Array]:
    """One unstabilised step: c_t, n_t, h_t, the gates, their preactivations ``a_k`` and slopes ``dk_da``."""
    forget = _forget(options)
    h_prev = prev["h"]
    rec: dict[str, Array] = {f"a_{k}": _preact(params, k, h_prev, x) for k in "ifgo"}
    with np.errstate(over="ignore"):                # an overflow shows as inf, as the unstabilised cell has
        rec["i"] = i = np.exp(rec["a_i"])  # it
    rec["di_da"] = i                                # ∂exp(a)/∂a = exp(a)
    if forget == "exp":
        with np.errstate(over="ignore"):
            rec["f"] = f = np.exp(rec["a_f"])
        rec["df_da"] = f
    else:
        rec["f"] = f = sigmoid(rec["a_f"])
        rec["df_da"] = dsigmoid(f)
    rec["g"] = g = tanh(rec["a_g"])
    rec["dg_da"] = dtanh(g)
    rec["o"] = o = sigmoid(rec["a_o"])
    rec["do_da"] = dsigmoid(o)
    with np.errstate(over="ignore", invalid="ignore"):
        rec["c"] = c = f * prev["c"] + i * g
        rec["n"] = n = f * prev["n"] + i
        rec["h"] = o * c / n
    return rec


def jacobian(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
             prev: Mapping[str, Array], rec: Mapping[str, Array], direct: bool = False) -> Array:
    """∂[c; n; h]_t/∂[c; n; h]_{t-1}, (3n, 3n), by pushing tangents (n, 3n) through ``step``'s lines."""
    size = len(rec["c"])
    eye, zero = np.eye(size), np.zeros((size, size))
    Tc_prev, Tn_prev = np.hstack([eye, zero, zero]), np.hstack([zero, eye, zero])
    i, f, g, o, c, n = (rec[k] for k in ("i", "f", "g", "o", "c", "n"))
    T = {}
    for k in "ifgo":                                # a_k reads h_{t-1} through W_k; held on the direct path
        T[k] = np.zeros((size, 3 * size)) if direct else np.hstack(
            [zero, zero, rec[f"d{k}_da"][:, None] * params[f"W_{k}"]])
    Tc = f[:, None] * Tc_prev + prev["c"][:, None] * T["f"] + i[:, None] * T["g"] + g[:, None] * T["i"]
    Tn = f[:, None] * Tn_prev + prev["n"][:, None] * T["f"] + T["i"]
    Th = (c / n)[:, None] * T["o"] + (o / n)[:, None] * Tc - (o * c / n**2)[:, None] * Tn
    return np.vstack([Tc, Tn, Th])


def vjp(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
        prev: Mapping[str, Array], rec: Mapping[str, Array], ds: Mapping[str, Array],
        dparams: dict[str, Array]) -> tuple[dict[str, Array], Array]:
    """Pull the cotangents of (c_t, n_t, h_t) back through one step; adds parameter gradients into
    ``dparams``; returns (cotangents of the previous state, cotangent of x_t)."""
    i, f, g, o, c, n = (rec[k] for k in ("i", "f", "g", "o", "c", "n"))
    dh = ds["h"]
    do = dh * c / n                                 # h = o c / n
    dc = ds["c"] + dh * o / n
    dn = ds["n"] - dh * o * c / n**2
    dc_prev, df, di, dg = f * dc, prev["c"] * dc, g * dc, i * dc    # c = f c_{t-1} + i g
    dn_prev = f * dn                                # n = f n_{t-1} + i
    df = df + prev["n"] * dn
    di = di + dn
    dh_prev = np.zeros_like(dh)
    dx = np.zeros(params["U_i"].shape[1])
    for k, dk in (("i", di), ("f", df), ("g", dg), ("o", do)):
        da = dk * rec[f"d{k}_da"]
        dparams[f"W_{k}"] += np.outer(da, prev["h"])
        dparams[f"U_{k}"] += np.outer(da, x)
        dparams[f"b_{k}"] += da
        dh_prev += params[f"W_{k}"].T @ da
        dx += params[f"U_{k}"].T @ da
    return {"c": dc_prev, "n": dn_prev, "h": dh_prev}, dx


@dataclass(frozen=True)
class Stabilised:
    """A stabilised run over T steps, rows t = 0..T: h, the ratio c/n, the stabiliser m, and the scaled
    states c̄ = e^{-m} c, n̄ = e^{-m} n that the stabilised recurrence carries."""

    h: Array
    ratio: Array
    m: Array
    c_bar: Array
    n_bar: Array


def _log_sigmoid(a: Array) -> Array:
    """log σ(a) = -log(1 + e^{-a}), without overflow for any a."""
    return -np.logaddexp(0.0, -a)


def forward_stabilised(params: Mapping[str, Array], xs: Array, state0: Mapping[str, Array] | None = None,
                       forget: str = "sigmoid", m0: Array | float | None = None) -> Stabilised:
    """Run the sLSTM with the log-space stabiliser (xLSTM)::

        m_t  = max(log f_t + m_{t-1}, log i_t)
        i'_t = exp(log i_t - m_t),  f'_t = exp(log f_t + m_{t-1} - m_t)
        c̄_t = f'_t c̄_{t-1} + i'_t g_t,  n̄_t = f'_t n̄_{t-1} + i'_t,  h_t = o_t c̄_t / n̄_t

    ``state0`` gives (c_0, n_0, h_0) in the unstabilised units (zeros by default); c̄_0 = e^{-m_0} c_0 and
    n̄_0 = e^{-m_0} n_0. ``m0=None`` (default) takes m_0 = log n_0 where n_0 > 0 (so n̄_0 = 1), m_0 = -inf
    where c_0 = n_0 = 0 (nothing stored yet: then m_1 = log i_1, i'_1 = 1 and n̄_1 = 1), and 0 elsewhere.
    Every exponent is ≤ 0, so nothing overflows; from a start with n̄_0 ≥ 1 or m_0 = -inf, n̄_t ≥ 1 at every
    step (one of f'_t, i'_t is 1), so c̄_t / n̄_t never divides by an underflowed 0. c̄_t = e^{-m_t} c_t and
    n̄_t = e^{-m_t} n_t, so h_t and c_t/n_t equal the unstabilised values.

    >>> import numpy as np
    >>> p = {f"{w}_{k}": np.zeros(s) for k in "ifgo" for w, s in (("W", (1, 1)), ("U", (1, 1)), ("b", (1,)))}
    >>> p["U_i"], p["U_g"] = np.array([[800.0]]), np.array([[1.0]])   # i_1 = e^800 overflows float64
    >>> run = forward_stabilised(p, np.array([[1.0]]))
    >>> float(run.m[1, 0]), bool(run.ratio[1, 0] == np.tanh(1.0))   # m_1 = log i_1; c/n = g_1
    (800.0, True)
    >>> float(run.m[0, 0]), float(run.n_bar[1, 0])     # nothing stored at the start: m_0 = -inf, n̄_1 = 1
    (-inf, 1.0)
    """
    _forget({"forget": forget})
    xs = np.asarray(xs, dtype=np.float64)
    size = params["b_i"].shape[0]
    state = {k: np.zeros(size) for k in STATE_NAMES}
    if state0 is not None:
        state = {k: np.asarray(state0[k], dtype=np.float64).reshape(size) for k in STATE_NAMES}
    if m0 is None:
        empty = (state["c"] == 0.0) & (state["n"] == 0.0)
        with np.errstate(divide="ignore"):
            m = np.where(state["n"] > 0.0, np.log(np.where(state["n"] > 0.0, state["n"], 1.0)),
                         np.where(empty, -np.inf, 0.0))
    else:
        m = np.broadcast_to(np.asarray(m0, dtype=np.float64), (size,)).copy()
        if not np.all(np.isfinite(m)):
            raise LstmsymError("m0 must be finite (or None: chosen from the initial state)")
    c_bar = np.where(np.isinf(m), 0.0, state["c"] * np.exp(-np.where(np.isinf(m), 0.0, m)))
    n_bar = np.where(np.isinf(m), 0.0, state["n"] * np.exp(-np.where(np.isinf(m), 0.0, m)))
    h = state["h"]
    with np.errstate(divide="ignore", invalid="ignore"):
        rows = {"h": [h], "ratio": [state["c"] / state["n"]], "m": [m], "c_bar": [c_bar], "n_bar": [n_bar]}
    for x in xs:
        a = {k: _preact(params, k, h, x) for k in "ifgo"}
        log_i = a["i"]
        log_f = a["f"] if forget == "exp" else _log_sigmoid(a["f"])
        m_new = np.maximum(log_f + m, log_i)
        i_s, f_s = np.exp(log_i - m_new), np.exp(log_f + m - m_new)
        g, o = tanh(a["g"]), sigmoid(a["o"])
        c_bar = f_s * c_bar + i_s * g
        n_bar = f_s * n_bar + i_s
        h = o * c_bar / n_bar
        m = m_new
        for key, value in (("h", h), ("ratio", c_bar / n_bar), ("m", m), ("c_bar", c_bar), ("n_bar", n_bar)):
            rows[key].append(value)
    return Stabilised(**{key: np.array(value) for key, value in rows.items()})
