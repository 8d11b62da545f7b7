import factory

from accounts.models import Company, Role, User
from accounts.services import company_default_roles_create

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")

    @factory.post_generation
    def default_roles(company, create, extracted, **kwargs):
        if create:
            company_default_roles_create(company=company)


class UserFactory(factory.django.DjangoModelFactory):
    """A user of `company` holding its `role_name` role (admin by default)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        role_name = "admin"

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    full_name = factory.Faker("name")
    company = factory.SubFactory(CompanyFactory)
    role = factory.LazyAttribute(
        lambda user: Role.objects.get(company=user.company, name=user.role_name)
    )
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def saved(user, create, extracted, **kwargs):
        if create:
            user.save()
