"""Comparisons: two acts or readings side by side, exclusion attribution, bounds over every reading."""

from clemency.compare.core import CompareResult, compare

__all__ = ["CompareResult", "compare"]
