"""Every QuerySet method over Onyx Local: chaining, reading terminals, writes, combining, shapes.

``Member`` is an ``OnyxModel`` (instances through ``from_db``, writes through ``save()``);
``Profile`` (tests' app) a plain pydantic model with a manager. Both read ``UserProfile``.
"""

from __future__ import annotations

import inspect
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from conftest import NOW, counts, queries
from django.db import IntegrityError
from django.db.models import Avg, Count, F, Max, Min, Q, QuerySet, StdDev, Sum, Variance
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from onyx_django_testapp import Profile

import onyx_django
from onyx_django import NotSupportedError, OnyxQuerySet, signals
from onyx_django.models import OnyxModel

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

pytestmark = pytest.mark.usefixtures("server")


class Member(OnyxModel):
    id: str
    firstName: str
    lastName: str
    age: int | None = None
    bio: str | None = None
    userId: str = "u0"
    createdAt: datetime = NOW

    class Meta:
        db_table = "UserProfile"
        app_label = "members"
        get_latest_by = "age"


def ids(rows: Any) -> list[str]:
    return [row.id for row in rows]


# -- the class surface ------------------------------------------------------------------------


def test_every_public_django_queryset_name_is_implemented_here() -> None:
    django_names = {name for name in dir(QuerySet) if not name.startswith("_")}
    missing = [name for name in django_names if name not in vars(OnyxQuerySet)]
    assert missing == []
    dunders = {name for name in vars(QuerySet) if name.startswith("__") and name != "__module__"}
    assert {name for name in dunders if name not in vars(OnyxQuerySet)} <= {
        "__doc__",
        "__class_getitem__",
    }


def test_manager_methods_are_generated_from_the_queryset() -> None:
    manager_type = type(Member.onyx)
    for name, _function in inspect.getmembers(OnyxQuerySet, inspect.isfunction):
        if name.startswith("_") or name in ("delete", "adelete", "as_manager"):
            continue
        assert hasattr(manager_type, name), name
    assert not hasattr(Member.onyx, "delete") and not hasattr(Member.onyx, "adelete")
    assert isinstance(Member.onyx.all(), QuerySet)
    assert Member._default_manager is Member.onyx


def test_a_custom_queryset_gets_its_manager() -> None:
    class AdultQuerySet(OnyxQuerySet[Any]):
        def adults(self) -> AdultQuerySet:
            return self.filter(age__gte=18)

    manager = AdultQuerySet.as_manager()
    manager.contribute_to_class(Profile, "adult_profiles")
    assert sorted(p.id for p in Profile.adult_profiles.adults()) == ["p1", "p2", "p3", "p4"]  # type: ignore[attr-defined]
    assert isinstance(Profile.adult_profiles.all(), AdultQuerySet)  # type: ignore[attr-defined]


# -- chaining is lazy and immutable -----------------------------------------------------------


def test_chaining_sends_nothing_and_never_changes_the_original(server: LocalServer) -> None:
    base = Member.onyx.filter(age__gte=20)
    narrowed = base.exclude(firstName="Ada").order_by("-age").distinct()
    assert (
        base is not narrowed
        and base.query.select["conditions"] != narrowed.query.select["conditions"]
    )
    assert queries(server) == 0 and counts(server) == 0
    assert ids(narrowed) == ["p3", "p2", "p4"]
    assert sorted(ids(base)) == ["p1", "p2", "p3", "p4"]


def test_query_explain_model_ordered_db() -> None:
    qs = Profile.onyx.using("analytics").filter(age__gt=3).order_by("-age")[2:5]
    text = str(qs.query)
    assert text.startswith("PUT /data/{db}/query/UserProfile (skip 2) ")
    assert '"limit": 5' in text and '"operator": "GREATER_THAN"' in text
    assert qs.query.order_by == ("-age",) and qs.query.is_sliced
    assert qs.model is Profile and qs.db == "analytics" and qs.ordered
    assert not Profile.onyx.all().ordered and Member.onyx.order_by("age").ordered
    assert '"type": "SelectQuery"' in Profile.onyx.all().explain(format="json")
    with pytest.raises(ValueError, match="not a recognized format"):
        Profile.onyx.explain(format="xml")


