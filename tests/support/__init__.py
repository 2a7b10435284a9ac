"""What the tests share: factories, people, page trees, contributions, servers and the browser.

Test modules import from here and never from one another. Fixtures live in
`tests/conftest.py` (thin) and in the plugins `tests.support.fixtures` and
`tests.support.browser`, which it loads.
"""
