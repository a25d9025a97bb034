"""``save_as_new`` on a relation formset whose child table generates its ids (identifier with a
UUID generator; the model's id optional, as ``onyx_gen`` declares it): the rows are copied as new
records with ids Onyx makes, as Django copies inline rows with new keys. Against a second Onyx
Local with such a schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.http import QueryDict

from onyx_database.local import LocalServer
from onyx_django import connections
from onyx_django.forms import relation_formset_factory
from onyx_django.models import OnyxModel, relation


def _entity(name: str, generator: str, attributes: dict[str, str], **extra: Any) -> Any:
    return {
        "name": name,
        "identifier": {"name": "id", "generator": generator, "type": "String"},
        "partition": "",
        "attributes": [{"name": key, "type": kind} for key, kind in attributes.items()],
        "resolvers": [],
        "triggers": [],
        "indexes": [],
        **extra,
    }


SCHEMA = {
    "entities": [
        _entity(
            "Crew",
            "None",
            {"id": "String", "name": "String"},
            resolvers=[
                {
                    "name": "badges",
                    "resolver": 'db.from("Badge").where(eq("crewId", this.id)).list()',
                }
            ],
        ),
        _entity("Badge", "UUID", {"id": "String", "crewId": "String", "label": "String"}),
    ]
}


class Badge(OnyxModel):
    id: str | None = None  # the table's UUID generator makes it
    crewId: str
    label: str

    class Meta:
        db_table = "Badge"
        app_label = "crew"


class Crew(OnyxModel):
    id: str
    name: str
    badges: list[Badge] | None = relation(cascade="Badge(crewId, id)")

    class Meta:
        db_table = "Crew"
        app_label = "crew"


@pytest.fixture(scope="module")
def generating_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    folder = tmp_path_factory.mktemp("save-as-generated")
    schema = folder / "onyx.schema.json"
    schema.write_text(json.dumps(SCHEMA))
    with LocalServer(folder / "data", schema=Path(schema)) as server:
        yield server


@pytest.fixture
def crew(generating_server: LocalServer, django_onyx: LocalServer) -> Iterator[Crew]:
    options = {
        "base_url": generating_server.url,
        "database_id": generating_server.database_id,
        "api_key": generating_server.api_key,
        "api_secret": generating_server.api_secret,
    }
    with connections.override(**options):
        Badge.onyx.all().delete()
        Crew.onyx.all().delete()
        first = Crew(id="c1", name="first")
        first.save()
        Badge(id="b1", crewId="c1", label="pilot").save()
        Badge(id="b2", crewId="c1", label="medic").save()
        yield Crew.onyx.get(pk="c1")
        connections.release_views()


def post(rows: list[dict[str, str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    data.update(
        {
            "badges-TOTAL_FORMS": str(len(rows)),
            "badges-INITIAL_FORMS": str(len(rows)),
            "badges-MIN_NUM_FORMS": "0",
            "badges-MAX_NUM_FORMS": "1000",
        }
    )
    for index, row in enumerate(rows):
        data.update({f"badges-{index}-{key}": value for key, value in row.items()})
    data._mutable = False  # as request.POST
    return data


def test_save_as_new_copies_the_rows_with_ids_onyx_makes(crew: Crew) -> None:
    BadgeFormSet = relation_formset_factory(Crew, "badges", fields=["id", "label"], extra=0)
    rows = [{"id": "b1", "label": "pilot"}, {"id": "b2", "label": "medic"}]
    copy = Crew(id="c2", name="second")
    formset = BadgeFormSet(post(rows), instance=copy, save_as_new=True)
    assert formset.is_valid(), formset.errors
    formset.save()
    copied = list(Badge.onyx.filter(crewId="c2"))
    assert sorted(b.label for b in copied) == ["medic", "pilot"]
    assert all(b.id and b.id not in ("b1", "b2") for b in copied)  # new records, new ids
    originals = {b.id: b.label for b in Badge.onyx.filter(crewId="c1")}
    assert originals == {"b1": "pilot", "b2": "medic"}  # the originals stay with their crew
    assert Crew.onyx.get(pk="c2").name == "second"