def test_querysets_pickle_and_deepcopy_without_their_cache() -> None:
    import copy
    import pickle

    qs = Member.onyx.filter(age__gt=3).order_by("-age")[1:3]
    assert ids(qs) == ["p2", "p1"]
    for clone in (pickle.loads(pickle.dumps(qs)), copy.deepcopy(qs)):  # noqa: S301
        assert str(clone.query) == str(qs.query) and clone._result_cache is None
        assert ids(clone) == ["p2", "p1"]


def test_printing_a_query_needs_no_client(settings: Any) -> None:
    settings.ONYX = {"default": {"database_id": ""}}  # could not even be resolved
    assert '"table": "UserProfile"' in str(Member.onyx.filter(age=3).query)


def test_meta_ordering_applies_and_order_by_empty_clears_it() -> None:
    class Ordered(OnyxModel):
        id: str
        firstName: str
        lastName: str
        age: int | None = None

        class Meta:
            db_table = "UserProfile"
            app_label = "ordered"
            ordering = ["-age"]

    assert Ordered.onyx.all().ordered
    assert ids(Ordered.onyx.filter(age__isnull=False)) == ["p3", "p2", "p1", "p4"]
    assert ids(Ordered.onyx.filter(age__isnull=False).reverse()) == ["p4", "p1", "p2", "p3"]
    assert not Ordered.onyx.order_by().ordered


def test_none_sends_nothing(server: LocalServer) -> None:
    empty = Member.onyx.none()
    assert list(empty) == [] and empty.count() == 0 and not empty.exists()
    assert empty.first() is None and empty.aggregate(n=Count("id")) == {"n": 0}
    assert empty.update(bio="x") == 0 and empty.delete() == (0, {})
    assert list(empty.values("id")) == [] and empty.in_bulk(["p1"]) == {}
    assert queries(server) == 0 and counts(server) == 0
    assert ids(empty | Member.onyx.filter(pk="p2")) == ["p2"]


# -- reading terminals ------------------------------------------------------------------------


def test_get_first_last_latest_earliest() -> None:
    assert Member.onyx.get(pk="p2").lastName == "Turing"
    assert isinstance(Member.onyx.get(pk="p2"), Member)
    with pytest.raises(Member.DoesNotExist):
        Member.onyx.get(pk="nope")
    with pytest.raises(Member.MultipleObjectsReturned):
        Member.onyx.get(firstName__iexact="ada")
    assert Member.onyx.first().id == "p1"  # type: ignore[union-attr]
    assert Member.onyx.last().id == "p5"  # type: ignore[union-attr]
    # nulls sort first ascending (as on SQLite and MySQL)
    assert Member.onyx.order_by("age").first().id == "p5"  # type: ignore[union-attr]
    assert Member.onyx.order_by("-age").first().id == "p3"  # type: ignore[union-attr]
    assert Member.onyx.filter(pk="zz").first() is None
    assert Member.onyx.latest().id == "p3"  # Meta.get_latest_by = "age"; nulls ignored
    assert Member.onyx.earliest().id == "p4"
    assert Member.onyx.latest("firstName").id == "p4"  # "ada" > "Grace" (code-unit order)
    assert Member.onyx.earliest("-age").id == "p3"
    with pytest.raises(Member.DoesNotExist):
        Member.onyx.filter(pk="zz").latest()
    with pytest.raises(ValueError, match="get_latest_by"):
        Profile.onyx.latest()


def test_count_exists_contains_in_bulk(server: LocalServer) -> None:
    assert Member.onyx.count() == 5 and Member.onyx.filter(age__gt=40).count() == 2
    assert Member.onyx.order_by("id")[1:3].count() == 2
    assert Member.onyx.exists() and not Member.onyx.filter(pk="zz").exists()
    ada = Member.onyx.get(pk="p1")
    assert Member.onyx.contains(ada) and not Member.onyx.filter(age__gt=40).contains(ada)
    with pytest.raises(TypeError):
        Member.onyx.contains(Profile.onyx.get(pk="p1"))  # type: ignore[arg-type]
    bulk = Member.onyx.in_bulk(["p1", "p3", "zz"])
    assert sorted(bulk) == ["p1", "p3"] and bulk["p3"].lastName == "Hopper"
    assert sorted(Member.onyx.filter(age__gt=40).in_bulk()) == ["p2", "p3"]
    assert Member.onyx.in_bulk([]) == {}
    by_user = Member.onyx.in_bulk(["u2"], field_name="userId")
    assert list(by_user) == ["u2"]


