"""Every URL of the site against every role (P8): who may reach each page, and that a refused POST changes nothing.

The URL list comes from the URLconf itself (Candor's, allauth's and django-admin's), so a new page fails
``test_every_url_in_the_urlconf_has_a_rule`` until someone writes its rule in ``RULES`` below.
"""

import datetime
import re
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib import admin as admin_site
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from accounts.models import User
from surveys import roster
from surveys.models import Question, RosterImport, Round
from tests import factories
from tests.factories import PersonFactory, QuestionFactory, RoundFactory, RoundQuestionFactory
from tests.rounds import open_round_with

ANONYMOUS, EMPLOYEE, HR, ADMIN, OUTSIDER, SUPERUSER = "anonymous", "employee", "hr", "admin", "outsider", "superuser"
PERSONAS = (ANONYMOUS, EMPLOYEE, HR, ADMIN, OUTSIDER)
# Only django-admin is tried as a superuser: a superuser holds every permission, so elsewhere it proves nothing.
ADMIN_SITE_PERSONAS = (*PERSONAS, SUPERUSER)

EVERYONE = frozenset(ADMIN_SITE_PERSONAS)
SIGNED_IN = EVERYONE - {ANONYMOUS}
EMPLOYEES = frozenset({EMPLOYEE, HR, ADMIN})  # HR analysts and survey admins are employees too
HR_ONLY = frozenset({HR})
ADMIN_ONLY = frozenset({ADMIN})
STAFF = frozenset({SUPERUSER})
NOBODY = frozenset()

# What a response means for the person who got it.
OK, LOGIN, FORBIDDEN, NOT_FOUND, ELSEWHERE, NOT_ALLOWED = "ok", "login", "forbidden", "not found", "elsewhere", "405"
REFUSALS = {LOGIN, FORBIDDEN, NOT_FOUND}


@dataclass(frozen=True)
class Rule:
    """Who reaches a page (200), who is sent on somewhere that is not a refusal, and which methods it takes.

    Everyone else must be refused: sent to a login page, 403 or 404.
    """

    reach: frozenset
    sent_on: frozenset = NOBODY
    post: bool = False
    get: bool = True  # False: a POST-only action, which answers a GET with 405 whoever asks
    round: str = "closed"  # the state of the round a <round_id> is filled with
    exceptions: tuple = ()  # (persona, outcome) pairs the groups above do not describe


def employee_page(**kwargs) -> Rule:
    return Rule(reach=EMPLOYEES, **kwargs)


def hr_page(**kwargs) -> Rule:
    return Rule(reach=HR_ONLY, **kwargs)


def admin_page(**kwargs) -> Rule:
    return Rule(reach=ADMIN_ONLY, **kwargs)


def admin_action(**kwargs) -> Rule:
    """A survey admin's button: POST only, and the admin is sent back to the page it was on."""
    return Rule(reach=NOBODY, sent_on=ADMIN_ONLY, post=True, get=False, **kwargs)


def signed_in_page(**kwargs) -> Rule:
    return Rule(reach=SIGNED_IN - {SUPERUSER}, **kwargs)


def signed_in_step(**kwargs) -> Rule:
    """An allauth step for people logged in that first sends them elsewhere (to reauthenticate, or on)."""
    return Rule(reach=NOBODY, sent_on=SIGNED_IN - {SUPERUSER}, **kwargs)


def public_page(**kwargs) -> Rule:
    return Rule(reach=frozenset(PERSONAS), **kwargs)


def guest_page() -> Rule:
    """Logging in and its helpers: for visitors; people already logged in are sent on to their home page."""
    return Rule(reach=frozenset({ANONYMOUS}), sent_on=SIGNED_IN - {SUPERUSER}, post=True)


def staff_page(**kwargs) -> Rule:
    """django-admin: staff only. Survey admins are not staff; they manage everything from Candor's own pages."""
    return Rule(reach=STAFF, **kwargs)


def staff_redirect() -> Rule:
    """django-admin's ``<object_id>/`` shortcut: staff are sent on to the change page, everyone else to log in."""
    return Rule(reach=NOBODY, sent_on=STAFF)


