"""Redraw time of each slider app (lstmsym.experiments.sliders): compute + draw + PNG, as a knob moves.

Run by hand, from the repository root:

    .venv/bin/python bench/sliders.py

For each app, with the defaults the notebooks use, the knobs are set to REDRAWS different values in turn
(each set is one redraw: the compute function, the drawing, the PNG put into the Output widget), without
a kernel and with matplotlib's Agg canvas. Printed: the median and the largest redraw time, and the median
of the compute part alone; wall-clock and CPU time (on a shared machine the wall-clock time grows with the
load, which is printed too). Target: each median well under 1 s.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ[_var] = "1"  # as in `make test` and `make notebooks`

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # lstmsym from this checkout, in any venv

from lstmsym.experiments import sliders  # noqa: E402

REDRAWS = 10


def redraw_times(app, moves):
    """Per (control, value) in moves: wall-clock and CPU seconds of the redraw that setting the control
    triggers, and CPU seconds of the compute function alone for the same knobs."""
    wall, cpu, compute = [], [], []
    for name, value in moves:
        start, start_cpu = time.perf_counter(), time.process_time()
        app.controls[name].value = value  # observe -> redraw: compute, draw, PNG
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        start_cpu = time.process_time()
        app._compute(app.knobs())
        compute.append(time.process_time() - start_cpu)
    return wall, cpu, compute


def main() -> None:
    cases = [
        (
            "pascanu_slider (01): n = 50, T = 100, 5 seeds",
            sliders.pascanu_slider,
            [("gamma_lambda1", v) for v in (0.5, 0.8, 1.2, 1.5, 0.55, 0.9, 1.1, 1.45, 0.7, 1.3)],
        ),
        (
            "keep_gate_slider (02): n = 4, T = 100, 5 seeds",
            sliders.keep_gate_slider,
            [("forget_bias", 0.0), ("wg_scale", 0.0), ("forget_bias", 2.0), ("wg_scale", 2.0)]
            + [("forget_bias", v) for v in (4.0, 6.0, 8.0, 10.0, 1.0, 0.5)],
        ),
        (
            "lag_sweep_slider (06): 6 cells, n = 8, T = 1000, 3 seeds (sweep computed once)",
            sliders.lag_sweep_slider,
            [("cell", c) for c in ("rnn", "gru", "dense_memory", "lstm coupled=True", "lstm1997")]
            + [("lag", lag) for lag in (1, 10, 300, 700, 1000)],
        ),
    ]
    for title, make, moves in cases:
        start = time.perf_counter()
        app = make()
        built = time.perf_counter() - start
        wall, cpu, compute = redraw_times(app, moves[:REDRAWS])
        print(
            f"{title}\n  build {built:.2f} s; redraw median {statistics.median(wall):.3f} s wall "
            f"(max {max(wall):.3f} s), {statistics.median(cpu):.3f} s CPU; "
            f"compute alone {statistics.median(compute):.3f} s CPU"
        )
    print(f"load average over the last minute: {os.getloadavg()[0]:.1f} (on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