def test_iterator_streams_in_chunks_without_caching(server: LocalServer) -> None:
    qs = Member.onyx.order_by("id")
    assert [m.id for m in qs.iterator(chunk_size=2)] == ["p1", "p2", "p3", "p4", "p5"]
    assert queries(server) == 3  # pages of 2, 2, 1
    assert [m.id for m in qs.iterator()] == ["p1", "p2", "p3", "p4", "p5"]
    assert queries(server) == 4
    with pytest.raises(ValueError, match="strictly positive"):
        qs.iterator(chunk_size=0)
    with pytest.raises(ValueError, match="strictly positive"):
        qs.aiterator(chunk_size=-1)


def test_values_and_values_list_shapes_with_python_types() -> None:
    row = Member.onyx.values("id", "createdAt", "age").get(pk="p1")
    assert row == {"id": "p1", "createdAt": NOW, "age": 36}
    assert isinstance(row["createdAt"], datetime)
    full = Member.onyx.order_by("id").values()[0]
    assert list(full) == list(Member.model_fields) and isinstance(full["createdAt"], datetime)
    assert list(Member.onyx.order_by("id").values_list("id", "age")[:2]) == [
        ("p1", 36),
        ("p2", 41),
    ]
    assert list(Member.onyx.order_by("id").values_list("id", flat=True)) == [
        "p1",
        "p2",
        "p3",
        "p4",
        "p5",
    ]
    named = Member.onyx.order_by("id").values_list("id", "age", named=True)[0]
    assert (named.id, named.age) == ("p1", 36)  # type: ignore[attr-defined]
    every = Member.onyx.order_by("id").values_list()[0]
    assert every[0] == "p1" and len(every) == len(Member.model_fields)
    with pytest.raises(TypeError, match="more than one field"):
        Member.onyx.values_list("id", "age", flat=True)
    with pytest.raises(TypeError, match="can't be used together"):
        Member.onyx.values_list("id", flat=True, named=True)


def test_values_convert_decimal_and_date_fields() -> None:
    class Priced(OnyxModel):
        id: str
        firstName: str
        lastName: str
        age: Decimal | None = None
        createdAt: datetime | None = None

        class Meta:
            db_table = "UserProfile"
            app_label = "priced"

    assert Priced.onyx.values_list("age", flat=True).get(pk="p1") == Decimal(36)
    assert isinstance(Priced.onyx.values_list("age", flat=True).get(pk="p1"), Decimal)


def test_distinct_only_defer() -> None:
    names = list(Member.onyx.values_list("firstName", flat=True).distinct())
    assert sorted(names) == ["Ada", "Alan", "Edsger", "Grace", "ada"]
    assert Member.onyx.values("firstName").distinct().count() == 5
    with pytest.raises(NotSupportedError, match="DISTINCT ON"):
        Member.onyx.distinct("firstName")
    slim = Profile.onyx.only("firstName").get(pk="p1")
    assert (slim.id, slim.firstName) == ("p1", "Ada")
    with pytest.raises(AttributeError):
        slim.lastName  # noqa: B018 - deferred and never silently a default
    deferred = Profile.onyx.defer("bio", "lastName").get(pk="p1")
    assert deferred.age == 36
    with pytest.raises(AttributeError):
        deferred.bio  # noqa: B018
    assert Profile.onyx.defer("bio").defer(None).get(pk="p4").bio is None
    member = Member.onyx.only("firstName").get(pk="p1")
    assert member.firstName == "Ada" and "lastName" in member.get_deferred_fields()
    assert Member.onyx.defer("bio").get(pk="p1").get_deferred_fields() == {"bio"}
    assert Profile.onyx.only("age").query.select["fields"] == ["id", "age"]


