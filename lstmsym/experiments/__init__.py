"""Experiments built on the engine, one concept per module: bounds, carousels, readouts, sweeps, plots."""
