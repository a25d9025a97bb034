"""URLconf of the admin tests: the stock admin site at ``/admin/``, a second one at
``/dated/``."""

from django.contrib import admin
from django.urls import path
from onyx_django_admin_site import dated_site

urlpatterns = [path("admin/", admin.site.urls), path("dated/", dated_site.urls)]
