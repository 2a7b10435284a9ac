"""The suite's fixtures are plugins in tests/support (see its __init__)."""

pytest_plugins = [
    "tests.support.fixtures",
    "tests.support.browser",
    "tests.support.processes",
    "tests.support.queue",
]
