"""Every cell and switch the tests are parametrised over, as (name, switches) pairs."""

VARIANTS = [
    ("rnn", {}),
    ("lstm", {}),
    ("lstm1997", {}),
    ("gru", {}),
    ("dense_memory", {}),
    ("lstm", {"readout": "sigmoid"}),
    ("lstm", {"readout": "identity"}),
    ("lstm", {"readout": "dense"}),
    ("lstm", {"input_gate": False}),
    ("lstm", {"output_gate": False}),
    ("lstm", {"coupled": True}),
    ("lstm", {"peephole": True}),
    ("lstm", {"peephole": True, "coupled": True}),
]


def variant_id(variant) -> str:
    name, switches = variant
    return name + "".join(f"-{k}={v}" for k, v in switches.items())
