"""Benchmarks (not timed tests). `python -m bench` runs the live-tallies benchmark;
`python -m bench.report` the consensus-report one."""
