import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group

from accounts import roles
from accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Faker("name")

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    @factory.post_generation
    def roles(user, create, extracted, **kwargs):
        if create and extracted:
            user.groups.add(*Group.objects.filter(name__in=[role.group for role in extracted]))

    @factory.post_generation
    def totp_secret(user, create, extracted, **kwargs):
        """Pass totp_secret=True for a fresh secret, or a base32 string; the secret is kept on the user."""
        if create and extracted:
            secret = generate_totp_secret() if extracted is True else extracted
            TOTP.activate(user, secret)
            user.totp_secret_for_tests = secret


def employee(**kwargs) -> User:
    return UserFactory(roles=[roles.EMPLOYEE], **kwargs)


def hr_analyst(**kwargs) -> User:
    kwargs.setdefault("totp_secret", True)
    return UserFactory(roles=[roles.HR_ANALYST, roles.EMPLOYEE], **kwargs)


def survey_admin(**kwargs) -> User:
    kwargs.setdefault("totp_secret", True)
    return UserFactory(roles=[roles.SURVEY_ADMIN, roles.EMPLOYEE], **kwargs)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Person"

    user = factory.SubFactory(UserFactory, roles=[roles.EMPLOYEE])
    department = "Engineering"
    location = "Berlin"
    level = "3"
    start_date = factory.Faker("date_between", start_date="-8y", end_date="-30d")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Question"

    text = factory.Sequence(lambda n: f"Question {n}: AI tools make me more productive.")
    kind = "likert"
    position = factory.Sequence(lambda n: n)


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Round"

    title = factory.Sequence(lambda n: f"AI tools pulse {n}")
    intro = "Tell us honestly how AI tools and targets work for you."


class RoundQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.RoundQuestion"

    round = factory.SubFactory(RoundFactory)
    text = factory.Sequence(lambda n: f"Round question {n}")
    kind = "likert"
    position = factory.Sequence(lambda n: n)
