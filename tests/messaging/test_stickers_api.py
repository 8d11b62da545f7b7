"""`/api/stickers`: checked uploads stored per company, served only to the company."""

import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from messaging.models import Sticker
from tests.factories import UserFactory
from tests.messaging.catalog_helpers import client_as, user_with

pytestmark = pytest.mark.django_db

WEBP = b"RIFF" + struct.pack("<I", 30) + b"WEBPVP8L" + b"\x0d\x00\x00\x00/\x00" * 3
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def upload(
    client, data: bytes = WEBP, *, filename="thanks.webp", mime="image/webp", **extra
):
    file = SimpleUploadedFile(filename, data, content_type=mime)
    return client.post("/api/stickers", {"file": file, **extra}, format="multipart")


def test_upload_stores_the_file_under_the_company_and_serves_it(
    api_client, company, media_root
):
    response = upload(api_client, filename="Gracias.webp", mime="image/webp")

    assert response.status_code == 201, response.data
    sticker = Sticker.objects.get()
    assert sticker.company == company
    assert sticker.name == "Gracias"
    assert sticker.file.name.startswith(f"messaging/{company.id}/stickers/")
    assert sticker.file.name.endswith(".webp")
    assert "Gracias" not in sticker.file.name  # stored under a random name
    assert (media_root / sticker.file.name).read_bytes() == WEBP
    assert response.data["mime_type"] == "image/webp"
    assert response.data["size"] == len(WEBP)
    assert response.data["url"] == f"http://testserver/api/stickers/{sticker.id}/file"

    served = api_client.get(response.data["url"])
    assert served.status_code == 200
    assert served["Content-Type"] == "image/webp"
    assert b"".join(served.streaming_content) == WEBP


def test_png_is_accepted_with_a_name(api_client):
    response = upload(api_client, PNG, filename="x.png", mime="image/png", name="OK")

    assert response.status_code == 201
    assert (response.data["name"], response.data["mime_type"]) == ("OK", "image/png")
    assert Sticker.objects.get().file.name.endswith(".png")


@pytest.mark.parametrize(
    ("data", "mime", "why"),
    [
        (PNG, "image/webp", "declared WebP, is PNG"),
        (WEBP, "image/png", "declared PNG, is WebP"),
        (b"GIF89a" + b"\x00" * 20, "image/gif", "a GIF"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", "an SVG"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "image/webp", "a WAV in disguise"),
        (b"hello", "text/plain", "text"),
    ],
)
def test_anything_but_a_real_webp_or_png_is_a_400(api_client, data, mime, why):
    response = upload(api_client, data, mime=mime)

    assert response.status_code == 400, why
    assert "file" in response.data
    assert not Sticker.objects.exists()


def test_oversized_and_missing_files_are_400s(api_client, settings, media_root):
    settings.STICKER_MAX_BYTES = 40

    too_big = upload(api_client, WEBP + b"\x00" * 100)
    missing = api_client.post("/api/stickers", {"name": "x"}, format="multipart")
    empty = upload(api_client, b"")

    assert too_big.status_code == missing.status_code == empty.status_code == 400
    assert "limit is 40" in str(too_big.data["file"])
    assert "file" in missing.data and "file" in empty.data
    assert not any(media_root.rglob("*.webp"))


def test_list_and_delete(api_client, media_root, django_capture_on_commit_callbacks):
    first = upload(api_client).data
    upload(api_client, PNG, mime="image/png")

    listed = api_client.get("/api/stickers")
    assert listed.data["count"] == 2
    stored = media_root / Sticker.objects.get(id=first["id"]).file.name

    with django_capture_on_commit_callbacks(execute=True):
        deleted = api_client.delete(f"/api/stickers/{first['id']}")

    assert deleted.status_code == 204
    assert not stored.exists()
    assert api_client.get("/api/stickers").data["count"] == 1
    assert api_client.get(first["url"]).status_code == 404


def test_a_lost_file_is_a_404_not_a_500(api_client, media_root):
    sticker = upload(api_client).data
    (media_root / Sticker.objects.get().file.name).unlink()

    assert api_client.get(sticker["url"]).status_code == 404
    assert api_client.get("/api/stickers").data["results"][0]["size"] is None


def test_another_company_gets_404_and_an_empty_list(api_client, other_user):
    sticker = upload(api_client).data
    client = client_as(other_user)

    assert client.get("/api/stickers").data["count"] == 0
    assert client.get(f"/api/stickers/{sticker['id']}").status_code == 404
    assert client.get(sticker["url"]).status_code == 404
    assert client.delete(f"/api/stickers/{sticker['id']}").status_code == 404
    assert Sticker.objects.count() == 1


def test_agents_use_stickers_but_only_managers_change_them(api_client, company):
    sticker = upload(api_client).data
    agent = client_as(UserFactory(company=company, role_name="agent"))
    nobody = client_as(user_with(company, "helpdesk.view"))

    assert agent.get("/api/stickers").status_code == 200
    assert agent.get(sticker["url"]).status_code == 200
    assert upload(agent).status_code == 403
    assert agent.delete(f"/api/stickers/{sticker['id']}").status_code == 403
    assert nobody.get("/api/stickers").status_code == 403
    assert nobody.get(sticker["url"]).status_code == 403


def test_the_file_is_not_public(api_client, anon_client):
    sticker = upload(api_client).data

    assert anon_client.get(sticker["url"]).status_code == 401
