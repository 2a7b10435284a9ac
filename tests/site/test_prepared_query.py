"""core.db.prepared: a query compiled once gives what the ORM gives, for any values, and a
query that cannot be compiled once is refused rather than run wrong."""

import pytest
from django.contrib.auth import get_user_model

from core.db.prepared import PreparedQuery
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db


def _from_and_not(*, low, left_out):
    return get_user_model().objects.filter(pk__gte=low).exclude(pk=left_out).order_by("pk")


def test_a_constant_equal_to_a_stand_in_stays_a_constant():
    users = [UserFactory() for _ in range(4)]
    first = users[0].pk

    def query(*, low):
        # The left-out id is a constant in the SQL, and the same number as the stand-in.
        return _from_and_not(low=low, left_out=first + 1)

    prepared = PreparedQuery(query, low=first + 1)
    for low in (first, first + 2):
        assert [u.pk for u in prepared(low=low)] == [u.pk for u in query(low=low)]
    assert first + 1 not in [u.pk for u in prepared(low=first)]


def test_a_query_whose_sql_changes_with_its_values_is_refused():
    def query(*, count):
        return get_user_model().objects.filter(pk__in=list(range(count)))

    with pytest.raises(ValueError, match="changes with its values"):
        PreparedQuery(query, count=3)(count=3)
