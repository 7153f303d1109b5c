import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # so tests can import variants.py

# Hypothesis profiles. "ci" (the default) runs the same derandomised cases on every run (derandomize=True
# also turns off the example database); "long" is for running by hand, e.g.
# HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_properties.py
import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, max_examples=200, deadline=None, print_blob=True)
settings.register_profile("long", max_examples=5000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
