"""Every cell and switch the tests run over: the package's own list, as (name, switches) pairs."""

from lstmsym.cells.variants import VARIANTS as NAMED

VARIANTS = list(NAMED.values())


def variant_id(variant) -> str:
    """The variant's name in lstmsym.cells.variants, e.g. "lstm-peephole-coupled"."""
    return next(name for name, value in NAMED.items() if value == variant)
