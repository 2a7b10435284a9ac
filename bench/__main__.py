"""`python -m bench` (and `make bench`): the live-tallies benchmark, see bench/live.py.
`python -m bench report [options]` runs the consensus-report benchmark, bench/report.py
(the same as `python -m bench.report`); `python -m bench pages [options]` the read-path
benchmark, bench/pages.py."""

import sys

if sys.argv[1:2] == ["report"]:
    from bench.report import main as report_main

    sys.exit(report_main(sys.argv[2:]))

if sys.argv[1:2] == ["pages"]:
    from bench.pages import main as pages_main

    sys.exit(pages_main(sys.argv[2:]))

from bench.live import main  # noqa: E402

main()
