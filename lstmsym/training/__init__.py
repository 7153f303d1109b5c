"""Training the cells on long time-lag tasks: batched BPTT, Adam with clipping, tasks, experiments.

Modules: :mod:`.batched` (forward and backward through time over a batch; one ``batched_<kind>`` module per
cell kind), :mod:`.readout` (linear readout and losses), :mod:`.optim` (Adam, global-norm clipping),
:mod:`.tasks` (the sign and adding tasks), :mod:`.loop` (one training run), :mod:`.experiment` (success
rate against lag), :mod:`.plots` and ``python -m lstmsym.training`` (the command that runs an experiment).
"""
