"""The regulations as data: parameters with their effective dates and sources (see parameters.py)."""
