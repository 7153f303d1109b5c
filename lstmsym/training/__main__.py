"""``python -m lstmsym.training``: run the success-vs-lag experiment and write its results.

Example (the committed ``results/long_lags.json``: every configuration, lags 10, 20, 50, 100, 200, 30 seeds)::

    python -m lstmsym.training --task sign --seeds 30 --workers 2 --out results/long_lags.json

The seeds of a configuration and lag train together (one group); the groups are spread over ``--workers``
processes. A progress line on stderr counts the runs; the results file (JSON) holds every run (its first
solved step, its gradient and lag balance before training, its history), the configurations, the budget, the
seeds, the wall and CPU time, the machine's load and the package versions.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from ..cells import cell_names
from ..cells.registry import CELL_FILE_OPTION, cell_files_in, load_cell_files
from ..errors import LstmsymError
from .experiment import CONFIGS, Budget, run_experiment, save_results
from .statistics import rate_grid, success_table
from .tasks import TASKS


def _lags(text: str) -> list[int]:
    try:
        lags = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--lags must be comma-separated whole numbers, got {text!r}"
        ) from None
    if not lags or min(lags) < 1:
        raise argparse.ArgumentTypeError(f"--lags must be whole numbers >= 1, got {text!r}")
    return lags


def _configs(text: str) -> list[str]:
    labels = [part.strip() for part in text.split(",") if part.strip()]
    known = [*CONFIGS, *(name for name in cell_names() if name not in CONFIGS)]  # a user's cells too
    unknown = [label for label in labels if label not in known]
    if unknown or not labels:
        raise argparse.ArgumentTypeError(f"unknown config(s) {unknown}; expected some of {known}")
    return labels


DESCRIPTION = "Train every cell on a long time-lag task; success rate vs lag."
EXAMPLES = """\
examples:
  lstmsym train --task sign --lags 10,20 --seeds 2 --steps 100 --workers 1 --out /tmp/quick.json  # seconds
  lstmsym train --task sign --seeds 30 --workers 2 --out results/long_lags.json   # the committed table
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lstmsym.training",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The experiment's options, shared by ``python -m lstmsym.training`` and ``lstmsym train``."""
    default = Budget()
    parser.add_argument("--task", choices=sorted(TASKS), default="sign")
    parser.add_argument(
        "--lags", type=_lags, default=[10, 20, 50, 100, 200], help="comma-separated, e.g. 10,20,50"
    )
    parser.add_argument("--seeds", type=int, default=30, help="seeds 0..SEEDS-1 per configuration and lag")
    parser.add_argument(
        "--configs",
        type=_configs,
        default=list(CONFIGS),
        help="comma-separated labels, from: " + ", ".join(CONFIGS),
    )
    parser.add_argument("--steps", type=int, default=default.steps, help="Adam steps per run (the budget)")
    parser.add_argument("--batch", type=int, default=default.batch)
    parser.add_argument("--lr", type=float, default=default.lr)
    parser.add_argument("--clip", type=float, default=default.clip, help="global-norm clipping threshold")
    parser.add_argument("--hidden", type=int, default=default.n, help="hidden size n")
    parser.add_argument("--noise", type=float, default=default.noise, help="noise std of the sign task")
    parser.add_argument("--workers", type=int, default=2, help="processes to run in parallel")
    parser.add_argument("--out", required=True, help="results file (JSON)")
    parser.add_argument(
        CELL_FILE_OPTION,
        action="append",
        metavar="PATH",
        help="a Python file that registers cells (@register_cell); their names become valid --configs "
        "labels, trained with biases 0 and full BPTT (repeatable)",
    )


def main(argv: list[str] | None = None) -> int:
    """Run the experiment the arguments describe; 0 on success, 2 on bad input."""
    shown = sys.argv[1:] if argv is None else list(argv)
    try:
        load_cell_files(cell_files_in(shown))  # a user's cells first: their names are --configs labels
    except LstmsymError as err:
        sys.stderr.write(f"python -m lstmsym.training: error: {err}\n")
        return 2
    args = build_parser().parse_args(argv)
    return run(args, command=" ".join(["python -m lstmsym.training", *shown]))


def run(
    args: argparse.Namespace,
    command: str,
    progress: Callable[[int, int, dict], None] | None = None,
    prog: str = "python -m lstmsym.training",
) -> int:
    """Run the experiment parsed into ``args``; ``command`` is recorded in the results' provenance.

    ``progress(done, total, run)`` is called after each run (``lstmsym train`` passes the command line's
    progress line); without it, a progress line is written to stderr when stderr is a terminal. Errors
    are reported as ``PROG: error: ...``.
    """
    budget = Budget(
        steps=args.steps, batch=args.batch, lr=args.lr, clip=args.clip, n=args.hidden, noise=args.noise
    )
    start = time.perf_counter()

    def own_progress(done: int, total: int, run: dict) -> None:
        outcome = f"solved at step {run['steps_taken']}" if run["solved"] else "not solved"
        sys.stderr.write(
            f"\r[{done}/{total}] {time.perf_counter() - start:6.0f} s  {run['config']} "
            f"T={run['T']} seed={run['seed']}: {outcome}".ljust(90)
        )
        sys.stderr.flush()

    if progress is None:
        progress = own_progress if sys.stderr.isatty() else None
    try:
        results = run_experiment(
            args.task, args.lags, args.seeds, args.configs, budget, workers=args.workers, progress=progress
        )
    except LstmsymError as err:
        sys.stderr.write(f"{prog}: error: {err}\n")
        return 2
    if progress is own_progress:
        sys.stderr.write("\n")
    results["provenance"]["command"] = command
    path = save_results(results, args.out)
    grid = rate_grid(success_table(results))  # rate [95% Wilson interval], configuration × lag
    print(grid.rename(columns=lambda T: f"T={T}").rename_axis(index=None, columns=None).to_string())
    print(
        f"wrote {path} ({results['wall_seconds']:.0f} s wall, {results['cpu_seconds']:.0f} s CPU, "
        f"load average {results['provenance']['load_average_start']} at the start)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
