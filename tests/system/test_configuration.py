import re

from django.conf import settings

READS_A_VARIABLE = re.compile(r'(?:env\.\w+|_required)\(\s*"([A-Z][A-Z0-9_]+)"')


def test_every_environment_variable_is_documented():
    source = (settings.BASE_DIR / "project" / "settings.py").read_text()
    documented = set(
        re.findall(
            r"^([A-Z][A-Z0-9_]+)=",
            (settings.BASE_DIR / ".env.example").read_text(),
            re.M,
        )
    )
    read = set(READS_A_VARIABLE.findall(source))
    assert read, "the pattern no longer matches how settings read variables"
    assert read - documented == set()
