"""``lstmsym train``: train every cell on a long time-lag task and write the success-vs-lag results.

The options are those of ``python -m lstmsym.training`` (:mod:`lstmsym.training.__main__`), which
this command shares rather than repeats.
"""

from __future__ import annotations

import argparse
import sys

from ..training.__main__ import DESCRIPTION, EXAMPLES, add_arguments
from ..training.__main__ import run as run_experiment
from .progress import Progress


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "train",
        help="train every cell on a long time-lag task (success rate vs lag)",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with Progress("lstmsym train") as bar:

        def report(done: int, total: int, run: dict) -> None:
            outcome = f"solved at step {run['steps_taken']}" if run["solved"] else "not solved"
            bar.update(done, total=total, note=f"{run['config']} T={run['T']} seed={run['seed']}: {outcome}")

        return run_experiment(
            args, command=" ".join(["lstmsym", *sys.argv[1:]]), progress=report, prog="lstmsym train"
        )
