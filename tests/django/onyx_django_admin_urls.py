"""URLconf of the admin tests: the stock admin site at ``/admin/``."""

from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]
