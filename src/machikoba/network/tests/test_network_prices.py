"""The network's price range on the plan page (issue 15, finding 2): no company may read
back another company's confidential price from it, however many quotes it plants."""

import datetime as dt
from fractions import Fraction
from statistics import median

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from machikoba.board import services as board
from machikoba.companies.choices import CompanyKind, CompanyRole
from machikoba.companies.models import Company
from machikoba.companies.services import company_create
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory, UserFactory
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER
from machikoba.network import services
from machikoba.network.planning import prices
from machikoba.network.planning.prices import PriceBook, network_range
from machikoba.network.tests.factories import deadline, make_job, process
from machikoba.network.tests.test_network_plan import HEAT, HOME, _shop

pytestmark = pytest.mark.clock_sensitive

# The victim's confidential quote: 73,400円 for 10 pieces (7,340円 a piece).
VICTIM_PRICE, VICTIM_QUANTITY = 73_400, 10


def _established(*companies):
    """Back-date companies past the platform's ``ESTABLISHED_DAYS``."""
    then = timezone.now() - dt.timedelta(days=prices.ESTABLISHED_DAYS + 30)
    Company.objects.filter(pk__in=[c.pk for c in companies]).update(created_at=then)


def _owner_of(company):
    return MembershipFactory(company=company, role=CompanyRole.OWNER).user


def _quote(buyer_user, buyer, shop_user, shop, *, price, quantity=VICTIM_QUANTITY):
    """``buyer`` asks ``shop`` to quote a single 焼入れ step; ``shop`` answers ``price``,
    all through the services a person's clicks run."""
    job = make_job(buyer_user, buyer, route=((HEAT, False),), quantity=quantity)
    rfq = services.rfq_send(
        actor=buyer_user,
        job=job,
        steps=[job.steps.get()],
        recipients=[shop],
        deadline=deadline(),
    )
    services.quote_submit(
        actor=shop_user,
        recipient=rfq.recipients.get(company=shop),
        price=price,
        lead_time_days=5,
        valid_until=timezone.localdate() + dt.timedelta(days=30),
    )


def _plan_price_cell(client, job) -> str:
    page = client.get(reverse("network:job_plan", args=[job.pk])).content.decode()
    row = page[page.index('data-testid="plan-row-1"') :]
    return row[: row.index("</tr>")]


@pytest.fixture
def victim(world):
    """An established 熱処理 shop that quoted a real buyer in confidence."""
    world.company.latitude, world.company.longitude = HOME
    world.company.save()
    shop = _shop("被害者熱処理", lead_time_days=3)
    buyer = CompanyFactory(name="本物の発注元", kind=CompanyKind.BUYER)
    buyer_user, shop_user = _owner_of(buyer), _owner_of(shop)
    _established(shop, buyer)
    _quote(buyer_user, buyer, shop_user, shop, price=VICTIM_PRICE)
    return shop


def test_planted_quotes_do_not_reveal_a_competitors_price_on_the_plan_page(world, victim):
    """The attack of the finding: around the victim's single quote, the attacker plants
    two quotes far below and two far above it. The old network median (5 quotes, 3
    companies) was then exactly the victim's price on the attacker's plan page."""
    attacker = world.users[MEMBER]  # owner of world.company, a shop like the victim
    # The attacker cannot register shops: only the ward does.
    with pytest.raises(PermissionRefused):
        company_create(actor=attacker, name="ダミー工業", kind=CompanyKind.SHOP)
    # It registers buyers with fresh accounts (one each: a person registers one a day).
    planters = []
    for n in range(3):
        person = UserFactory()
        company = board.buyer_register(actor=person, name=f"ダミー購買{n}", ip_address=None)
        planters.append((person, company))
    (asker_user, asker), (low_user, low), (high_user, high) = planters
    for price in (1_000, 2_000):
        _quote(asker_user, asker, low_user, low, price=price)
    for price in (900_000, 990_000, 995_000):
        _quote(asker_user, asker, high_user, high, price=price)
    # ... and through its own shop as well: 7 quotes from 4 companies, the victim's the
    # middle one.
    _quote(asker_user, asker, attacker, world.company, price=500)

    job = make_job(attacker, world.company, route=((HEAT, False),), quantity=VICTIM_QUANTITY)
    cell = _plan_price_cell(world.client_for(MEMBER), job)

    assert "被害者熱処理" in cell
    assert f"{VICTIM_PRICE:,}円" not in cell
    assert "価格の手がかりなし" in cell  # no independent, established sources: nothing


