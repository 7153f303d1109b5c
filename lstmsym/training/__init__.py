"""Training the cells on long time-lag tasks: batched BPTT, Adam with clipping, tasks, experiments.

Modules: :mod:`.batched` (forward and backward through time over seeds and a batch, full or the 1997
truncated gradient; one ``batched_<kind>`` module per cell kind), :mod:`.readout` (linear readout and
losses), :mod:`.optim` (Adam, global-norm clipping per seed), :mod:`.tasks` (the sign and adding tasks),
:mod:`.loop` (training runs, many seeds at once), :mod:`.experiment` (success rate against lag),
:mod:`.statistics` (Wilson intervals, Fisher's exact test, predictors of success), :mod:`.fixed_points`
(the attractors of trained weights at zero input), :mod:`.plots` and ``python -m lstmsym.training`` (the
command that runs an experiment).
"""
