"""GビズID sign-in on allauth's OpenID Connect provider (docs/gbizid.md).

settings.SOCIALACCOUNT_PROVIDERS names ``provider.StrictOpenIDConnectProvider`` as the
class of allauth's ``openid_connect`` provider; its URLs (``urls.py``) keep allauth's names
and paths (``/accounts/oidc/<provider_id>/login/`` and ``…/login/callback/``) and serve
the stricter views of ``views.py``. ``adapter.SocialAccountAdapter`` decides how a
GビズID relates to an account; ``signals`` records connections in the audit trail.
"""
