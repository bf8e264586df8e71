"""Benchmarks (not tests): `python -m bench` (or `make bench`) measures applying the 2025 act to synthetic
registries of 100k, 1M and 10M rows on each engine, and writes bench/RESULTS.md. See bench/__main__.py."""
