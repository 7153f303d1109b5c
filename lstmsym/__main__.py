"""``python -m lstmsym``: the same as the ``lstmsym`` command."""

from lstmsym.cli import main

if __name__ == "__main__":  # not when pytest imports this module to look for doctests
    raise SystemExit(main())