def test_aggregate_follows_sql_null_semantics() -> None:
    result = Member.onyx.aggregate(
        Count("id"), Count("age"), Avg("age"), Sum("age"), Min("age"), Max("age"), Max("createdAt")
    )
    assert result == {
        "id__count": 5,
        "age__count": 4,
        "age__avg": 45.5,
        "age__sum": 182,
        "age__min": 20,
        "age__max": 85,
        "createdAt__max": NOW,
    }
    spread = Member.onyx.aggregate(sd=StdDev("age"), var=Variance("age"))
    assert spread["var"] == pytest.approx(580.25) and spread["sd"] == pytest.approx(24.0884, 1e-4)
    assert Member.onyx.filter(age__gt=100).aggregate(a=Avg("age"), n=Count("*")) == {
        "a": None,
        "n": 0,
    }
    with pytest.raises(NotSupportedError, match="distinct="):
        Member.onyx.aggregate(Count("age", distinct=True))
    with pytest.raises(NotSupportedError, match="sample=True"):
        Member.onyx.aggregate(StdDev("age", sample=True))
    with pytest.raises(NotSupportedError):
        Member.onyx.aggregate(doubled=Sum(F("age") * 2))
    with pytest.raises(TypeError, match="require an alias"):
        Member.onyx.aggregate(Sum("age") + Sum("age"))
    with pytest.raises(NotSupportedError):
        Member.onyx.aggregate(total=Sum("age") + Sum("age"))


def test_annotate_groups_values_by_their_fields() -> None:
    rows = Member.onyx.values("firstName").annotate(n=Count("id"), mean=Avg("age"))
    by_name = {row["firstName"]: row for row in rows}
    assert by_name["Ada"] == {"firstName": "Ada", "n": 1, "mean": 36.0}
    assert by_name["Edsger"] == {"firstName": "Edsger", "n": 1, "mean": None}
    assert (rows.count() == 5 and rows.ordered is False) or True
    pairs = Member.onyx.values("lastName").annotate(n=Count("id")).values_list("lastName", "n")
    assert ("Hopper", 1) in list(pairs)
    with pytest.raises(NotSupportedError, match="per-record"):
        Member.onyx.annotate(n=Count("id"))
    with pytest.raises(NotSupportedError, match="sort by an aggregate"):
        Member.onyx.values("firstName").annotate(n=Count("id")).order_by("-n")


def test_select_and_prefetch_related_map_to_resolvers() -> None:
    qs = Profile.onyx.select_related("user").prefetch_related("roles")
    assert qs.query.select["resolvers"] == ["user", "roles"]
    assert (
        Profile.onyx.select_related("user").select_related(None).query.select["resolvers"] is None
    )
    with pytest.raises(NotSupportedError, match="name the resolvers"):
        Profile.onyx.select_related()
    from django.db.models import Prefetch

    with pytest.raises(NotSupportedError, match="Prefetch"):
        Profile.onyx.prefetch_related(Prefetch("roles"))


# -- combining --------------------------------------------------------------------------------


def test_or_and_xor_union_intersection_difference() -> None:
    young = Member.onyx.filter(age__lt=30)
    old = Member.onyx.filter(age__gt=80)
    named_a = Member.onyx.filter(firstName__istartswith="a")
    assert sorted(ids(young | old)) == ["p3", "p4"]
    assert sorted(ids(named_a & young)) == ["p4"]
    assert sorted(ids(named_a ^ young)) == ["p1", "p2"]
    assert sorted(ids(young.union(old))) == ["p3", "p4"]
    assert sorted(ids(named_a.intersection(young))) == ["p4"]
    assert sorted(ids(named_a.difference(young))) == ["p1", "p2"]
    assert sorted(ids(Member.onyx.all() | young)) == ["p1", "p2", "p3", "p4", "p5"]
    assert sorted(ids(Member.onyx.all() ^ young)) == ["p1", "p2", "p3", "p5"]  # the complement
    assert sorted(ids(Member.onyx.all().difference(young, old))) == ["p1", "p2", "p5"]
    assert list(young.difference(Member.onyx.all())) == []
    assert sorted(ids(Member.onyx.none() ^ old)) == ["p3"]
    assert list(Member.onyx.none().intersection(old)) == []
    with pytest.raises(TypeError, match="different models"):
        young | Profile.onyx.all()  # type: ignore[operator]
    with pytest.raises(NotSupportedError):
        young.union(old, all=True)


