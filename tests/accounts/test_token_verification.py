"""Other services of the company verify Mostrador's access tokens on their own."""

import os
import subprocess
import sys

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

from accounts.services import tokens_for_user


def _rsa_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        .decode()
    )
    return private, public


def test_hs256_token_verifies_with_the_shared_key(user):
    access = tokens_for_user(user=user)["access"]
    claims = jwt.decode(
        access,
        settings.SIMPLE_JWT["SIGNING_KEY"],
        algorithms=["HS256"],
        issuer="mostrador",
    )
    assert claims["user_id"] == str(user.id)
    assert claims["company"] == user.company_id


SIGN_IN_ANOTHER_PROCESS = """
import django
django.setup()
from rest_framework_simplejwt.tokens import AccessToken
from accounts.models import User
token = AccessToken.for_user(User(id=7, username="ana", company_id=3))
AccessToken(str(token))  # Mostrador itself accepts what it signed
print(token)
"""


def test_rs256_token_verifies_with_only_the_public_key():
    """Keys come from the environment on one line, with literal \\n separators."""
    private, public = _rsa_pair()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "JWT_ALGORITHM": "RS256",
        "JWT_SIGNING_KEY": private.replace("\n", "\\n"),
        "JWT_VERIFYING_KEY": public.replace("\n", "\\n"),
    }
    result = subprocess.run(
        [sys.executable, "-c", SIGN_IN_ANOTHER_PROCESS],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    access = result.stdout.strip().splitlines()[-1]
    claims = jwt.decode(access, public, algorithms=["RS256"], issuer="mostrador")
    assert claims["user_id"] == "7"
    assert claims["token_type"] == "access"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(access, _rsa_pair()[1], algorithms=["RS256"])
