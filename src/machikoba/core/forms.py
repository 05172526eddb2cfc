"""Form helpers shared by every app."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import construct_instance

from machikoba.core.errors import ApplicationError

_M = TypeVar("_M", bound=models.Model)

# The mixin always joins a Django form; the type checker is told so.
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class ApplicationErrorFormMixin(_FormBase):
    def add_application_error(self, error: ApplicationError) -> None:
        """Show a service's refusal beside the fields it names (others on top)."""
        if not error.fields:
            self.add_error(None, str(error.message))
            return
        for name, messages in error.fields.items():
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, str(message))


class ServiceModelForm(ApplicationErrorFormMixin, forms.ModelForm[_M]):
    """A ModelForm that only parses input into ``self.instance``.

    Model validation (``full_clean``) belongs to the service that saves the object,
    so it runs once, the same way for the UI, the API and imports; the view passes
    the service's ``ApplicationError`` back with ``add_application_error``.
    """

    def _post_clean(self) -> None:
        opts = self._meta
        try:
            self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)
        except ValidationError as error:
            # django-stubs leaves out the private BaseModelForm._update_errors.
            self._update_errors(error)  # type: ignore[attr-defined]


class ServiceForm(ApplicationErrorFormMixin, forms.Form):
    """A plain form whose data a service validates and saves."""