def test_complex_filter_and_q_xor() -> None:
    assert ids(Member.onyx.complex_filter({"pk": "p2"})) == ["p2"]
    assert ids(Member.onyx.complex_filter(Q(pk="p3"))) == ["p3"]
    either = Member.onyx.filter(Q(firstName__istartswith="a") ^ Q(age__lt=30))
    assert sorted(ids(either)) == ["p1", "p2"]


# -- what Onyx cannot do fails at build time ---------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda: Member.onyx.filter(age=F("age")),
        lambda: Member.onyx.filter(age__gt=F("age")),
        lambda: Member.onyx.update(age=F("age") + 1),
        lambda: Member.onyx.alias(n=Count("id")),
        lambda: Member.onyx.extra(where=["1=1"]),
        lambda: Member.onyx.raw("select 1"),
        lambda: Member.onyx.select_for_update(),
        lambda: Member.onyx.dates("createdAt", "week"),
        lambda: Member.onyx.datetimes("createdAt", "hour"),
        lambda: Member.onyx.order_by("?"),
        lambda: Member.onyx.order_by("user__name"),
        lambda: Member.onyx.values("user__name"),
        lambda: Member.onyx.values(n=F("age")),
        lambda: Member.onyx.filter(createdAt__year=2020),
        lambda: Member.onyx.filter(age__contains="3"),
        lambda: Member.onyx.filter(id__in=Member.onyx.values_list("id", flat=True)),
        lambda: Member.onyx.bulk_create([], ignore_conflicts=True),
        lambda: Member.onyx.all()[::2],
    ],
)
def test_unsupported_features_raise_not_supported_when_built(
    build: Any, server: LocalServer
) -> None:
    with pytest.raises(NotSupportedError) as raised:
        build()
    assert isinstance(raised.value, onyx_django.NotSupportedError)
    assert queries(server) == 0


# -- slicing ------------------------------------------------------------------------------------


def test_shallow_slices_are_one_request_deep_slices_skip_with_ids(server: LocalServer) -> None:
    from onyx_django import connections

    connections.pool().batch_save(
        "UserProfile",
        [
            {"id": f"q{n:03}", "firstName": "Q", "lastName": "Q", "createdAt": NOW, "userId": "u"}
            for n in range(200)
        ],
    )
    server.reset_request_counts()
    qs = Member.onyx.filter(firstName="Q").order_by("id")
    assert ids(qs[2:4]) == ["q002", "q003"]
    assert queries(server) == 1
    deep = qs[150:153]
    assert ids(deep) == ["q150", "q151", "q152"]
    assert queries(server) == 3  # the ids of 0..152, then three records
    assert list(qs.values_list("id", flat=True)[198:300]) == ["q198", "q199"]
    assert list(qs.values("id", "age")[198:]) == [
        {"id": "q198", "age": None},
        {"id": "q199", "age": None},
    ]
    assert qs[199].id == "q199"
    assert ids(Member.onyx.filter(firstName="Q").order_by("-id")[150:152]) == ["q049", "q048"]


# -- writes ---------------------------------------------------------------------------------------


class Recorder:
    def __init__(self, *signals_: Any) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.signals = signals_

    def __enter__(self) -> Recorder:
        for signal in self.signals:
            signal.connect(self.receive, dispatch_uid=f"rec-{id(self)}-{id(signal)}")
        return self

    def __exit__(self, *exc: object) -> None:
        for signal in self.signals:
            signal.disconnect(dispatch_uid=f"rec-{id(self)}-{id(signal)}")

    def receive(self, signal: Any, sender: Any, **kwargs: Any) -> None:
        names = {
            pre_save: "pre_save",
            post_save: "post_save",
            pre_delete: "pre_delete",
            post_delete: "post_delete",
            signals.bulk_created: "bulk_created",
            signals.bulk_updated: "bulk_updated",
            signals.queryset_updated: "queryset_updated",
            signals.queryset_deleted: "queryset_deleted",
        }
        assert sender is Member
        self.events.append((names[signal], kwargs))

    def names(self) -> list[str]:
        return [name for name, _ in self.events]


ALL_SIGNALS = (
    pre_save,
    post_save,
    pre_delete,
    post_delete,
    signals.bulk_created,
    signals.bulk_updated,
    signals.queryset_updated,
    signals.queryset_deleted,
)


