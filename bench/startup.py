"""Start-up costs: ``import lstmsym`` in a fresh interpreter, and the wall time of make test's nbval part.

Run by hand, from the repository root:

    .venv/bin/python bench/startup.py

- import: ``import lstmsym`` timed inside a fresh subprocess (interpreter start-up excluded), median of RUNS;
  also whether matplotlib was imported with it (it must not be: plots import it only when they draw);
- nbval: ``python -m pytest notebooks -q`` in a subprocess, with the environment ``make test`` sets
  (MPLBACKEND=Agg, PYTHONHASHSEED=0, OPENBLAS_NUM_THREADS=1), wall time and pytest's summary line.

Target: import under 0.5 s.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 7
IMPORT = (
    "import sys, time; start = time.perf_counter(); import lstmsym; "
    "print(time.perf_counter() - start, 'matplotlib' in sys.modules)"
)


def main() -> None:
    times, matplotlib_loaded = [], set()
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, "-c", IMPORT], capture_output=True, text=True, check=True, cwd=ROOT
        )
        seconds, loaded = out.stdout.split()
        times.append(float(seconds))
        matplotlib_loaded.add(loaded)
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1"}
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "notebooks", "-q", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    wall = time.perf_counter() - start
    lines = [line for line in run.stdout.strip().splitlines() if line.strip()]
    summary = lines[-1] if lines else "(no output)"

    median = statistics.median(times)
    print(f"{'measurement':<44} {'time':>9}  notes")
    loaded = "/".join(sorted(matplotlib_loaded))
    label = f"import lstmsym (fresh process, median of {RUNS})"
    print(
        f"{label:<44} {median:>8.3f}s  min {min(times):.3f} s, max {max(times):.3f} s; matplotlib: {loaded}"
    )
    print(f"{'nbval: pytest notebooks -q':<44} {wall:>8.3f}s  {len(notebooks)} notebooks; {summary}")
    print()
    print(f"target: import under 0.5 s: {'met' if median < 0.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
