"""The API token app's audit verbs with their labels (joined to core's table in ``ready``)."""

from django.utils.translation import gettext_lazy

AUDIT_VERBS = {
    "apitokens.token.create": gettext_lazy("APIトークンを発行"),
    "apitokens.token.revoke": gettext_lazy("APIトークンを失効"),
}
