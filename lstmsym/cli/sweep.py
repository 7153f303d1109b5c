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
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..cells import Cell
from ..errors import LstmsymError
from ..experiments.sweeps import sample_run
from ..numerics import reference
from ..numerics.reference import lag_jacobian_norms
from .cells import add_cell_options, cell_from_args
from .options import finite, plot_format, positive, whole, writable_file
from .progress import Progress, duration

#: Default budgets: memory the sweep may allocate (GB) and the time it may take (seconds).
MAX_MEMORY_GB = 2.0
MAX_SECONDS = 600.0

EXAMPLES = """\
examples:
  # ‖∂c_T/∂c_k‖ of the LSTM, n = 4, T = 100: total and direct path, CSV on stdout
  lstmsym sweep --cell lstm --n 4 --steps 100
  # the RNN for comparison, as JSON, with a plot
  lstmsym sweep --cell rnn --n 4 --steps 100 --format json --output rnn.json --plot rnn.png
  # a long lag: log10 of the spectral norm, keep gate biased towards keeping (b_f = 3)
  lstmsym sweep --cell lstm --n 8 --steps 5000 --log10 --ord 2 --forget-bias 3 --output long.csv

The rows go from lag 0 (k = T, the identity) to lag T (k = 0).

Before it starts, the sweep estimates the memory it will allocate and the time it will take, and
refuses a request beyond --max-memory (default 2 GB) or --max-seconds (default 600 s) with the
estimate; raise them to go ahead. Memory grows with T (the trajectory is kept for the backward
sweep: about 3 KB a step for the LSTM at n = 4) and with n² (the Jacobians).
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
    sweep.add_argument(
        "--steps", type=whole(1), default=100, metavar="T", help="sequence length (default: 100)"
    )
    sweep.add_argument(
        "--of", choices=("c", "h"), help="a in ∂a_T/∂b_k (default: c if the cell has it, else h)"
    )
    sweep.add_argument("--wrt", choices=("c", "h"), help="b in ∂a_T/∂b_k (default: the same as --of)")
    sweep.add_argument("--path", choices=PATH_CHOICES, default="both", help="(default: both)")
    sweep.add_argument("--ord", choices=tuple(ORDS), default="fro", help="fro or 2 (spectral); default fro")
    sweep.add_argument("--log10", action="store_true", help="report log10 of the norms (for long lags)")
    sweep.add_argument("--seed", type=whole(0), default=0, help="random seed, >= 0 (default: 0)")
    sweep.add_argument(
        "--scale", type=positive, help="weights ~ N(0, scale²) (default: U(±1/sqrt(n)), as PyTorch)"
    )
    sweep.add_argument("--forget-bias", type=finite, default=1.0, help="keep-gate bias b_f (default: 1)")
    budget = parser.add_argument_group("budget (checked before the sweep starts)")
    budget.add_argument(
        "--max-memory",
        type=positive,
        default=MAX_MEMORY_GB,
        metavar="GB",
        help=f"refuse a sweep estimated to allocate more (default: {MAX_MEMORY_GB:g} GB)",
    )
    budget.add_argument(
        "--max-seconds",
        type=positive,
        default=MAX_SECONDS,
        metavar="S",
        help=f"refuse a sweep estimated to take longer (default: {MAX_SECONDS:g} s)",
    )
    out = parser.add_argument_group("output")
    out.add_argument("--format", choices=("csv", "json"), default="csv", help="(default: csv)")
    out.add_argument("--output", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    out.add_argument(
        "--plot",
        type=Path,
        metavar="PNG",
        help="also draw the norms against lag into PNG (or .pdf, .svg: any format matplotlib writes)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    cell = cell_from_args(args)
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
    if args.output is not None:
        writable_file(args.output, "--output")
    if args.plot is not None:
        plot_format(args.plot)
        writable_file(args.plot, "--plot")
    cost = estimate(
        cell,
        args.steps,
        (of, wrt),
        paths,
        args.format,
        args.ord,
        args.forget_bias,
        args.scale,
        max_bytes=args.max_memory * 1e9,
    )
    check_budget(cell, args.steps, cost, args.max_memory, args.max_seconds)
    with Progress("lstmsym sweep", expected_seconds=cost.seconds).ticking():
        params, xs = sample_run(cell, args.steps, args.seed, args.forget_bias, args.scale)  # as sweeps draw
        columns = {
            path: lag_jacobian_norms(
                cell,
                params,
                xs,
                block=(of, wrt),
                direct=path == "direct",
                ord=ORDS[args.ord],
                log10=args.log10,
            )[::-1]  # index = lag T - k
            for path in paths
        }
        del params, xs
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
        if args.plot is not None:
            plot(args.plot, meta, columns)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    if args.plot is not None:
        print(f"wrote {args.plot}", file=sys.stderr)
    return 0


# -- the budget ----------------------------------------------------------------------------------
#: Steps of the timing probe: long enough to time, short enough to cost a fraction of a second.
PROBE_STEPS = 256
#: Rows of the output probe (CSV or JSON text, measured per row).
PROBE_ROWS = 1000


@dataclass(frozen=True)
class Estimate:
    """What a sweep will cost: bytes it allocates at its peak and seconds it takes (both estimates).

    ``seconds`` is None when the memory alone is over the budget, so the time was not probed.
    """

    bytes: int
    seconds: float | None

    def describe(self) -> str:
        if self.seconds is None:
            return f"at least {_size(self.bytes)} of memory"
        return f"about {_size(self.bytes)} of memory and {duration(self.seconds)}"


def _size(nbytes: float) -> str:
    """'512 MB', '3.2 GB', '1.5e+03 TB': decimal units, two or three significant digits."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= scale:
            value = nbytes / scale
            return f"{value:.3g} {unit}" if value < 1000 else f"{value:.2g} {unit}"
    return f"{int(nbytes)} B"


