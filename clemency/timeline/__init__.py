"""Implementation over time: who applies each relief, when, the backlog, and the ministry's reports.

`run_timeline` applies the act once and derives everything from the decisions' spans."""

from clemency.timeline.run import run_timeline

__all__ = ["run_timeline"]
