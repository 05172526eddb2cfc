"""factory-boy factories shared by every app's tests."""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.accounts.models import User, WardRoleAssignment
from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Company, Membership
from machikoba.companies.validators import corporate_number_with_check_digit

TEST_PASSWORD = "test-pass-2026!"

# The wards of the tests: the factories' companies and officers are in 大田区; another
# ward's officer serves 墨田区 (both loaded by the wards app's migration).
OTA = "131113"
SUMIDA = "131075"


def ward(code: str = OTA):
    from machikoba.wards.models import Municipality

    return Municipality.objects.get(code=code)


TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    name = factory.Sequence(lambda n: f"利用者 {n}")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"テスト精機{n}株式会社")
    name_kana = factory.Sequence(lambda n: f"テストセイキ{n}")
    corporate_number = factory.Sequence(
        lambda n: corporate_number_with_check_digit(f"{700000000000 + n:012d}")
    )
    postal_code = "144-0051"
    prefecture = "東京都"
    municipality = "大田区"
    address_line = "西蒲田1丁目1番1号"
    employees = 12
    ward = factory.LazyFunction(ward)
    verified_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def search_index(self, create, extracted, **kwargs):
        # Services keep the index and the profile score current; factories bypass them,
        # so build both here.
        if create:
            from machikoba.companies.checklist import refresh_profile_score
            from machikoba.companies.search import search_index_update

            search_index_update(company=self)
            refresh_profile_score(self)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = CompanyRole.OWNER


class WardRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WardRoleAssignment

    user = factory.SubFactory(UserFactory)
    role = WardRole.OFFICER
    municipality = factory.LazyAttribute(
        lambda grant: None if grant.role == WardRole.METRO_VIEWER else ward()
    )


def give_totp(user, secret: str = TEST_TOTP_SECRET) -> Authenticator:
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(secret)}
    )


def totp_now(secret: str = TEST_TOTP_SECRET) -> str:
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def force_login_with_mfa(client, user) -> None:
    """``client.force_login`` plus the record allauth keeps when a sign-in passed TOTP,
    for tests of pages that officers and admins reach only after the second factor."""
    import time

    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )

    client.force_login(user)
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {
            "method": "mfa",
            "at": now,
            "type": "totp",
            "id": authenticator.pk if authenticator else 0,
        },
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()


def jpeg_bytes(width: int = 64, height: int = 48, color=(40, 90, 160)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG")
    return out.getvalue()


def make_equipment(company, **fields):
    from machikoba.companies.checklist import refresh_profile_score
    from machikoba.companies.models import Equipment

    equipment = Equipment.objects.create(
        company=company, kind=fields.pop("kind", "NC旋盤"), **fields
    )
    refresh_profile_score(company)  # as equipment_save does
    return equipment


def make_capability(company, process, *, materials=(), **fields):
    """A capability of ``process`` saved as the profile editor saves one
    (``capability_save``): its work envelope from its sizes, the company's search grams,
    coverage index and profile score kept with it."""
    from machikoba.companies.models import Capability
    from machikoba.companies.services import capability_save

    return capability_save(
        actor=None,
        company=company,
        capability=Capability(process=process, **fields),
        materials=list(materials),
    )


def make_photo(company):
    from django.core.files.base import ContentFile

    from machikoba.companies.checklist import refresh_profile_score
    from machikoba.companies.models import CompanyPhoto

    photo = CompanyPhoto(company=company, caption="工場の外観", width=64, height=48)
    photo.image.save("photo.jpg", ContentFile(jpeg_bytes()), save=True)
    refresh_profile_score(company)  # as photo_add does
    return photo
