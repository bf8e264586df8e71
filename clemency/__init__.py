"""Clemency: amnesty and pardon acts as data, applied to registries and explained person by person."""

__version__ = "0.1.0"
