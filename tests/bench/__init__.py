"""Benchmarks run by `make bench`, never by `make test`: each prints its figure beside a baseline."""
