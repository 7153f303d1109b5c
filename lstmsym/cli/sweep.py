"""``lstmsym sweep``: how the norm of ∂a_T/∂b_k changes with the lag T - k, as CSV or JSON, and a plot.

Random weights (seeded, :func:`lstmsym.numerics.params.init_params`) and a random input sequence;
the norms come from the NumPy reference (:func:`lstmsym.numerics.reference.lag_jacobian_norms`),
fast for long sequences and wide cells. ``--log10`` reports log10 of the norms, which stays finite
where the norms themselves underflow (lags in the thousands).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from pathlib import Path

import numpy as np

from ..errors import LstmsymError
from ..experiments.sweeps import sample_run
from ..numerics.reference import lag_jacobian_norms
from .cells import add_cell_options, cell_from_args

EXAMPLES = """\
examples:
  # ‖∂c_T/∂c_k‖ of the LSTM, n = 4, T = 100: total and direct path, CSV on stdout
  lstmsym sweep --cell lstm --n 4 --steps 100
  # the RNN for comparison, as JSON, with a plot
  lstmsym sweep --cell rnn --n 4 --steps 100 --format json --output rnn.json --plot rnn.png
  # a long lag: log10 of the spectral norm, keep gate biased towards keeping (b_f = 3)
  lstmsym sweep --cell lstm --n 8 --steps 5000 --log10 --ord 2 --forget-bias 3 --output long.csv

The rows go from lag 0 (k = T, the identity) to lag T (k = 0).
"""

PATH_CHOICES = ("both", "total", "direct")
ORDS = {"fro": "fro", "2": 2}


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "sweep",
        help="gradient norms against lag as CSV or JSON, with an optional PNG plot",
        description="Norms of ∂a_T/∂b_k for k = T..0 along one random trajectory.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_cell_options(parser, default_n=4)
    sweep = parser.add_argument_group("sweep")
    sweep.add_argument("--steps", type=int, default=100, metavar="T", help="sequence length (default: 100)")
    sweep.add_argument(
        "--of", choices=("c", "h"), help="a in ∂a_T/∂b_k (default: c if the cell has it, else h)"
    )
    sweep.add_argument("--wrt", choices=("c", "h"), help="b in ∂a_T/∂b_k (default: the same as --of)")
    sweep.add_argument("--path", choices=PATH_CHOICES, default="both", help="(default: both)")
    sweep.add_argument("--ord", choices=tuple(ORDS), default="fro", help="fro or 2 (spectral); default fro")
    sweep.add_argument("--log10", action="store_true", help="report log10 of the norms (for long lags)")
    sweep.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    sweep.add_argument(
        "--scale", type=float, help="weights ~ N(0, scale²) (default: U(±1/sqrt(n)), as PyTorch)"
    )
    sweep.add_argument("--forget-bias", type=float, default=1.0, help="keep-gate bias b_f (default: 1)")
    out = parser.add_argument_group("output")
    out.add_argument("--format", choices=("csv", "json"), default="csv", help="(default: csv)")
    out.add_argument("--output", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    out.add_argument("--plot", type=Path, metavar="PNG", help="also draw the norms against lag into PNG")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    cell = cell_from_args(args)
    if args.steps < 1:
        raise LstmsymError(f"--steps must be >= 1, got {args.steps}")
    of = args.of or cell.state_names[0]
    wrt = args.wrt or of
    for option, name in (("--of", of), ("--wrt", wrt)):
        if name not in cell.state_names:
            raise LstmsymError(
                f"{option} {name}: the {cell.kind} cell's state is {', '.join(cell.state_names)}"
            )
    paths = ("total", "direct") if args.path == "both" else (args.path,)
    if "direct" in paths and of != wrt:
        raise LstmsymError("the direct path has no cross blocks (of != wrt); use --path total")
    params, xs = sample_run(cell, args.steps, args.seed, args.forget_bias, args.scale)  # as the sweeps draw
    columns = {
        path: lag_jacobian_norms(
            cell, params, xs, block=(of, wrt), direct=path == "direct", ord=ORDS[args.ord], log10=args.log10
        )[::-1]  # index = lag T - k
        for path in paths
    }
    meta = {
        "cell": repr(cell),
        "block": f"d{of}_T/d{wrt}_k",
        "T": args.steps,
        "ord": args.ord,
        "log10": args.log10,
        "seed": args.seed,
    }
    if "b_f" in cell.param_shapes:  # only cells with a keep gate of their own have the bias
        meta["forget_bias"] = args.forget_bias
    text = _json(meta, columns) if args.format == "json" else _csv(columns, args.log10)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    if args.plot is not None:
        plot(args.plot, meta, columns)
        print(f"wrote {args.plot}", file=sys.stderr)
    return 0


def _number(value: float) -> str:
    return f"{value:.6e}" if math.isfinite(value) else str(value)


def _csv(columns: dict[str, np.ndarray], log10: bool) -> str:
    prefix = "log10_" if log10 else ""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["lag", *(f"{prefix}{path}" for path in columns)])
    for lag in range(len(next(iter(columns.values())))):
        writer.writerow([lag, *(_number(float(col[lag])) for col in columns.values())])
    return buffer.getvalue()


def _json(meta: dict[str, object], columns: dict[str, np.ndarray]) -> str:
    def clean(value: float) -> float | None:  # JSON has no -inf (log10 of an exactly zero block)
        return float(f"{value:.6e}") if math.isfinite(value) else None

    lags = list(range(len(next(iter(columns.values())))))
    body = {**meta, "lag": lags, **{path: [clean(float(v)) for v in col] for path, col in columns.items()}}
    return (
        "{\n"
        + ",\n".join(f" {json.dumps(key)}: {json.dumps(value)}" for key, value in body.items())
        + "\n}\n"
    )


def plot(path: Path, meta: dict[str, object], columns: dict[str, np.ndarray]) -> None:
    """Norms against lag, log scale (or log10 values on a linear axis), into a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    lags = np.arange(len(next(iter(columns.values()))))
    for name, col in columns.items():
        ax.plot(lags, col, label=f"{name} path")
    norm = "‖·‖_F" if meta["ord"] == "fro" else "‖·‖_2"
    block = meta["block"]
    if meta["log10"]:
        ax.set_ylabel(f"log10 {norm} of {block}")
    else:
        ax.set_yscale("log")
        ax.set_ylabel(f"{norm} of {block}")
    ax.set_xlabel("lag T - k")
    ax.set_title(f"{meta['cell']}, T = {meta['T']}", fontsize=9)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
