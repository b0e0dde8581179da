"""Generators for the sample documents shipped in ``events/``."""
