"""``OnyxModel``: ``_meta``, the instance API, Django's model signals, the onyx bulk signals and
the errors Django code catches, against Onyx Local."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import pickle
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal

import pytest
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DatabaseError, DataError, IntegrityError, models
from django.db.models import signals
from onyx_django_people import Profile
from pydantic import Field

from onyx_database import OnyxConflictError
from onyx_django import OnyxDataError, OnyxIntegrityError, OnyxModel
from onyx_django import signals as onyx_signals

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

pytestmark = pytest.mark.usefixtures("server")

Caught = list[tuple[str, dict[str, Any]]]


@pytest.fixture
def caught() -> Iterator[Caught]:
    """Every model and bulk signal sent for ``Profile``, in order: ``(name, kwargs)``."""
    calls: Caught = []
    receivers = []
    for name, signal in (
        ("pre_save", signals.pre_save),
        ("post_save", signals.post_save),
        ("pre_delete", signals.pre_delete),
        ("post_delete", signals.post_delete),
        ("bulk_created", onyx_signals.bulk_created),
        ("bulk_updated", onyx_signals.bulk_updated),
        ("queryset_updated", onyx_signals.queryset_updated),
        ("queryset_deleted", onyx_signals.queryset_deleted),
    ):

        def receiver(sender: Any, _name: str = name, **kwargs: Any) -> None:
            assert sender is Profile
            kwargs.pop("signal")
            calls.append((_name, kwargs))

        signal.connect(receiver, sender=Profile, weak=False)
        receivers.append((signal, receiver))
    yield calls
    for signal, receiver in receivers:
        signal.disconnect(receiver, sender=Profile)


def _stored(pk: str) -> dict[str, Any] | None:
    from onyx_django import connections

    record: dict[str, Any] | None = connections.pool().find_by_id("UserProfile", pk)
    return record


# -- _meta ----------------------------------------------------------------------------------


class Color(enum.Enum):
    RED = "r"
    DARK_BLUE = "b"


class Everything(OnyxModel):
    id: uuid.UUID
    name: str = Field(max_length=20, title="Full name", description="As printed")
    count: int
    ratio: float | None = None
    price: decimal.Decimal | None = Field(default=None, max_digits=8, decimal_places=2)
    at: dt.datetime | None = None
    day: dt.date | None = None
    when: dt.time | None = None
    flag: bool = False
    tags: list[str] = Field(default_factory=list)
    blob: dict[str, Any] | None = None
    size: Literal["S", "M", "L"] = "M"
    color: Color | None = None
    wireName: str | None = Field(default=None, alias="wire_name")

    class Meta:
        app_label = "stuff"
        verbose_name = "thing of all kinds"
        identifier = "id"
        ordering = ["-count"]
        get_latest_by = "at"


def test_meta_fields_are_django_fields_of_the_matching_type() -> None:
    opts = Everything._meta
    kinds = {f.name: type(f) for f in opts.get_fields()}
    assert kinds == {
        "id": models.UUIDField,
        "name": models.CharField,
        "count": models.BigIntegerField,
        "ratio": models.FloatField,
        "price": models.DecimalField,
        "at": models.DateTimeField,
        "day": models.DateField,
        "when": models.TimeField,
        "flag": models.BooleanField,
        "tags": models.JSONField,
        "blob": models.JSONField,
        "size": models.CharField,
        "color": models.CharField,
        "wireName": models.CharField,
    }
    name = opts.get_field("name")
    assert (name.max_length, name.verbose_name, name.help_text) == (20, "Full name", "As printed")
    assert (name.null, name.blank) == (False, False)
    assert (opts.get_field("ratio").null, opts.get_field("ratio").blank) == (True, True)
    assert opts.get_field("flag").has_default() and opts.get_field("flag").default is False
    assert opts.get_field("size").choices == [("S", "S"), ("M", "M"), ("L", "L")]
    assert opts.get_field("color").choices == [("r", "Red"), ("b", "Dark Blue")]
    assert opts.get_field("wire_name") is opts.get_field("wireName")
    assert opts.get_field("wireName").column == "wire_name"
    assert opts.get_field("count").model is Everything
    with pytest.raises(FieldDoesNotExist):
        opts.get_field("nope")


def test_meta_names_and_options() -> None:
    opts = Everything._meta
    assert (opts.app_label, opts.model_name, opts.object_name) == (
        "stuff",
        "everything",
        "Everything",
    )
    assert (opts.label, opts.label_lower) == ("stuff.Everything", "stuff.everything")
    assert (opts.verbose_name, opts.verbose_name_plural) == (
        "thing of all kinds",
        "thing of all kindss",
    )
    assert (opts.ordering, opts.get_latest_by) == (["-count"], "at")
    assert opts.pk.name == opts.pk.attname == "id" and opts.pk.primary_key
    assert opts.concrete_model is Everything and opts.db_table == "Everything"
    assert list(opts.concrete_fields) == list(opts.fields)
    assert (opts.many_to_many, opts.related_objects, opts.private_fields) == ((), (), [])
    assert not opts.abstract and not opts.proxy and opts.swapped is None
    assert Profile._meta.verbose_name == "profile" and Profile._meta.db_table == "UserProfile"
    assert Profile.__onyx_table__ == "UserProfile" and Profile.__onyx_identifier__ == "id"


def test_app_label_defaults_to_the_installed_app_of_the_module() -> None:
    from onyx_django.models import OnyxModel as Base

    class Local(Base):
        id: str

    Local.__module__ = "onyx_django.somewhere"
    Local._meta._app_label = None
    assert Local._meta.app_label == "onyx_django"
    assert Local._meta.verbose_name == "local"


def test_every_subclass_gets_manager_exceptions_and_meta() -> None:
    class Base(OnyxModel):
        id: str

        class Meta:
            abstract = True
            app_label = "shop"

    class Order(Base):
        total: int = 0

    class BigOrder(Order):
        pass

    assert not hasattr(Base, "objects") and Base._meta.abstract
    assert Order._default_manager is Order.onyx is Order.objects
    assert Order.onyx.model is Order and BigOrder.onyx.model is BigOrder
    assert BigOrder._meta.db_table == "Order" and BigOrder._meta.app_label == "shop"
    assert issubclass(Order.DoesNotExist, Order._meta.default_manager.model.DoesNotExist)
    assert issubclass(BigOrder.DoesNotExist, Order.DoesNotExist)
    from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist

    assert issubclass(Order.DoesNotExist, ObjectDoesNotExist)
    assert issubclass(Order.MultipleObjectsReturned, MultipleObjectsReturned)
    assert isinstance(Order(id="o1"), models.Model)
    with pytest.raises(TypeError, match="invalid attribute"):

        class Bad(OnyxModel):
            id: str

            class Meta:
                tablename = "x"


def test_a_user_defined_objects_is_kept() -> None:
    class Thing(OnyxModel):
        id: str
        objects: int = 0

    assert "objects" in Thing.model_fields and Thing(id="t", objects=3).objects == 3
    assert Thing.onyx.model is Thing


# -- instances ------------------------------------------------------------------------------


def test_save_creates_then_updates_with_signals(caught: Caught) -> None:
    ada = Profile(id="n1", firstName="Ada", lastName="King", age="30")
    assert ada._state.adding and ada.age == 30
    ada.save()
    assert not ada._state.adding and ada._state.db == "default"
    ada.age = 31
    ada.save()
    assert _stored("n1")["age"] == 31  # type: ignore[index]
    assert [(name, kw.get("created"), kw["update_fields"]) for name, kw in caught] == [
        ("pre_save", None, None),
        ("post_save", True, None),
        ("pre_save", None, None),
        ("post_save", False, None),
    ]
    assert all(kw["instance"] is ada and kw["raw"] is False for _, kw in caught)
    assert all(kw["using"] == "default" for _, kw in caught)


def test_save_of_a_new_instance_whose_id_exists_replaces_the_record(caught: Caught) -> None:
    Profile(id="p1", firstName="Augusta", lastName="King").save()
    assert _stored("p1")["firstName"] == "Augusta"  # type: ignore[index]
    assert caught[-1][1]["created"] is False


def test_force_insert_on_an_existing_id_is_an_integrity_error(caught: Caught) -> None:
    with pytest.raises(IntegrityError) as raised:
        Profile(id="p1", firstName="X", lastName="Y").save(force_insert=True)
    assert isinstance(raised.value, OnyxConflictError)
    assert isinstance(raised.value, OnyxIntegrityError) and raised.value.status == 409
    assert [name for name, _ in caught] == ["pre_save"]
    assert _stored("p1")["firstName"] == "Ada"  # type: ignore[index]


def test_update_fields_sends_only_those_fields(caught: Caught) -> None:
    profile = Profile.onyx.get(pk="p2")
    assert not profile._state.adding
    profile.firstName = "Changed"
    profile.bio = "Codebreaker"
    profile.save(update_fields=["bio"])
    stored = _stored("p2")
    assert (stored["firstName"], stored["bio"]) == ("Alan", "Codebreaker")  # type: ignore[index]
    assert caught[-1][1]["update_fields"] == frozenset({"bio"})
    with pytest.raises(ValueError, match="do not exist"):
        profile.save(update_fields=["nope"])
    profile.save(update_fields=[])  # nothing to do, nothing sent
    assert len(caught) == 2


def test_update_of_a_missing_record_is_a_database_error() -> None:
    ghost = Profile(id="ghost", firstName="No", lastName="One")
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        ghost.save(update_fields=["firstName"])
    with pytest.raises(DatabaseError, match="Forced update"):
        ghost.save(force_update=True)
    with pytest.raises(ValueError, match="Cannot force both"):
        ghost.save(force_insert=True, force_update=True)
    assert _stored("ghost") is None


def test_invalid_or_missing_values_fail_before_sending(server: LocalServer) -> None:
    server.reset_request_counts()
    empty = Profile()
    assert empty.pk is None and empty.firstName is None and empty.userId == "u0"
    empty.id = "n2"
    with pytest.raises(ValidationError) as raised:
        empty.save()
    assert set(raised.value.message_dict) == {"firstName", "lastName"}
    assert raised.value.message_dict["firstName"] == ["This field is required."] or (
        raised.value.error_dict["firstName"][0].code in {"required", "invalid"}
    )
    assert server.request_count("POST", "/data/{db}/{table}") == 0
    assert server.request_count("PUT", "/data/{db}/{table}") == 0
    assert _stored("n2") is None


def test_unknown_keyword_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="unexpected keyword arguments: 'nickname'"):
        Profile(id="x", firstName="a", lastName="b", nickname="c")
    with pytest.raises(TypeError):
        Profile.onyx.create(id="x", firstName="a", lastName="b", nickname="c")


def test_delete_and_refresh(caught: Caught) -> None:
    profile = Profile.onyx.get(pk="p3")
    stale = Profile.onyx.get(pk="p3")
    profile.bio = "COBOL"
    profile.save()
    stale.refresh_from_db(fields=["bio"])
    assert stale.bio == "COBOL"
    assert profile.delete() == (1, {"people.Profile": 1})
    assert profile.pk is None and _stored("p3") is None
    with pytest.raises(Profile.DoesNotExist):
        stale.refresh_from_db()
    assert stale.delete() == (0, {"people.Profile": 0})
    with pytest.raises(ValueError, match="can't be deleted"):
        Profile().delete()
    names = [name for name, _ in caught]
    assert names == ["pre_save", "post_save", "pre_delete", "post_delete"] * 1 + [
        "pre_delete",
        "post_delete",
    ]
    assert caught[2][1]["origin"] is profile and caught[2][1]["using"] == "default"


def test_full_clean_reports_every_field_like_django() -> None:
    profile = Profile(id="n3", firstName="Ok", lastName="Ok")
    profile.full_clean()
    profile.age = "old"  # type: ignore[assignment]
    profile.firstName = ""
    profile.lastName = None  # type: ignore[assignment]
    with pytest.raises(ValidationError) as raised:
        profile.full_clean()
    errors = raised.value.message_dict
    assert set(errors) == {"age", "firstName", "lastName"}
    assert errors["firstName"] == ["This field cannot be blank."]
    assert errors["lastName"] == ["This field cannot be null."]
    profile.full_clean(exclude=["age", "firstName", "lastName"])
    duplicate = Profile(id="p1", firstName="A", lastName="B")
    with pytest.raises(ValidationError) as raised:
        duplicate.full_clean()
    assert raised.value.message_dict == {"id": ["Profile with this Id already exists."]}
    too_long = Profile(id="x", firstName="A", lastName="B")
    too_long.id = "x" * 41
    with pytest.raises(ValidationError) as raised:
        too_long.full_clean(validate_unique=False)
    assert set(raised.value.message_dict) == {"id"}


def test_equality_hash_pk_str_pickle_and_serializable_value() -> None:
    a, b = Profile.onyx.get(pk="p1"), Profile.onyx.get(pk="p1")
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Profile.onyx.get(pk="p2")
    assert str(a) == "Profile object (p1)"
    assert a.pk == "p1"
    a.pk = "p1b"
    assert a.id == "p1b"
    assert a.serializable_value("age") == 36
    copy = pickle.loads(pickle.dumps(b))  # noqa: S301 - our own bytes
    assert copy == b and copy.firstName == "Ada" and not copy._state.adding
    with pytest.raises(TypeError, match="unhashable"):
        hash(Profile())


def test_manager_is_not_reachable_from_instances() -> None:
    with pytest.raises(AttributeError):
        Profile.onyx.get(pk="p1").onyx  # noqa: B018


def test_server_refusal_is_a_data_error() -> None:
    class Loose(OnyxModel):
        id: str
        firstName: str | None = None  # the table says non-nullable
        lastName: str = "x"

        class Meta:
            db_table = "UserProfile"
            app_label = "loose"

    with pytest.raises(DataError) as raised:
        Loose(id="n9").save()
    assert isinstance(raised.value, OnyxDataError) and raised.value.status in (400, 422)


# -- manager writes and signals ---------------------------------------------------------------


def test_manager_create_get_or_create_update_or_create_signal_once(caught: Caught) -> None:
    created = Profile.onyx.create(id="m1", firstName="Mary", lastName="Somerville")
    assert isinstance(created, Profile) and not created._state.adding
    same, made = Profile.onyx.get_or_create(id="m1", defaults={"firstName": "X", "lastName": "Y"})
    assert (same.firstName, made) == ("Mary", False)
    other, made = Profile.onyx.get_or_create(
        id="m2", defaults={"firstName": "Emmy", "lastName": "Noether"}
    )
    assert made and other.firstName == "Emmy"
    updated, made = Profile.onyx.update_or_create(id="m1", defaults={"age": 91})
    assert (updated.age, made) == (91, False) and _stored("m1")["age"] == 91  # type: ignore[index]
    assert [(name, kw.get("created")) for name, kw in caught] == [
        ("pre_save", None),
        ("post_save", True),
        ("pre_save", None),
        ("post_save", True),
        ("pre_save", None),
        ("post_save", False),
    ]


def test_manager_create_duplicate_is_integrity_error() -> None:
    with pytest.raises(IntegrityError):
        Profile.onyx.create(id="p1", firstName="A", lastName="B")


def test_queryset_delete_sends_per_row_signals_then_the_bulk_one(caught: Caught) -> None:
    count, _per_label = Profile.onyx.filter(age__gte=40).delete()
    assert count == 2
    names = [name for name, _ in caught]
    assert names.count("pre_delete") == 2 and names.count("post_delete") == 2
    assert names[-1] == "queryset_deleted" and caught[-1][1]["count"] == 2
    assert {kw["instance"].pk for name, kw in caught if name == "post_delete"} == {"p2", "p3"}


def test_bulk_paths_send_only_onyx_bulk_signals(caught: Caught) -> None:
    made = Profile.onyx.bulk_create(
        [
            Profile(id="b1", firstName="A", lastName="B"),
            Profile(id="b2", firstName="C", lastName="D"),
        ]
    )
    for profile in made:
        profile.age = 50
    Profile.onyx.bulk_update(made, ["age"])
    Profile.onyx.filter(pk__in=["b1", "b2"]).update(bio="bulk")
    assert [name for name, _ in caught] == ["bulk_created", "bulk_updated", "queryset_updated"]
    assert [p.pk for p in caught[0][1]["instances"]] == ["b1", "b2"]
    assert list(caught[1][1]["fields"]) == ["age"]
    assert caught[2][1]["values"] == {"bio": "bulk"} and caught[2][1]["count"] == 2


# -- async ----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_save_delete_refresh(caught: Caught) -> None:
    profile = Profile(id="a1", firstName="Async", lastName="Ada")
    await profile.asave()
    copy = await Profile.onyx.aget(pk="a1")
    profile.age = 7
    await profile.asave(update_fields=["age"])
    await copy.arefresh_from_db()
    assert copy.age == 7
    with pytest.raises(IntegrityError):
        await Profile(id="a1", firstName="A", lastName="B").asave(force_insert=True)
    assert await copy.adelete() == (1, {"people.Profile": 1})
    with pytest.raises(Profile.DoesNotExist):
        await profile.arefresh_from_db()
    assert [(n, kw.get("created")) for n, kw in caught] == [
        ("pre_save", None),
        ("post_save", True),
        ("pre_save", None),
        ("post_save", False),
        ("pre_save", None),
        ("pre_delete", None),
        ("post_delete", None),
    ]


def test_saving_a_loaded_instance_keeps_attributes_the_model_does_not_declare(
    caught: Caught,
) -> None:
    from onyx_django import connections

    connections.pool().save("UserProfile", {**_stored("p5"), "phone": "555-0100"})  # type: ignore[dict-item]
    dijkstra = Profile.onyx.get(pk="p5")
    dijkstra.bio = "Shortest paths"
    dijkstra.save()
    stored = _stored("p5")
    assert (stored["bio"], stored["phone"]) == ("Shortest paths", "555-0100")  # type: ignore[index]
    assert caught[-1][1]["created"] is False


def test_saving_a_loaded_instance_whose_record_is_gone_creates_it(caught: Caught) -> None:
    hopper = Profile.onyx.get(pk="p3")
    Profile.onyx.filter(pk="p3").delete()
    hopper.save()
    assert _stored("p3")["lastName"] == "Hopper"  # type: ignore[index]
    assert caught[-1] == ("post_save", caught[-1][1]) and caught[-1][1]["created"] is True


def test_expressions_in_a_save_are_not_supported(server: LocalServer) -> None:
    from django.db.models import F

    from onyx_django import NotSupportedError

    profile = Profile.onyx.get(pk="p1")
    profile.age = F("age") + 1  # type: ignore[assignment]
    server.reset_request_counts()
    with pytest.raises(NotSupportedError, match="expression"):
        profile.save()
    assert server.request_count("PUT", "/data/{db}/query/update/UserProfile") == 0
    assert _stored("p1")["age"] == 36  # type: ignore[index]


def test_meta_docstring_example_runs() -> None:
    import doctest

    import onyx_django._meta

    result = doctest.testmod(onyx_django._meta, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_choices_display_and_django_serializers() -> None:
    from django.core import serializers

    thing = Everything(id=uuid.uuid4(), name="a", count=1, size="L", color=Color.DARK_BLUE)
    assert thing.get_size_display() == "L"
    thing.color = "b"  # type: ignore[assignment]
    assert thing.get_color_display() == "Dark Blue"
    dumped = serializers.serialize("python", Profile.onyx.filter(pk="p1"))
    assert dumped[0]["model"] == "people.profile" and dumped[0]["pk"] == "p1"
    assert dumped[0]["fields"]["firstName"] == "Ada" and dumped[0]["fields"]["age"] == 36


def test_manager_create_with_missing_or_invalid_values_is_a_validation_error(
    server: LocalServer,
) -> None:
    server.reset_request_counts()
    with pytest.raises(ValidationError) as raised:
        Profile.onyx.create(id="v1", age="old")
    assert set(raised.value.message_dict) == {"firstName", "lastName", "age"}
    assert raised.value.message_dict["firstName"] == ["This field is required."]
    assert server.request_count("POST", "/data/{db}/{table}") == 0


def test_drf_model_serializer_fields_follow_the_meta_types() -> None:
    from rest_framework import serializers

    class EverythingSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
        class Meta:
            model = Everything
            fields = "__all__"

    fields = EverythingSerializer().fields
    kinds = {name: type(field).__name__ for name, field in fields.items()}
    assert kinds.pop("count") in {"IntegerField", "BigIntegerField"}  # DRF 3.16 / 3.17+
    assert kinds == {
        "id": "UUIDField",
        "name": "CharField",
        "ratio": "FloatField",
        "price": "DecimalField",
        "at": "DateTimeField",
        "day": "DateField",
        "when": "TimeField",
        "flag": "BooleanField",
        "tags": "JSONField",
        "blob": "JSONField",
        "size": "ChoiceField",
        "color": "ChoiceField",
        "wireName": "CharField",
    }
    assert fields["name"].max_length == 20 and fields["name"].required
    assert not fields["ratio"].required and fields["ratio"].allow_null
    thing = Everything(
        id=uuid.UUID(int=1),
        name="n",
        count=2,
        price=decimal.Decimal("1.50"),
        day=dt.date(2026, 1, 2),
        size="S",
        color=Color.RED,
    )
    data = EverythingSerializer(thing).data
    assert data["id"] == str(uuid.UUID(int=1)) and data["price"] == "1.50"
    assert (data["day"], data["size"], data["tags"], data["flag"]) == ("2026-01-02", "S", [], False)


def test_an_instance_loaded_with_only_saves_only_what_it_loaded(caught: Caught) -> None:
    partial = Profile.onyx.only("bio").get(pk="p2")
    assert partial.get_deferred_fields() == {"firstName", "lastName", "age", "userId", "createdAt"}
    assert "firstName" not in partial.__dict__ and partial.bio == "Computer scientist"
    partial.bio = "Enigma"
    partial.save()
    stored = _stored("p2")
    assert (stored["bio"], stored["firstName"], stored["age"]) == ("Enigma", "Alan", 41)  # type: ignore[index]
    assert caught[-1][1]["update_fields"] == frozenset({"bio"})
    assert partial.firstName == "Alan"  # a deferred field loads on access


class _WritesToAnalytics:
    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "analytics" if model is Profile else None

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return None


def test_instance_writes_follow_onyx_routers(caught: Caught) -> None:
    from django.test import override_settings

    with override_settings(ONYX_ROUTERS=[_WritesToAnalytics()]):
        profile = Profile(id="r9", firstName="Routed", lastName="Write")
        profile.save()
        assert profile._state.db == "analytics"
        profile.save(using="default")
        profile.delete()
    assert [(name, kw["using"]) for name, kw in caught] == [
        ("pre_save", "analytics"),
        ("post_save", "analytics"),
        ("pre_save", "default"),
        ("post_save", "default"),
        ("pre_delete", "analytics"),
        ("post_delete", "analytics"),
    ]