# One rule per URL pattern: by name, or by route for the few django-admin patterns without a name.
RULES: dict[str, Rule] = {
    # --- Candor ----------------------------------------------------------------------------------------------
    "home": Rule(reach=frozenset({ANONYMOUS}), sent_on=EMPLOYEES),  # the outsider is told to ask for a role: 403
    "healthz": public_page(),
    "feedback:receipt_check": public_page(post=True),
    "reports:what_hr_sees": signed_in_page(),
    "surveys:employee_home": employee_page(),
    "surveys:round_answer": employee_page(post=True, round="open"),
    "surveys:open_feedback": employee_page(post=True),
    "reports:results": employee_page(),
    "reports:round_results": employee_page(),
    "reports:home": hr_page(),
    "reports:round": hr_page(),
    "reports:round_export": hr_page(),
    "reports:trends": hr_page(),
    "reports:trends_export": hr_page(),
    "reports:open_feedback": hr_page(),
    "reports:open_feedback_export": hr_page(),
    "surveys:change_log": hr_page(),
    "surveys:manage_home": admin_page(),
    "surveys:question_list": admin_page(),
    "surveys:question_new": admin_page(post=True),
    "surveys:question_library_seed": admin_action(),
    "surveys:question_edit": admin_page(post=True),
    "surveys:question_move": admin_action(),
    "surveys:question_archive": admin_action(),
    "surveys:question_unarchive": admin_action(),
    "surveys:round_new": admin_page(post=True),
    "surveys:round_detail": admin_page(post=True, round="draft"),
    "surveys:round_questions": admin_action(round="draft"),
    "surveys:round_schedule": admin_action(round="draft"),
    "surveys:round_unschedule": admin_action(round="scheduled"),
    "surveys:round_open": admin_page(post=True, round="draft"),
    "surveys:round_close": admin_page(post=True, round="open"),
    "surveys:roster": admin_page(post=True),
    "surveys:roster_example": admin_page(),
    "surveys:roster_import_preview": admin_page(),
    "surveys:roster_import_apply": admin_action(),
    "surveys:roster_import_cancel": admin_action(),
    # --- allauth: accounts come from the roster, so signing up is closed to everyone --------------------------
    "account_login": guest_page(),
    "account_signup": guest_page(),  # shows "sign up is closed" to visitors; a test below proves a POST makes no one
    "account_reset_password": public_page(post=True),  # also for people logged in who forgot their password
    "account_reset_password_done": public_page(),
    "account_reset_password_from_key": public_page(post=True),  # a bad key: "the link is invalid"
    "account_reset_password_from_key_done": public_page(),
    "account_request_login_code": guest_page(),
    "account_confirm_login_code": Rule(reach=NOBODY, sent_on=frozenset(PERSONAS)),  # only inside a pending login
    "account_inactive": public_page(),
    "account_email_verification_sent": public_page(),
    "account_confirm_email": public_page(post=True),  # a bad key: "this link has expired or is invalid"
    "account_logout": signed_in_page(post=True),
    "account_email": signed_in_page(post=True),
    "account_change_password": signed_in_page(post=True),
    "account_set_password": Rule(reach=NOBODY, sent_on=SIGNED_IN - {SUPERUSER}, post=True),  # has one: change it
    "account_reauthenticate": signed_in_page(post=True),
    "mfa_index": signed_in_page(),
    "mfa_authenticate": signed_in_step(post=True),  # only inside a pending login
    # Only people with a second factor can reauthenticate with it; the others are sent to reauthenticate otherwise.
    "mfa_reauthenticate": Rule(reach=frozenset({HR, ADMIN}), sent_on=frozenset({EMPLOYEE, OUTSIDER}), post=True),
    # Changing a second factor first asks the person to reauthenticate (a forced login in a test has not).
    "mfa_activate_totp": signed_in_step(post=True),
    "mfa_deactivate_totp": Rule(reach=NOBODY, sent_on=frozenset({HR, ADMIN}), post=True),  # no TOTP: 404
    "mfa_view_recovery_codes": Rule(reach=NOBODY, sent_on=NOBODY),
    "mfa_generate_recovery_codes": signed_in_step(post=True),
    "mfa_download_recovery_codes": Rule(reach=NOBODY, sent_on=NOBODY),
    # --- django-admin: staff only; the site lists accounts and groups, never a response ----------------------
    "admin:index": staff_page(),
    # Through allauth (two-factor applies); a logged-in non-staff person is refused, staff are sent to the index.
    "admin:login": Rule(reach=NOBODY, sent_on=STAFF, post=True),
    # Staff log out by POST only; anyone else is sent to the index, which sends them to log in.
    "admin:logout": Rule(reach=NOBODY, sent_on=frozenset(PERSONAS), post=True, exceptions=((SUPERUSER, NOT_ALLOWED),)),
    "admin:password_change": staff_page(post=True),
    "admin:password_change_done": staff_page(),
    "admin:autocomplete": Rule(reach=NOBODY),  # without a field to complete, even staff get 403
    "admin:jsi18n": staff_page(),
    "admin:view_on_site": Rule(reach=NOBODY),  # no registered model has a public page: 404 even for staff
    "admin:app_list": staff_page(),
    "django-admin/(?P<url>.*)$": Rule(reach=NOBODY),  # staff get a 404
    **{
        f"admin:{model}_{page}": staff_page(post=page != "history")
        for model in ("auth_group", "account_emailaddress", "mfa_authenticator", "accounts_user")
        for page in ("changelist", "add", "history", "delete", "change")
    },
    **{
        f"django-admin/{model}/<path:object_id>/": staff_redirect()
        for model in ("auth/group", "account/emailaddress", "mfa/authenticator", "accounts/user")
    },
    "admin:auth_user_password_change": staff_page(post=True),
    # The change log: staff may read it there too, but nobody, superusers included, adds, edits or deletes an entry.
    "admin:auditlog_logentry_changelist": staff_page(),
    "admin:auditlog_logentry_history": staff_page(),
    "admin:auditlog_logentry_change": staff_page(post=True),  # a read-only page: a superuser's POST gets 403
    "admin:auditlog_logentry_add": Rule(reach=NOBODY, post=True),
    "admin:auditlog_logentry_delete": Rule(reach=NOBODY, post=True),
    "django-admin/auditlog/logentry/<path:object_id>/": staff_redirect(),
}


