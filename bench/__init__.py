"""Benchmarks: `make bench` runs each module and merges its section into bench/results.json."""
