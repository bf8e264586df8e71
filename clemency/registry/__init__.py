"""The registry: its format as data, the import with findings, and a synthetic generator."""

from clemency.registry.load import LoadResult, load_records, load_registry, write_findings_csv
from clemency.registry.schema import FIELDS, Field

__all__ = ["FIELDS", "Field", "LoadResult", "load_records", "load_registry", "write_findings_csv"]