# --- the URLconf -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    key: str
    name: str | None
    route: str
    params: tuple[str, ...]


def _params(pattern) -> tuple[str, ...]:
    if isinstance(pattern, RoutePattern):
        return tuple(pattern.converters)
    return tuple(pattern.regex.groupindex)


def _walk(resolver: URLResolver, route: str = "", namespace: str = "", params: tuple = ()):
    for pattern in resolver.url_patterns:
        here = route + str(pattern.pattern)
        found = params + _params(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern, here, inner, found)
        elif isinstance(pattern, URLPattern):
            name = namespace + pattern.name if pattern.name else None
            yield Entry(key=name or here, name=name, route=here, params=found)


def urlconf_entries() -> list[Entry]:
    return list(_walk(get_resolver()))


ENTRIES = urlconf_entries()


def test_every_url_in_the_urlconf_has_a_rule():
    without_rule = [entry.key for entry in ENTRIES if entry.key not in RULES]

    assert without_rule == [], "new page without a rule in tests/test_access_matrix.py RULES"


def test_every_rule_names_a_url_that_still_exists():
    assert set(RULES) - {entry.key for entry in ENTRIES} == set()


def test_the_url_list_reaches_into_allauth_and_django_admin():
    keys = {entry.key for entry in ENTRIES}

    assert {"surveys:round_answer", "account_login", "mfa_index", "admin:accounts_user_change"} <= keys


# --- the world the URLs are filled from --------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User]
    rounds: dict[str, Round]
    question: Question
    archived_question: Question
    roster_import: RosterImport


ROSTER_FILE = (
    "email,name,department,location,level,start_date\nnew.person@example.com,New Person,Sales,Paris,3,2020-01-15\n"
)


def _roster_import_pending() -> RosterImport:
    upload = SimpleUploadedFile("roster.csv", ROSTER_FILE.encode(), content_type="text/csv")
    return roster.roster_import_create(
        parsed=roster.roster_file_parse(uploaded_file=upload), file_name="roster.csv", uploaded_by=None
    )


