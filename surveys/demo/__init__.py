"""Simulated survey data for trying the estimator (not real residents)."""
