"""Errors of the Django integration, rooted in Django's own exception classes.

::

    django.core.exceptions.ObjectDoesNotExist
     └── onyx_django.ObjectDoesNotExist          (``User.DoesNotExist`` subclasses this)
    django.core.exceptions.MultipleObjectsReturned
     └── onyx_django.MultipleObjectsReturned     (``User.MultipleObjectsReturned``)
    django.db.NotSupportedError
     └── onyx_django.NotSupportedError           (a Django queryset feature Onyx cannot express)
    django.db.IntegrityError + onyx_database.OnyxConflictError
     └── onyx_django.OnyxIntegrityError          (409: the id exists; ``force_insert``/``create``)
    django.db.DataError + onyx_database.OnyxClientError
     └── onyx_django.OnyxDataError               (400/422: the server refused the record)

Unknown fields and lookups raise Django's ``django.core.exceptions.FieldError``, as Django does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.core import exceptions as django_exceptions
from django.db import DataError, IntegrityError
from django.db import NotSupportedError as DjangoNotSupportedError

from onyx_database import OnyxClientError, OnyxConflictError, OnyxHTTPError

__all__ = [
    "MultipleObjectsReturned",
    "NotSupportedError",
    "ObjectDoesNotExist",
    "OnyxDataError",
    "OnyxIntegrityError",
    "django_errors",
]


class ObjectDoesNotExist(django_exceptions.ObjectDoesNotExist):
    """``get()`` found no record. ``except User.DoesNotExist`` catches the model's subclass."""


class MultipleObjectsReturned(django_exceptions.MultipleObjectsReturned):
    """``get()`` found more than one record."""


class NotSupportedError(DjangoNotSupportedError):
    """A queryset feature that Onyx cannot express; raised when the queryset is built."""


class OnyxIntegrityError(OnyxConflictError, IntegrityError):
    """409 on a write: a record with this id exists. ``except IntegrityError`` catches it, and so
    does ``except OnyxConflictError``."""


class OnyxDataError(OnyxClientError, DataError):
    """400/422 on a write: the server refused the record (a null in a non-nullable attribute,
    a missing identifier, a value of the wrong type). Also an :class:`OnyxClientError`."""


def _translated(exc: OnyxHTTPError, kind: type[OnyxHTTPError]) -> OnyxHTTPError:
    return kind(
        exc.message,
        status=exc.status,
        code=exc.code,
        body=exc.body,
        method=exc.method,
        url=exc.url,
        retry_after=exc.retry_after,
    )


@contextlib.contextmanager
def django_errors() -> Iterator[None]:
    """Re-raise Onyx write errors as the Django exceptions Django code catches::

        with django_errors():
            db.create("User", {"id": "u1"})      # 409 → OnyxIntegrityError (an IntegrityError)

    Other errors pass through unchanged.
    """
    try:
        yield
    except (OnyxIntegrityError, OnyxDataError):
        raise
    except OnyxConflictError as exc:
        raise _translated(exc, OnyxIntegrityError) from exc
    except OnyxClientError as exc:
        if exc.status in (400, 422):
            raise _translated(exc, OnyxDataError) from exc
        raise