def _rounds(people: list) -> dict[str, Round]:
    # The draft's own audience, big enough and in no open round, so that an admin's POST really opens it.
    PersonFactory.create_batch(10, department="Draft audience")
    draft = RoundFactory(
        state=Round.State.DRAFT,
        k=3,
        opens_at=timezone.now() + datetime.timedelta(days=3),
        audience={"department": ["Draft audience"]},
    )
    RoundQuestionFactory(round=draft)
    scheduled = RoundFactory(state=Round.State.SCHEDULED, k=3, opens_at=timezone.now() + datetime.timedelta(days=3))
    RoundQuestionFactory(round=scheduled)
    return {
        "draft": draft,
        "scheduled": scheduled,
        "open": open_round_with(people, k=3),
        "closed": _closed_round_with(people),
    }


def _closed_round_with(people: list) -> Round:
    """Invitations are kept after close: they decide who reads the round's results."""
    round = open_round_with(people, k=3)
    round.state = Round.State.CLOSED
    round.save(update_fields=["state"])
    return round


def _library_of_two() -> Question:
    """The first of two questions, so that it has somewhere to move to."""
    first = QuestionFactory(position=0)
    QuestionFactory(position=1)
    return first


@pytest.fixture
def world(employee, hr, admin, outsider) -> World:
    superuser = factories.UserFactory(email="root@example.com", is_staff=True, is_superuser=True, totp_secret=True)
    users = {EMPLOYEE: employee, HR: hr, ADMIN: admin, OUTSIDER: outsider, SUPERUSER: superuser}
    people = [PersonFactory(user=user) for user in (employee, hr, admin)] + [PersonFactory() for _ in range(2)]
    return World(
        users=users,
        rounds=_rounds(people),
        question=_library_of_two(),
        archived_question=QuestionFactory(archived=True),
        roster_import=_roster_import_pending(),
    )


def _clients(world: World, personas) -> dict[str, Client]:
    clients = {}
    for persona in personas:
        clients[persona] = Client()
        if persona != ANONYMOUS:
            clients[persona].force_login(world.users[persona])
    return clients


def _admin_object_id(world: World, entry: Entry) -> str:
    if "content_type_id" in entry.params:  # django-admin's "view on site" of the employee's account
        return str(world.users[EMPLOYEE].pk)
    if "/accounts/user/" in f"/{entry.route}":  # the outsider: the others are invited to an open round
        return str(world.users[OUTSIDER].pk)
    for model in admin_site.site._registry:
        if f"/{model._meta.app_label}/{model._meta.model_name}/" in f"/{entry.route}":
            return str(model._default_manager.order_by("pk").first().pk)
    raise AssertionError(f"no admin model in {entry.route}")


def _value(world: World, entry: Entry, param: str) -> str:
    rule = RULES[entry.key]
    fixed = {
        "round_id": lambda: str(world.rounds[rule.round].id),
        "question_id": lambda: str(
            (world.archived_question if entry.key == "surveys:question_unarchive" else world.question).id
        ),
        "import_id": lambda: str(world.roster_import.id),
        "export": lambda: "csv",
        "object_id": lambda: _admin_object_id(world, entry),
        "id": lambda: str(world.users[EMPLOYEE].pk),
        "content_type_id": lambda: str(ContentType.objects.get_for_model(User).pk),
        "app_label": lambda: "accounts",
        "key": lambda: "not-a-real-key",
        "uidb36": lambda: "1",
        "url": lambda: "no-such-page/",
    }
    return fixed[param]()


def url_of(world: World, entry: Entry) -> str:
    values = {param: _value(world, entry, param) for param in entry.params}
    if entry.name:
        return reverse(entry.name, kwargs=values)
    if "(?P<url>" in entry.route:
        return "/" + entry.route.split("(?P<url>")[0] + values["url"]
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: values[match.group(1)], entry.route)


# --- what a response means ---------------------------------------------------------------------------------------

LOGIN_PATHS = ("/accounts/login/", "/django-admin/login/")