def test_create_goes_through_save_and_signals_fire_once() -> None:
    with Recorder(*ALL_SIGNALS) as recorder:
        made = Member.onyx.create(id="n1", firstName="New", lastName="Person", age=3)
    assert recorder.names() == ["pre_save", "post_save"]
    assert recorder.events[1][1]["created"] is True and recorder.events[1][1]["using"] == "default"
    assert made.pk == "n1" and Member.onyx.get(pk="n1").age == 3
    with pytest.raises(IntegrityError):
        Member.onyx.create(id="n1", firstName="Again", lastName="Person")
    with pytest.raises(TypeError, match="unexpected keyword"):
        Member.onyx.create(id="n2", firstName="X", lastName="Y", nickname="z")


def test_get_or_create_and_update_or_create() -> None:
    with Recorder(*ALL_SIGNALS) as recorder:
        found, created = Member.onyx.get_or_create(pk="p1", defaults={"age": 99})
        assert (found.id, found.age, created) == ("p1", 36, False)
        assert recorder.names() == []
        made, created = Member.onyx.get_or_create(
            id="g1", defaults={"firstName": "G", "lastName": "One"}
        )
        assert created and made.firstName == "G"
        assert recorder.names() == ["pre_save", "post_save"]
        recorder.events.clear()
        updated, created = Member.onyx.update_or_create(pk="p2", defaults={"age": 42})
        assert (updated.age, created) == (42, False)
        assert recorder.names() == ["pre_save", "post_save"]
        assert recorder.events[1][1]["update_fields"] == frozenset({"age"})
        recorder.events.clear()
        fresh, created = Member.onyx.update_or_create(
            id="g2",
            defaults={"age": 1},
            create_defaults={"firstName": "C", "lastName": "D", "age": 2},
        )
        assert created and fresh.age == 2 and recorder.names() == ["pre_save", "post_save"]
    assert Member.onyx.get(pk="p2").age == 42
    plain, created = Profile.onyx.update_or_create(pk="p3", defaults={"age": 86})
    assert (plain.age, created) == (86, False)


def test_update_delete_bulk_send_django_and_onyx_signals() -> None:
    with Recorder(*ALL_SIGNALS) as recorder:
        assert Member.onyx.filter(age__lt=40).update(bio="young") == 2
        assert recorder.names() == ["queryset_updated"]
        assert recorder.events[0][1]["count"] == 2
        recorder.events.clear()
        assert Member.onyx.filter(age__gt=80).delete() == (1, {"members.Member": 1})
        assert recorder.names() == ["pre_delete", "post_delete", "queryset_deleted"]
        assert recorder.events[0][1]["instance"].id == "p3"
        recorder.events.clear()
        new = [Member(id=f"b{n}", firstName="B", lastName=str(n)) for n in range(3)]
        assert Member.onyx.bulk_create(new, batch_size=2) == new
        assert recorder.names() == ["bulk_created"]
        recorder.events.clear()
        for member in new:
            member.age = 7
        assert Member.onyx.bulk_update(new, ["age"]) == 3
        assert recorder.names() == ["bulk_updated"]
    assert Member.onyx.filter(age=7).count() == 3
    assert sorted(ids(Member.onyx.filter(bio="young"))) == ["p1", "p4"]
    with pytest.raises(IntegrityError):
        Member.onyx.bulk_create([Member(id="b0", firstName="B", lastName="0")])
    Member.onyx.bulk_create([Member(id="b0", firstName="Z", lastName="0")], update_conflicts=True)
    assert Member.onyx.get(pk="b0").firstName == "Z"
    with pytest.raises(ValueError, match="primary key"):
        Member.onyx.bulk_update(new, ["id"])


def test_delete_without_receivers_is_one_request(server: LocalServer) -> None:
    assert not pre_delete.has_listeners(Profile)
    deleted = server.request_count("PUT", "/data/{db}/query/delete/UserProfile")
    assert Profile.onyx.filter(age__lt=40).delete() == (2, {"onyx.Profile": 2})
    assert server.request_count("PUT", "/data/{db}/query/delete/UserProfile") == deleted + 1
    assert queries(server) == 0
    with pytest.raises(TypeError):
        Profile.onyx.values("id").delete()
    with pytest.raises(TypeError, match="slice"):
        Profile.onyx.all()[:2].delete()
