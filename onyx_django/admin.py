"""The stock Django admin for Onyx models: ``admin.site.register(Member, OnyxModelAdmin)``.

::

    # people/admin.py
    from django.contrib import admin
    from onyx_django.admin import OnyxModelAdmin
    from .models import Member

    @admin.register(Member)
    class MemberAdmin(OnyxModelAdmin):
        list_display = ["id", "username", "isActive"]
        search_fields = ["username", "email"]      # icontains lookups, sent to Onyx
        list_filter = ["isActive"]
        ordering = ["username"]

The changelist, search, filters, ordering and pagination become Onyx queries (a page is one
query with ``limit``/``skip`` plus a count; skipped rows are never transferred); forms are built
from the model; a write that Onyx refuses (409, 400/422) is shown as a form error. Permissions,
content types and history (``LogEntry``) live in the project's default SQL database, as for any
model (see :func:`ensure_permissions`). What Onyx cannot do raises ``NotSupportedError`` when the
admin class is registered. See ``docs/admin.md``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin import SimpleListFilter
from django.contrib.admin.utils import quote
from django.db import DataError, IntegrityError
from django.db.models.constants import LOOKUP_SEP
from django.db.models.signals import post_migrate
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from onyx_database import search as onyx_search

from ._admin_inlines import OnyxRelationInline
from ._admin_permissions import (
    create_after_migrate,
    ensure_permissions,
    registered_models,
    remember,
)
from ._admin_queryset import admin_queryset_class
from ._errors import NotSupportedError
from ._relations import save_with_children
from .forms import OnyxModelForm, OnyxRelationFormSet, add_write_error

__all__ = ["OnyxModelAdmin", "OnyxRelationInline", "ensure_permissions", "registered_models"]

post_migrate.connect(create_after_migrate, dispatch_uid="onyx_django.admin.permissions")


class _Refused(Exception):
    """A write Onyx refused during a change form's save: the form is shown again with it."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class OnyxModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """``ModelAdmin`` for an :class:`~onyx_django.models.OnyxModel`; everything of
    ``ModelAdmin`` that Onyx can express works as documented by Django.

    ``date_hierarchy`` drills down by year, month and day: each level lists its periods with
    one single-record query per period found (``QuerySet.dates()``), and a chosen period
    filters by range. Not supported (``NotSupportedError`` at registration):
    ``raw_id_fields``, ``autocomplete_fields``, ``filter_horizontal``, ``filter_vertical``,
    ``list_select_related = True`` (Onyx models have no foreign keys), inlines other
    than :class:`OnyxRelationInline` (a resolver's records, read-only, or editable where
    Onyx can save them by cascade), and an editable one on a relation Onyx cannot save.
    ``list_select_related = ["roles"]`` names Onyx resolvers, fetched with each page.
    """

    form = OnyxModelForm

    #: Send the search box's text to Onyx full-text search (Lucene, over every attribute of the
    #: record; the table must be SEARCHABLE) instead of ``icontains`` on ``search_fields``.
    #: ``search_fields`` must still be set: Django shows the box only then.
    full_text_search = False

    def __init__(self, model: type[Any], admin_site: Any) -> None:
        for option in (
            "raw_id_fields",
            "autocomplete_fields",
            "filter_horizontal",
            "filter_vertical",
        ):
            if getattr(self, option, None):
                raise NotSupportedError(
                    f"{type(self).__name__}.{option}: not supported for Onyx models "
                    "(see docs/admin.md)"
                )
        for inline in self.inlines:
            if not (isinstance(inline, type) and issubclass(inline, OnyxRelationInline)):
                raise NotSupportedError(
                    f"{type(self).__name__}.inlines: {inline!r} is not an "
                    "OnyxRelationInline; Onyx models have no foreign keys for Django's inlines "
                    "(see docs/admin.md)"
                )
            related = inline.relation_field(model).related_model
            if inline.editable:
                remember(related)  # its add/change/delete permissions guard the rows
        if self.list_select_related is True:
            raise NotSupportedError(
                f"{type(self).__name__}.list_select_related = True: Onyx has no foreign keys to "
                "follow; name the resolvers (list_select_related = ['roles'])"
            )
        super().__init__(model, admin_site)
        remember(model)

    # -- changelist ------------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset: Any = super().get_queryset(request)
        resolvers: Any = self.list_select_related  # names (True is refused at registration)
        if resolvers:
            queryset = queryset.select_related(*resolvers)
        clone = queryset._chain()
        clone.__class__ = admin_queryset_class(type(queryset))
        return clone

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        """Django's rule for a model without relations: any lookup on one of the model's own
        fields (or a ``SimpleListFilter``'s parameter); nothing else."""
        filters = self.get_list_filter(request) if request is not None else self.list_filter
        for item in filters:
            if (
                isinstance(item, type)
                and issubclass(item, SimpleListFilter)
                and item.parameter_name == lookup
            ):
                return True
        name = lookup.split(LOOKUP_SEP, 1)[0]
        return name == "pk" or name in {field.name for field in self.model._meta.concrete_fields}

    def get_search_results(
        self, request: HttpRequest, queryset: Any, search_term: str
    ) -> tuple[Any, bool]:
        if self.full_text_search and search_term.strip():
            return queryset.filter(onyx_search(search_term.strip())), False
        return super().get_search_results(request, queryset, search_term)

    # -- saving ----------------------------------------------------------------------------------

    def _create_formsets(self, request: HttpRequest, obj: Any, change: bool) -> Any:
        formsets, inline_instances = super()._create_formsets(request, obj, change)  # type: ignore[misc]
        request._onyx_cascades = [  # type: ignore[attr-defined]
            formset for formset in formsets if isinstance(formset, OnyxRelationFormSet)
        ]
        return formsets, inline_instances

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Save the record; when an editable inline has rows to write, the record is written
        with them instead, by :meth:`save_related` (one cascade request)."""
        cascades: list[Any] = getattr(request, "_onyx_cascades", [])
        for formset in cascades:
            formset.save(commit=False)
        if any(formset.has_changes() for formset in cascades):
            return
        try:
            # an add never replaces a record created with the same id meanwhile (a 409)
            obj.save(force_insert=not change)
        except (IntegrityError, DataError) as exc:
            raise _Refused(exc) from exc

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The editable inlines' rows, with the record, in one cascade request (then one
        delete by query per inline with removed rows); the other inlines as Django does."""
        cascades: list[Any] = getattr(request, "_onyx_cascades", [])
        for formset in cascades:  # again: an overridden save_model() may not have called it
            formset.save(commit=False)
        changed = [formset for formset in cascades if formset.has_changes()]
        if changed:
            try:
                # a new record is inserted (a taken id is a 409), unless an overridden
                # save_model() saved it already
                save_with_children(form.instance, [formset.changes() for formset in changed])
            except (IntegrityError, DataError) as exc:
                raise _Refused(exc) from exc
        form.save_m2m()
        for formset in formsets:
            if formset not in cascades:
                self.save_formset(request, form, formset, change=change)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change, **kwargs)
        refusal: BaseException | None = getattr(request, "_onyx_refusal", None)
        if refusal is None:
            return form_class

        class RefusedForm(form_class):  # type: ignore[valid-type,misc]
            def _post_clean(self) -> None:
                super()._post_clean()
                add_write_error(self, refusal)  # type: ignore[arg-type]

        RefusedForm.__name__ = form_class.__name__
        return RefusedForm

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refused:
            # Shown again as Django shows an invalid form: the same POST, now with the
            # refusal as an error of the form (no second write is attempted).
            request._onyx_refusal = refused.error  # type: ignore[attr-defined]
            return super().changeform_view(request, object_id, form_url, extra_context)

    # -- deleting --------------------------------------------------------------------------------

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """What a delete removes: the records themselves (Onyx deletes cascade only where the
        schema says so, which the admin cannot see)."""
        opts = self.model._meta
        items = []
        count = 0
        for obj in objs:
            count += 1
            try:
                url = reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                    args=(quote(obj.pk),),
                )
            except NoReverseMatch:
                items.append(f"{opts.verbose_name.capitalize()}: {obj}")
            else:
                items.append(
                    format_html('{}: <a href="{}">{}</a>', opts.verbose_name.capitalize(), url, obj)
                )
        perms_needed = set() if self.has_delete_permission(request) else {opts.verbose_name}
        name = opts.verbose_name if count == 1 else opts.verbose_name_plural
        return items, {name: count}, perms_needed, []