def outcome(response) -> str:
    if response.status_code in (301, 302):
        path = urlparse(response["Location"]).path
        return LOGIN if path in LOGIN_PATHS else ELSEWHERE
    return {200: OK, 403: FORBIDDEN, 404: NOT_FOUND, 405: NOT_ALLOWED}.get(
        response.status_code, str(response.status_code)
    )


def expected_outcomes(rule: Rule, persona: str) -> set[str]:
    if persona in dict(rule.exceptions):
        return {dict(rule.exceptions)[persona]}
    if not rule.get:
        return {NOT_ALLOWED}
    if persona in rule.reach:
        return {OK}
    if persona in rule.sent_on:
        return {ELSEWHERE}
    return REFUSALS


def personas_of(entry: Entry) -> tuple[str, ...]:
    return ADMIN_SITE_PERSONAS if entry.route.startswith("django-admin/") else PERSONAS


def _guarded_by_candor(entry: Entry) -> bool:
    return (entry.name or "").split(":")[0] in ("surveys", "reports")


def _candor_refusal(persona: str) -> str:
    """Candor's access helpers send visitors to log in and tell everyone else 403, never a 404 or a redirect."""
    return LOGIN if persona == ANONYMOUS else FORBIDDEN


# --- GET ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.key for entry in ENTRIES])
def test_each_role_reaches_a_page_only_as_its_rule_says(entry, world):
    rule = RULES[entry.key]
    url = url_of(world, entry)
    clients = _clients(world, personas_of(entry))

    got = {persona: outcome(client.get(url)) for persona, client in clients.items()}

    wrong = {p: got[p] for p in got if got[p] not in expected_outcomes(rule, p)}
    assert wrong == {}, f"GET {url}: {got}"
    if _guarded_by_candor(entry):
        refused = {p: got[p] for p in got if p not in rule.reach | rule.sent_on and rule.get}
        assert refused == {p: _candor_refusal(p) for p in refused}


# --- POST --------------------------------------------------------------------------------------------------------

# Data that would change something if the POST were accepted, so that a refusal is a real one.
NOT_TRACKED = {"sessions.Session"}


def post_data(world: World, entry: Entry) -> dict:
    answer_field = f"q_{world.rounds['open'].questions.order_by('position').first().id.hex}"
    data = {
        "feedback:receipt_check": {"code": "ABCD-EFGH"},
        "surveys:round_answer": {answer_field: "3", "action": "submit"},
        "surveys:open_feedback": {"text": "The usage leaderboard makes me anxious.", "action": "submit"},
        "surveys:question_new": {"text": "Planted question?", "kind": "text"},
        "surveys:question_edit": {"text": "Rewritten question?", "kind": "likert"},
        "surveys:question_move": {"direction": "down"},
        "surveys:round_new": {"title": "Planted round", "k": "5", "reminder_every_days": "0"},
        "surveys:round_detail": {"title": "Renamed round", "k": "7", "reminder_every_days": "0"},
        "surveys:round_questions": {"questions": [str(world.question.id)]},
        "surveys:roster_import_apply": {"reportable": []},
        "account_signup": {"email": "intruder@example.com", "password1": "a long passphrase 1"},
        "admin:auth_group_add": {"name": "Planted group"},
        "admin:auth_group_change": {"name": "Renamed group"},
        "admin:accounts_user_delete": {"post": "yes"},
        "admin:auth_group_delete": {"post": "yes"},
        "admin:account_emailaddress_delete": {"post": "yes"},
        "admin:mfa_authenticator_delete": {"post": "yes"},
        "admin:auditlog_logentry_delete": {"post": "yes"},
        "admin:auditlog_logentry_change": {"action": "1", "changes": "{}"},
        "admin:auditlog_logentry_add": {"action": "1", "object_repr": "Planted entry"},
    }
    return data.get(entry.key, {})


def database_state() -> dict[str, list]:
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.label not in NOT_TRACKED
    }


POSTED = [entry for entry in ENTRIES if RULES[entry.key].post]
NOT_POSTED = [entry for entry in ENTRIES if not RULES[entry.key].post and _guarded_by_candor(entry)]


