"""Independent monitoring of political-prisoner lists: names across scripts, matching, list versions,
release evidence, past acts. See docs/monitor.md."""

from clemency.monitor.files import match_files, read_table
from clemency.monitor.match import compare, explain
from clemency.monitor.names import parse_name, phonetic_key, romanise

__all__ = ["compare", "explain", "match_files", "parse_name", "phonetic_key", "read_table", "romanise"]