def test_with_enough_real_sources_the_page_shows_only_a_coarse_range(world, victim):
    """Five established, independent shops besides the victim: the page shows a range
    widened to two significant figures; the attacker's planting from its own shop and
    from many quotes of one colluding shop moves nothing."""
    buyer = CompanyFactory(name="別の発注元", kind=CompanyKind.BUYER)
    buyer_user = _owner_of(buyer)
    units = (5_120, 6_030, 8_270, 9_910, 11_480)
    for n, unit in enumerate(units):
        shop = _shop(f"独立熱処理{n}", lead_time_days=3)
        shop_user = _owner_of(shop)
        _established(shop, buyer)
        for _ in range(2):
            _quote(buyer_user, buyer, shop_user, shop, price=unit * VICTIM_QUANTITY)
    attacker = world.users[MEMBER]
    job = make_job(attacker, world.company, route=((HEAT, False),), quantity=VICTIM_QUANTITY)
    before = _plan_price_cell(world.client_for(MEMBER), job)

    # Companies' values: 5,120 6,030 7,340 (victim) 8,270 9,910 11,480: the quartiles by
    # nearest rank are 6,030 and 9,910, published as 6,000 and 10,000 a piece.
    assert "60,000円〜100,000円" in before
    assert f"{VICTIM_PRICE:,}円" not in before

    colluder = _shop("協力熱処理", lead_time_days=3)
    colluder_user = _owner_of(colluder)
    _established(colluder)
    for price in (10, 20, 30, 40, 50, 60):  # six quotes, far below: they count once
        _quote(buyer_user, buyer, colluder_user, colluder, price=price)
    _quote(buyer_user, buyer, attacker, world.company, price=20)  # its own: never counts
    after = _plan_price_cell(world.client_for(MEMBER), job)
    # 7 companies now: ranks 2 and 6 are 5,120 and 9,910: the low bound moved to the
    # neighbouring honest value, not to a planted one nor to the victim's.
    assert "51,000円〜100,000円" in after
    assert f"{VICTIM_PRICE:,}円" not in after


def _network(owner_user, owner):
    return PriceBook(user=owner_user, owner=owner, process=process(HEAT), quantity=1).network


def test_only_independent_established_shops_count(world):
    owner = world.company
    owner_user = world.users[MEMBER]
    buyer = CompanyFactory(name="発注元", kind=CompanyKind.BUYER)
    buyer_user = _owner_of(buyer)
    shops = []
    for n in range(5):
        shop = _shop(f"熱処理{n}")
        shops.append((shop, _owner_of(shop)))
        _established(shop)
    _established(buyer)
    for shop, user in shops:
        for _ in range(2):
            _quote(buyer_user, buyer, user, shop, price=1_000)
    assert _network(owner_user, owner) == (Fraction(100), Fraction(100))

    # A young shop's quotes do not count: four established sources are too few.
    young, _young_user = shops[0]
    Company.objects.filter(pk=young.pk).update(created_at=timezone.now())
    assert _network(owner_user, owner) is None
    _established(young)
    # Nor an inactive shop's, nor a buyer's.
    Company.objects.filter(pk=young.pk).update(is_active=False)
    assert _network(owner_user, owner) is None
    Company.objects.filter(pk=young.pk).update(is_active=True, kind=CompanyKind.BUYER)
    assert _network(owner_user, owner) is None
    Company.objects.filter(pk=young.pk).update(kind=CompanyKind.SHOP)
    assert _network(owner_user, owner) is not None
    # Nor quotes on the RFQs of a young or inactive buyer.
    Company.objects.filter(pk=buyer.pk).update(created_at=timezone.now())
    assert _network(owner_user, owner) is None
    Company.objects.filter(pk=buyer.pk).update(is_active=False)
    _established(buyer)
    assert _network(owner_user, owner) is None
    Company.objects.filter(pk=buyer.pk).update(is_active=True)
    assert _network(owner_user, owner) is not None


def test_the_askers_related_companies_count_neither_as_sources_nor_as_askers(world):
    owner = world.company
    owner_user = world.users[MEMBER]
    buyer = CompanyFactory(name="発注元", kind=CompanyKind.BUYER)
    buyer_user = _owner_of(buyer)
    shops = []
    for n in range(5):
        shop = _shop(f"熱処理{n}")
        shops.append((shop, _owner_of(shop)))
    _established(buyer, *[s for s, _u in shops])
    for shop, user in shops:
        for _ in range(2):
            _quote(buyer_user, buyer, user, shop, price=1_000)
    assert _network(owner_user, owner) is not None

    # A source shop that shares a person (here the asker's floor worker) is related.
    related, _user = shops[0]
    MembershipFactory(company=related, user=world.users[FLOOR_WORKER], role="staff")
    assert _network(owner_user, owner) is None
    related.memberships.filter(user=world.users[FLOOR_WORKER]).delete()
    assert _network(owner_user, owner) is not None
    # So is one with the asker's invoice registration number.
    Company.objects.filter(pk=owner.pk).update(invoice_number="T1234567890123")
    Company.objects.filter(pk=related.pk).update(invoice_number="T1234567890123")
    owner.refresh_from_db()
    assert _network(owner_user, owner) is None
    Company.objects.filter(pk=related.pk).update(invoice_number="")
    # The asker's own buyer (sharing its owner) asked for all the quotes: its own data.
    MembershipFactory(company=buyer, user=owner_user, role="owner")
    assert _network(owner_user, owner) is None


