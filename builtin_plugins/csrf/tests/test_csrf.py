"""Form POSTs need the CSRF token; Bearer-token and JSON requests do not."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from datasette import hookimpl


async def csrf_token(ds, cookies) -> str:
    """The token a page hands out (it sets the ds_csrftoken cookie when a form uses it)."""
    page = await ds.client.get("/-/messages", cookies=cookies)
    token = page.cookies["ds_csrftoken"]
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.find("input", {"name": "csrftoken"})["value"] == token
    assert "Cookie" in page.headers["vary"]
    return token


@pytest.mark.asyncio
async def test_cross_site_form_post_without_token_is_refused(make_ds):
    ds = make_ds()
    cookies = {"ds_actor": ds.client.actor_cookie({"id": "alice"})}
    response = await ds.client.post("/-/echo", data={"a": "1"}, cookies=cookies)
    assert response.status_code == 403
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.find("h1").text == "Form origin check failed"
    assert "Error code is FORM_URLENCODED_MISMATCH." in soup.text
    assert soup.title.text == "CSRF check failed)"
    # a token from somewhere else does not help either
    forged = await ds.client.post("/-/echo", data={"csrftoken": "forged"},
                                  cookies={**cookies, "ds_csrftoken": "forged"})
    assert forged.status_code == 403


@pytest.mark.asyncio
async def test_form_post_with_token_succeeds(make_ds):
    ds = make_ds()
    cookies = {"ds_actor": ds.client.actor_cookie({"id": "alice"})}
    token = await csrf_token(ds, cookies)
    cookies["ds_csrftoken"] = token
    response = await ds.client.post("/-/echo", data={"csrftoken": token, "a": "1"}, cookies=cookies)
    assert response.status_code == 200
    assert response.json() == {"body": f"csrftoken={token}&a=1", "actor": {"id": "alice"}}
    by_header = await ds.client.post("/-/echo", content=b"raw", headers={"x-csrftoken": token},
                                     cookies=cookies)
    assert by_header.status_code == 200 and by_header.json()["body"] == "raw"


@pytest.mark.asyncio
async def test_multipart_form_post(make_ds):
    ds = make_ds()
    cookies = {"ds_actor": ds.client.actor_cookie({"id": "alice"})}
    token = await csrf_token(ds, cookies)
    cookies["ds_csrftoken"] = token
    ok = await ds.client.post("/-/echo", data={"csrftoken": token}, files={"f": ("f.txt", b"x")},
                              cookies=cookies)
    assert ok.status_code == 200
    bad = await ds.client.post("/-/echo", data={"csrftoken": "nope"}, files={"f": ("f.txt", b"x")},
                               cookies=cookies)
    assert bad.status_code == 403 and "MULTIPART_MISMATCH" in bad.text
    file_first = (b'--b\r\nContent-Disposition: form-data; name="f"; filename="f.txt"\r\n\r\nx\r\n'
                  b'--b\r\nContent-Disposition: form-data; name="csrftoken"\r\n\r\n' + token.encode() +
                  b"\r\n--b--\r\n")
    refused = await ds.client.post("/-/echo", content=file_first, cookies=cookies,
                                   headers={"content-type": "multipart/form-data; boundary=b"})
    assert refused.status_code == 403 and "FILE_BEFORE_TOKEN" in refused.text


@pytest.mark.asyncio
async def test_bearer_token_json_post_needs_no_csrf_token(make_ds):
    ds = make_ds()
    await ds.invoke_startup()
    token = ds.create_token("alice")
    cookies = {"ds_actor": ds.client.actor_cookie({"id": "bob"})}
    response = await ds.client.post("/-/echo", json={"x": 1}, cookies=cookies,
                                    headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["actor"] == {"id": "alice", "token": "dstok"}
    form = await ds.client.post("/-/echo", data={"x": "1"}, cookies=cookies,
                                headers={"Authorization": f"Bearer {token}"})
    assert form.status_code == 200


@pytest.mark.asyncio
async def test_json_body_is_exempt_only_for_exact_content_type(make_ds):
    ds = make_ds()
    cookies = {"ds_actor": ds.client.actor_cookie({"id": "bob"})}
    ok = await ds.client.post("/-/echo", content=b'{"x": 1}', cookies=cookies,
                              headers={"content-type": "application/json"})
    assert ok.status_code == 200
    charset = await ds.client.post("/-/echo", content=b'{"x": 1}', cookies=cookies,
                                   headers={"content-type": "application/json; charset=utf-8"})
    assert charset.status_code == 403
    assert "UNKNOWN_CONTENT_TYPE" in charset.text


@pytest.mark.asyncio
async def test_requests_without_cookies_are_not_checked(make_ds):
    ds = make_ds()
    response = await ds.client.post("/-/echo", data={"a": "1"})
    assert response.status_code == 200 and response.json()["body"] == "a=1"


@pytest.mark.asyncio
async def test_skip_csrf_hook(make_ds, register):
    class SkipEcho:
        @hookimpl
        def skip_csrf(self, datasette, scope):
            return scope["path"] == "/-/echo"

    ds = make_ds()
    cookies = {"ds_actor": ds.client.actor_cookie({"id": "bob"})}
    assert (await ds.client.post("/-/echo", data={"a": "1"}, cookies=cookies)).status_code == 403
    register(SkipEcho())
    assert (await ds.client.post("/-/echo", data={"a": "1"}, cookies=cookies)).status_code == 200
    assert (await ds.client.post("/-/messages", data={"message": "x"}, cookies=cookies)).status_code == 403


@pytest.mark.asyncio
async def test_async_skip_csrf_answer_does_not_skip(make_ds, register):
    class AsyncSkip:
        @hookimpl
        def skip_csrf(self, datasette, scope):
            async def inner():
                return True
            return inner()

    register(AsyncSkip())
    ds = make_ds()
    response = await ds.client.post("/-/echo", data={"a": "1"},
                                    cookies={"ds_actor": ds.client.actor_cookie({"id": "bob"})})
    assert response.status_code == 403


@pytest.mark.asyncio
@pytest.mark.parametrize("body,content_type", [
    (b"csrftoken=\xff\xfe", "application/x-www-form-urlencoded"),
    (b"--x\r\n", "multipart/form-data"),
    (b"--x\r\ngarbage", "multipart/form-data; boundary=x"),
])
async def test_malformed_bodies_are_403_not_500(make_ds, body, content_type):
    ds = make_ds()
    response = await ds.client.post("/-/echo", content=body, headers={"content-type": content_type},
                                    cookies={"ds_actor": ds.client.actor_cookie({"id": "bob"})})
    assert response.status_code == 403


@pytest.mark.asyncio
async def test_csrf_failure_on_first_request_renders(make_ds):
    ds = make_ds()  # startup not yet run: the failure page must still render
    response = await ds.client.post("/-/echo", data={"a": "1"}, cookies={"other": "1"})
    assert response.status_code == 403 and "Form origin check failed" in response.text


@pytest.mark.asyncio
async def test_get_pages_without_forms_set_no_cookie(make_ds):
    ds = make_ds()
    response = await ds.client.get("/-/versions.json")
    assert "ds_csrftoken" not in response.cookies
    assert "cookie" not in response.headers.get("vary", "").lower()  # (gzip adds Vary: Accept-Encoding)


@pytest.mark.asyncio
async def test_disabled_csrf_plugin(make_ds):
    ds = make_ds(disabled_plugins=["csrf"])
    response = await ds.client.post("/-/echo", data={"a": "1"},
                                    cookies={"ds_actor": ds.client.actor_cookie({"id": "bob"})})
    assert response.status_code == 200
    page = await ds.client.get("/-/messages")
    assert 'name="csrftoken" value=""' in page.text
