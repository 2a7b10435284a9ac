"""`python -m bench` (and `make bench`): the live-tallies benchmark, see bench/live.py.
`python -m bench report [options]` runs the consensus-report benchmark, bench/report.py
(the same as `python -m bench.report`)."""

import sys

if sys.argv[1:2] == ["report"]:
    from bench.report import main as report_main

    sys.exit(report_main(sys.argv[2:]))

from bench.live import main  # noqa: E402

main()
