"""Errors of the Django integration, rooted in Django's own exception classes.

::

    django.core.exceptions.ObjectDoesNotExist
     └── onyx_django.ObjectDoesNotExist          (``User.DoesNotExist`` subclasses this)
    django.core.exceptions.MultipleObjectsReturned
     └── onyx_django.MultipleObjectsReturned     (``User.MultipleObjectsReturned``)
    django.db.NotSupportedError
     └── onyx_django.NotSupportedError           (a Django queryset feature Onyx cannot express)

Unknown fields and lookups raise Django's ``django.core.exceptions.FieldError``, as Django does.
"""

from __future__ import annotations

from django.core import exceptions as django_exceptions
from django.db import NotSupportedError as DjangoNotSupportedError

__all__ = ["MultipleObjectsReturned", "NotSupportedError", "ObjectDoesNotExist"]


class ObjectDoesNotExist(django_exceptions.ObjectDoesNotExist):
    """``get()`` found no record. ``except User.DoesNotExist`` catches the model's subclass."""


class MultipleObjectsReturned(django_exceptions.MultipleObjectsReturned):
    """``get()`` found more than one record."""


class NotSupportedError(DjangoNotSupportedError):
    """A queryset feature that Onyx cannot express; raised when the queryset is built."""
