"""Importing this package registers every rule module."""
from fazhi.review.checks import metadata, structure  # noqa: F401
