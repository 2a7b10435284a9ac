"""Hot read queries compiled once per process, then only executed.

For a query asked on every request of a hot path, where building and compiling it
through the ORM costs many times what the database spends answering it (a reaction
POST's memberships: 0.7 ms of Python around 0.05 ms of SQLite). The ORM stays the one
definition of the query: it is built once from stand-in values, each parameter of the
compiled SQL is traced back to the stand-in it came from, and each run executes that
SQL with the real values and makes its rows into instances as a queryset would
(select_related objects and annotations included).

The query is compiled twice, from two sets of stand-ins: a parameter that differs between
the two is the value of the stand-in it equals in each (one name in both, else refused); one
that does not is a constant the ORM put in the SQL, kept as it is. A query whose SQL changes
with its values (an `__in` list, a lookup that compiles to nothing) is refused, as are two
stand-ins that would compile to the same parameter.
"""

import datetime

from django.db import connections, router
from django.db.models.query import get_related_populators


class PreparedQuery:
    """`build(**values)` → a queryset of model instances; `query(**values)` → its instances, as a list.

    `stand_ins` names each value `build` takes, with a value of its type no real run
    uses (ints, strings and aware datetimes), one its field accepts: the ORM compiles a
    lookup it knows can match nothing (an integer out of the column's range) to no SQL."""

    def __init__(self, build, **stand_ins):
        self._build = build
        self._stand_ins = stand_ins
        self._compiled = {}

    def _compile(self, alias, connection):
        queryset = self._build(**self._stand_ins)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        others = {name: _other(value) for name, value in self._stand_ins.items()}
        other_sql, other_params = self._build(**others).query.get_compiler(using=alias).as_sql()
        if other_sql != sql or len(other_params) != len(params):
            raise ValueError("The query's SQL changes with its values: it cannot be compiled once")
        traced, other_traced = _traced(connection, self._stand_ins), _traced(connection, others)
        slots = []
        for param, other in zip(params, other_params, strict=True):
            if param == other:
                slots.append(_Constant(param))
                continue
            name = traced.get(param)
            if name is None or other_traced.get(other) != name:
                raise ValueError(f"A parameter of the compiled query traces to no one stand-in: {param!r}")
            slots.append(name)
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        return {
            "sql": sql,
            "slots": slots,
            "compiler": compiler,
            "model": klass_info["model"],
            "start": start,
            "end": end,
            "init_list": [column[0].target.attname for column in select[start:end]],
            "populators": get_related_populators(klass_info, select, alias),
            "annotations": dict(compiler.annotation_col_map or {}),
        }

    def __call__(self, **values):
        alias = router.db_for_read(self._model_hint())
        connection = connections[alias]
        # By alias, not by connection: under uvicorn each request runs in a thread of its own,
        # with a connection object of its own. What is kept depends only on the database's
        # backend and settings (its SQL, parameters' forms and converters).
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiled = self._compiled[alias] = self._compile(alias, connection)
        params = [
            slot.value if isinstance(slot, _Constant) else _adapted(connection, values[slot])
            for slot in compiled["slots"]
        ]
        with connection.cursor() as cursor:
            cursor.execute(compiled["sql"], params)
            rows = cursor.fetchall()
        found = []
        start, end = compiled["start"], compiled["end"]
        for row in compiled["compiler"].results_iter([rows]):
            instance = compiled["model"].from_db(alias, compiled["init_list"], row[start:end])
            for populator in compiled["populators"]:
                populator.populate(row, instance)
            for name, position in compiled["annotations"].items():
                setattr(instance, name, row[position])
            found.append(instance)
        return found

    def _model_hint(self):
        model = getattr(self, "_model", None)
        if model is None:
            model = self._model = self._build(**self._stand_ins).model
        return model


class _Constant:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _traced(connection, stand_ins):
    """Each form a stand-in's value takes as a parameter → the stand-in's name."""
    traced = {}
    for name, value in stand_ins.items():
        for form in {value, _adapted(connection, value)}:
            if form in traced:
                raise ValueError(f"Stand-ins {traced[form]!r} and {name!r} compile alike")
            traced[form] = name
    return traced


def _other(value):
    """A second stand-in of the same type, unequal to `value`."""
    if isinstance(value, datetime.datetime):
        return value + datetime.timedelta(microseconds=1)
    if isinstance(value, str):
        return value + "\x01"
    if isinstance(value, int) and not isinstance(value, bool):
        return value + 1
    raise TypeError(f"No second stand-in for {type(value).__name__}: use ints, strings or datetimes")


def _adapted(connection, value):
    """`value` as the ORM passes it to the database driver."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value
