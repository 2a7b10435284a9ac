"""`python -m bench` (and `make bench`): the live-tallies benchmark, see bench/live.py."""

from bench.live import main

main()
