"""Pydantic models: what arrives (input), what is stored, what is returned (output)."""
