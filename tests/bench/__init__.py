"""Benchmarks for `make bench`, never run by `make test`: each figure beside its baseline."""
