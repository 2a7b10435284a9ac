"""`python bench/run.py`: the same as `python -m bench`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.live import main  # noqa: E402

main()
