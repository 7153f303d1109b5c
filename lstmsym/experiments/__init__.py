"""Experiments on the numerics: gradient-norm sweeps over lags, seeds and settings, and their plots."""
