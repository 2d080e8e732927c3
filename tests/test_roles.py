import pytest
from django.urls import reverse

HOME_OF = {
    "employee": "surveys:employee_home",
    "hr": "reports:home",
    "admin": "surveys:manage_home",
}
ALL_PERSONAS = ["employee", "hr", "admin", "outsider"]
# Who may open each home page. HR analysts and admins are employees too, so they may give feedback.
ALLOWED = {
    "surveys:employee_home": {"employee", "hr", "admin"},
    "reports:home": {"hr"},
    "surveys:manage_home": {"admin"},
}


@pytest.mark.parametrize("persona", ["employee", "hr", "admin"])
def test_each_role_lands_on_its_own_home_page_after_login(persona, request, client_as):
    client = client_as(request.getfixturevalue(persona))

    response = client.get(reverse("home"), follow=True)

    assert response.redirect_chain[-1][0] == reverse(HOME_OF[persona])
    assert response.status_code == 200


@pytest.mark.parametrize("page", list(ALLOWED))
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_a_role_page_is_refused_to_every_other_role(page, persona, request, client_as):
    client = client_as(request.getfixturevalue(persona))

    response = client.get(reverse(page))

    expected = 200 if persona in ALLOWED[page] else 403
    assert response.status_code == expected


@pytest.mark.parametrize("page", list(ALLOWED))
def test_a_role_page_sends_visitors_who_are_not_logged_in_to_the_login_page(page, client, db):
    response = client.get(reverse(page))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("factory_name", "page"), [("hr_analyst", "reports:home"), ("survey_admin", "surveys:manage_home")]
)
def test_hr_and_admin_must_set_up_two_factor_authentication_before_their_pages(factory_name, page, db, client_as):
    from tests import factories

    person = getattr(factories, factory_name)(totp_secret=False)

    response = client_as(person).get(reverse(page))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_an_employee_does_not_need_two_factor_authentication(employee, client_as):
    response = client_as(employee).get(reverse("surveys:employee_home"))

    assert response.status_code == 200


def test_someone_with_no_role_is_told_to_ask_for_access(outsider, client_as):
    response = client_as(outsider).get(reverse("home"))

    assert response.status_code == 403
    assert b"no role yet" in response.content


def test_a_visitor_sees_the_welcome_page_with_a_login_link(client, db):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert reverse("account_login").encode() in response.content


def test_the_navigation_offers_every_role_a_person_has(hr, client_as):
    response = client_as(hr).get(reverse("reports:home"))

    assert reverse("surveys:employee_home").encode() in response.content
    assert reverse("surveys:manage_home").encode() not in response.content
