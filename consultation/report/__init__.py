"""The consensus report: one snapshot per paper version, rendered as HTML, PDF, CSV and JSON.

`statistics` holds the pure arithmetic, `builder` reads the data into one
snapshot (a constant number of queries), `render` turns that snapshot into
every output, `views` serves them.
"""
