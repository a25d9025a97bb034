"""The member form: a ``ModelForm`` of the generated ``User`` model, with two checks of its own."""

from __future__ import annotations

from typing import Any

from django import forms

from onyx_django.forms import OnyxModelForm

from .models import User


class UserForm(OnyxModelForm):
    email = forms.EmailField()

    class Meta:
        model = User
        fields = ["username", "email", "isActive"]

    def clean_username(self) -> Any:
        username = self.cleaned_data["username"]
        taken = User.onyx.filter(username=username).exclude(pk=self.instance.pk or "")
        if taken.exists():
            raise forms.ValidationError("This username is taken.")
        return username
