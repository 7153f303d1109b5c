"""The errors lstmsym raises, each naming what was wrong and what was expected.

All of them derive from :class:`LstmsymError`, which is a :class:`ValueError`, so
``except ValueError`` catches every input mistake.
"""


class LstmsymError(ValueError):
    """Base class for every input error raised by lstmsym."""


class UnknownChoiceError(LstmsymError):
    """A name (cell kind, switch, notation, ...) that is not among the valid choices."""

    def __init__(self, parameter: str, value: object, choices) -> None:
        self.parameter, self.value, self.choices = parameter, value, tuple(choices)
        listed = ", ".join(repr(c) for c in self.choices)
        super().__init__(f"{parameter}={value!r} is not valid; expected one of: {listed}")


class ExpansionTooLargeError(LstmsymError):
    """A symbolic request that would take too long to build; the message names the form that works."""


class DeclarationError(LstmsymError):
    """A cell declaration that cannot work: a rule reading a quantity not yet defined (or a later one),
    a state never updated, a parameter of the wrong shape, a clashing name; the message names the rule."""