def test_self_dealing_quotes_do_not_count(world):
    """A shop that answers RFQs of a buyer sharing a person with it plants at will: those
    quotes never count."""
    owner, owner_user = world.company, world.users[MEMBER]
    real = CompanyFactory(name="発注元", kind=CompanyKind.BUYER)
    real_user = _owner_of(real)
    shops = []
    for n in range(5):
        shop = _shop(f"熱処理{n}")
        shops.append((shop, _owner_of(shop)))
    _established(real, *[s for s, _u in shops])
    for shop, user in shops[:4]:
        for _ in range(2):
            _quote(real_user, real, user, shop, price=1_000)
    planter, planter_user = shops[4]
    own_buyer = CompanyFactory(name="自作の発注元", kind=CompanyKind.BUYER)
    MembershipFactory(company=own_buyer, user=planter_user, role="owner")
    _established(own_buyer)
    for price in (10, 20):
        _quote(planter_user, own_buyer, planter_user, planter, price=price)
    assert _network(owner_user, owner) is None  # four honest sources only


def test_a_person_registers_one_buyer_a_day_and_an_address_three(world):
    person = UserFactory()
    board.buyer_register(actor=person, name="購買一", ip_address="198.51.100.7")
    with pytest.raises(ApplicationError) as again:
        board.buyer_register(actor=person, name="購買二", ip_address="198.51.100.8")
    assert again.value.code == "buyer_registration_limit"
    for n in range(2):
        board.buyer_register(actor=UserFactory(), name=f"別人{n}", ip_address="198.51.100.7")
    with pytest.raises(ApplicationError) as address:
        board.buyer_register(actor=UserFactory(), name="四社目", ip_address="198.51.100.7")
    assert address.value.code == "buyer_registration_limit"
    assert not Company.objects.filter(name__in=["購買二", "四社目"]).exists()
    # A day later the person may register again.
    from machikoba.core.models import AuditEvent

    AuditEvent.objects.filter(verb="company.register_buyer").update(
        occurred_at=timezone.now() - dt.timedelta(days=1, minutes=1)
    )
    board.buyer_register(actor=person, name="購買二", ip_address="198.51.100.7")


def test_the_registration_page_refuses_past_the_limit(world, client):
    person = UserFactory()
    client.force_login(person)
    url = reverse("board:buyer_register")
    form = {"name": "川崎精密 購買課", "prefecture": "神奈川県", "municipality": "川崎市"}
    assert client.post(url, form).status_code == 302
    response = client.post(url, {**form, "name": "二社目"}, follow=True)
    assert "発注企業の登録が多すぎます" in response.content.decode()
    assert not Company.objects.filter(name="二社目").exists()


# --- the published range as a function of each company's unit prices ----------------------

unit_prices = st.lists(
    st.fractions(min_value=Fraction(1, 100), max_value=Fraction(10**7)).map(
        lambda f: f.limit_denominator(1000)
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(
    others=st.lists(unit_prices, min_size=prices.NETWORK_MIN_COMPANIES - 1, max_size=12),
    first=unit_prices,
    second=unit_prices,
)
def test_one_company_cannot_move_a_bound_past_the_other_companies_values(others, first, second):
    """Whatever one company quotes (one quote or many, at any prices), each published
    bound stays between the neighbouring values of the *other* companies, rounded to the
    bucket: it cannot drag the range, and its own value shows only where the others'
    values already enclose it. Planting many quotes counts as one value."""
    # Each list three times over: the same median, and enough quotes to publish.
    book = {company: p * 3 for company, p in enumerate(others)}
    values = sorted(Fraction(median(p)) for p in others)  # the other companies' values
    n = len(values) + 1
    rank = -(-n // 4)  # nearest rank of the quartiles, as published
    for mine in (first, second):
        published = network_range({**book, -1: mine})
        assert published is not None
        low, high = published
        # The k-th smallest of n values lies between the (k-1)-th and k-th of the others.
        assert prices.bucket_down(values[rank - 2]) <= low <= prices.bucket_down(values[rank - 1])
        assert prices.bucket_up(values[n - rank - 1]) <= high <= prices.bucket_up(values[n - rank])
    # Many quotes from one company at its median count as that one value.
    many = network_range({**book, -1: first * 5})
    assert many == network_range({**book, -1: first})


@settings(max_examples=300, deadline=None)
@given(st.fractions(min_value=Fraction(1, 1000), max_value=Fraction(10**9)))
def test_buckets_keep_two_significant_figures_outwards(value):
    down, up = prices.bucket_down(value), prices.bucket_up(value)
    assert down <= value <= up
    assert up - down <= value / 10 + Fraction(1, 10**12)
    for bound in (down, up):
        digits = str(bound.numerator * 10**12 // bound.denominator).rstrip("0")
        assert len(digits) <= 2


def test_below_the_minimums_nothing_is_published():
    four = {c: [Fraction(1_000 + c)] * 5 for c in range(prices.NETWORK_MIN_COMPANIES - 1)}
    assert network_range(four) is None  # 20 quotes, too few companies
    five = {c: [Fraction(1_000 + c)] for c in range(prices.NETWORK_MIN_COMPANIES)}
    assert network_range(five) is None  # 5 companies, too few quotes
