"""Mixins for Django's generic views: an Onyx write refusal as a form error (not a 500), and
cursor pagination for ``ListView``.

Django's ``CreateView`` / ``UpdateView`` work unmodified with an
:class:`~onyx_django.models.OnyxModel` (duplicate ids and invalid values are caught while the
form validates). What no validation can catch is a refusal of the write itself: a record with
the same id created in between (409), or a value the server's schema rejects (400/422). With
the mixin, the form is shown again with the error::

    from django.views.generic import CreateView
    from onyx_django.views import OnyxFormMixin

    class ProfileCreate(OnyxFormMixin, CreateView):
        model = Profile
        fields = ["id", "firstName", "lastName"]
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import InvalidPage
from django.db import DataError, IntegrityError
from django.http import Http404, HttpResponse

from .forms import add_write_error, modelform_factory
from .pagination import OnyxCursorPaginator

__all__ = ["OnyxCursorPaginationMixin", "OnyxFormMixin"]


class OnyxFormMixin:
    """Put before ``CreateView`` / ``UpdateView``: the form class defaults to an
    :class:`~onyx_django.forms.OnyxModelForm`, and a 409/400/422 on save re-renders the form
    with the error (status 200, as any invalid form)."""

    def get_form_class(self) -> Any:
        view: Any = self
        if getattr(view, "fields", None) is not None and getattr(view, "form_class", None) is None:
            model = view.model if view.model is not None else view.get_queryset().model
            return modelform_factory(model, fields=view.fields)
        return super().get_form_class()  # type: ignore[misc]

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            response: HttpResponse = super().form_valid(form)  # type: ignore[misc]
        except (IntegrityError, DataError) as exc:
            if not form.errors:
                add_write_error(form, exc)
            invalid: HttpResponse = self.form_invalid(form)  # type: ignore[attr-defined]
            return invalid
        return response


class OnyxCursorPaginationMixin:
    """Put before ``ListView``: pages come from :class:`~onyx_django.pagination.
    OnyxCursorPaginator`, the page's cursor from ``?cursor=`` (``cursor_kwarg``), so a deep page
    costs one request. ``page_obj.next_cursor`` links the next page; an invalid or expired
    cursor is a 404::

        class ProfileList(OnyxCursorPaginationMixin, ListView):
            model = Profile
            paginate_by = 25

        # template: <a href="?cursor={{ page_obj.next_cursor|urlencode }}">next</a>
    """

    paginator_class = OnyxCursorPaginator
    cursor_kwarg = "cursor"

    def paginate_queryset(self, queryset: Any, page_size: int) -> tuple[Any, Any, Any, bool]:
        view: Any = self
        paginator = view.get_paginator(
            queryset,
            page_size,
            orphans=view.get_paginate_orphans(),
            allow_empty_first_page=view.get_allow_empty(),
        )
        cursor = view.request.GET.get(self.cursor_kwarg) or None
        try:
            page = paginator.page(cursor)
        except InvalidPage as exc:
            raise Http404(str(exc)) from exc
        return paginator, page, page.object_list, page.has_other_pages()