@pytest.mark.parametrize("entry", POSTED, ids=[entry.key for entry in POSTED])
def test_a_refused_roles_post_is_refused_and_changes_nothing(entry, world):
    rule = RULES[entry.key]
    url = url_of(world, entry)
    refused = [p for p in personas_of(entry) if p not in rule.reach | rule.sent_on | dict(rule.exceptions).keys()]
    clients = _clients(world, refused)
    before = database_state()

    got = {persona: outcome(client.post(url, post_data(world, entry))) for persona, client in clients.items()}

    assert {p: got[p] for p in got if got[p] not in REFUSALS} == {}, f"POST {url}: {got}"
    assert database_state() == before
    if _guarded_by_candor(entry):
        assert got == {p: _candor_refusal(p) for p in got}


@pytest.mark.parametrize("entry", NOT_POSTED, ids=[entry.key for entry in NOT_POSTED])
def test_a_candor_page_that_only_shows_refuses_a_post_from_everyone(entry, world):
    url = url_of(world, entry)
    clients = _clients(world, PERSONAS)
    before = database_state()

    got = {persona: outcome(client.post(url, {"anything": "x"})) for persona, client in clients.items()}

    assert got == dict.fromkeys(PERSONAS, NOT_ALLOWED)
    assert database_state() == before


# The same POSTs, by the role that may send them, do change something: the refusals above are not vacuous.
EFFECTIVE = {
    "surveys:round_answer": EMPLOYEE,
    "surveys:open_feedback": EMPLOYEE,
    "surveys:question_new": ADMIN,
    "surveys:question_edit": ADMIN,
    "surveys:question_move": ADMIN,
    "surveys:question_archive": ADMIN,
    "surveys:question_unarchive": ADMIN,
    "surveys:question_library_seed": ADMIN,
    "surveys:round_new": ADMIN,
    "surveys:round_detail": ADMIN,
    "surveys:round_questions": ADMIN,
    "surveys:round_schedule": ADMIN,
    "surveys:round_unschedule": ADMIN,
    "surveys:round_open": ADMIN,
    "surveys:round_close": ADMIN,
    "surveys:roster_import_apply": ADMIN,
    "surveys:roster_import_cancel": ADMIN,
    "admin:auth_group_add": SUPERUSER,
    "admin:auth_group_delete": SUPERUSER,
    "admin:accounts_user_delete": SUPERUSER,
}


@pytest.mark.parametrize("key", list(EFFECTIVE))
def test_the_same_post_by_the_role_allowed_to_send_it_changes_something(key, world):
    entry = next(entry for entry in ENTRIES if entry.key == key)
    client = _clients(world, [EFFECTIVE[key]])[EFFECTIVE[key]]
    before = database_state()

    response = client.post(url_of(world, entry), post_data(world, entry))

    assert response.status_code in (200, 302)
    assert database_state() != before


# --- allauth and django-admin specifics --------------------------------------------------------------------------


def test_nobody_can_sign_themselves_up(client, db):
    response = client.post(reverse("account_signup"), {"email": "intruder@example.com", "password1": "long enough 1"})

    assert b'name="password1"' not in response.content
    assert not User.objects.filter(email="intruder@example.com").exists()


def test_nobody_can_attach_another_email_address_to_their_account(employee, client_as, mailoutbox):
    """The roster matches people by address: a self-added address made primary would take over its roster row."""
    client = client_as(employee)

    client.post(reverse("account_email"), {"action_add": "", "email": "future.hire@example.com"})

    assert list(EmailAddress.objects.values_list("email", flat=True)) == ["employee@example.com"]
    assert mailoutbox == []


def test_a_survey_admin_is_not_django_admin_staff(admin, client_as):
    response = client_as(admin).get(reverse("admin:index"))

    assert outcome(response) in REFUSALS
    assert not admin.is_staff


def test_the_admin_site_registers_no_model_of_the_anonymous_side():
    registered = {model._meta.app_label for model in admin_site.site._registry}

    assert registered.isdisjoint({"feedback", "sentiment", "reports", "surveys"})


def test_the_login_url_setting_is_the_one_refusals_are_recognised_by():
    assert reverse(settings.LOGIN_URL) == LOGIN_PATHS[0]
