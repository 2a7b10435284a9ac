"""Reading a report snapshot in tests."""


def section_of(snapshot, section):
    return next(s for s in snapshot["sections"] if s["id"] == section.pk)


def group_row(section_data, key):
    return next(g for g in section_data["groups"] if g["key"] == key)