def fixed_bytes(cell: Cell) -> int:
    """Memory that does not grow with T: parameters, and the (chunk of) Jacobians of the backward sweep.

    ``lag_jacobian_norms`` keeps 256 lags of the (n, n) block at a time and takes their norms, which
    makes a temporary of the same size at a time (|x|², or the SVD's work for the spectral norm);
    the step Jacobians and the running product are (N, N) and (n, N).
    """
    n, N = cell.n, len(cell.state_names) * cell.n
    params = sum(math.prod(shape) for shape in cell.param_shapes.values())
    return 8 * (params + 2 * 256 * n * n + 6 * N * N + 4 * n * N)


def step_bytes(cell: Cell, params: dict[str, np.ndarray]) -> int:
    """Memory per step of the forward pass the backward sweep keeps, from one real step.

    ``reference.forward`` keeps each step's record (a dict of (n,) arrays) until it has stacked them
    into (T, n) arrays; at that moment both exist. Then the inputs, norms and exponents.
    """
    traj = reference.forward(cell, params, np.zeros((1, cell.m)))
    record: dict[str, None] = {}
    for key in traj.cache:  # built key by key, as the step builds it
        record[key] = None
    array = sys.getsizeof(np.empty(cell.n))
    view = sys.getsizeof(np.empty(cell.n)[np.newaxis])
    N = len(cell.state_names) * cell.n
    per_record = sys.getsizeof(record) + len(traj.cache) * array + 8 * (1 + len(cell.state_names))
    stacked = 8 * (len(traj.cache) * cell.n + 2 * N)
    stacking = 2 * (view + 8)  # np.stack makes a list of one view per step while it stacks
    return per_record + stacked + stacking + 8 * cell.m + 3 * 8


def _output_probe(fmt: str, paths: tuple[str, ...]) -> tuple[int, float]:
    """Bytes and seconds per row of the CSV or JSON text, measured on PROBE_ROWS rows."""
    import tracemalloc

    columns = {path: np.geomspace(1.0, 1e-300, PROBE_ROWS) for path in paths}
    meta: dict[str, object] = {"T": PROBE_ROWS}
    start = time.perf_counter()
    tracemalloc.start()
    try:
        text = _json(meta, columns) if fmt == "json" else _csv(columns, False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    seconds = time.perf_counter() - start
    del text
    return peak // PROBE_ROWS + 1, seconds / PROBE_ROWS


def estimate(
    cell: Cell,
    T: int,
    block: tuple[str, str],
    paths: tuple[str, ...],
    fmt: str = "csv",
    ord: str = "fro",
    forget_bias: float = 1.0,
    scale: float | None = None,
    max_bytes: float = math.inf,
) -> Estimate:
    """The memory and time of a sweep of ``T`` steps, before running it.

    Memory: :func:`fixed_bytes` plus T times :func:`step_bytes` (one path's trajectory at a time,
    the finished columns kept), or the output text, whichever phase is larger. Time: a probe of up
    to PROBE_STEPS steps of the same computation (fewer when one step is slow; the fastest of three
    when it is quick), scaled to T steps and every path, plus the text; the plot is not counted.
    When the parameters and Jacobians alone exceed ``max_bytes``, nothing is allocated and the time
    is not probed (None).
    """
    fixed = fixed_bytes(cell)
    if fixed > max_bytes:
        return Estimate(bytes=fixed, seconds=None)
    params, xs = sample_run(cell, min(T, PROBE_STEPS), 0, forget_bias, scale)
    per_step = step_bytes(cell, params)
    out_bytes, out_seconds = _output_probe(fmt, paths)
    columns = 8 * len(paths) * (T + 1)
    peak = fixed + columns + max(per_step, out_bytes) * (T + 1)

    def probe(steps: int) -> float:
        start = time.perf_counter()
        lag_jacobian_norms(cell, params, xs[:steps], block=block, ord=ORDS[ord])
        return time.perf_counter() - start

    steps = 1
    while (seconds := probe(steps)) < 0.1 and steps < len(xs):  # 1, 4, 16, ... steps
        steps = min(4 * steps, len(xs))
    if seconds < 0.1:  # cheap: the fastest of three, less disturbed by other work on the machine
        seconds = min(seconds, probe(steps), probe(steps))
    return Estimate(bytes=int(peak), seconds=len(paths) * T * seconds / steps + T * out_seconds)


def check_budget(cell: Cell, T: int, cost: Estimate, max_memory_gb: float, max_seconds: float) -> None:
    """Refuse a sweep whose estimate exceeds the budget, with the estimate and the options that raise it."""
    over = []
    if cost.bytes > max_memory_gb * 1e9:
        over.append(("--max-memory", f"{max_memory_gb:g} GB"))
    if cost.seconds is not None and cost.seconds > max_seconds:
        over.append(("--max-seconds", f"{max_seconds:g} s"))
    if over:
        budget = " and ".join(f"{value} ({option})" for option, value in over)
        raise LstmsymError(
            f"a sweep of {T:,} steps of {cell!r} would take {cost.describe()}, over the budget of "
            f"{budget}; use fewer --steps or a smaller --n, or raise {' and '.join(o for o, _ in over)}"
        )


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
