"""The family's pages: three languages, the enquiry form without JavaScript, the receipt shown
once, and a status page that shows nothing to anyone without the secret."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from tests.web.conftest import Web, form_fields, receipt_codes

from kintrace.db.models import Enquiry

H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


def h1(html: str) -> str:
    match = H1.search(html)
    assert match, "the page has no heading"
    return match.group(1).strip()


def html_lang(html: str) -> str:
    match = re.search(r'<html lang="([a-z]{2})"', html)
    assert match
    return match.group(1)


def submit(web: Web, **overrides: object) -> object:
    fields = form_fields(**overrides)
    fields["csrf_token"] = web.csrf("/enquiry")
    return web.client.post("/enquiry", data=fields)


@pytest.mark.parametrize(
    ("lang", "heading"),
    [
        ("uk", "Попросити нас знайти людину"),
        ("ru", "Попросить нас найти человека"),
        ("en", "Ask us to search for someone"),
    ],
)
def test_the_enquiry_page_speaks_each_language(web: Web, lang: str, heading: str) -> None:
    response = web.client.get(f"/enquiry?lang={lang}")
    assert response.status_code == 200
    assert h1(response.text) == heading
    assert html_lang(response.text) == lang


def test_the_browser_language_is_the_default(web: Web) -> None:
    response = web.client.get("/", headers={"accept-language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert h1(response.text) == "Поиск пропавшего родственника"


def test_a_chosen_language_is_remembered_for_the_next_page(web: Web) -> None:
    web.client.get("/?lang=en", headers={"accept-language": "uk"})
    response = web.client.get("/status", headers={"accept-language": "uk"})
    assert h1(response.text) == "Check an enquiry"


def test_every_page_offers_the_three_languages(web: Web) -> None:
    for path in ("/", "/enquiry", "/status", "/staff/login"):
        html = web.client.get(path).text
        for name in ("Українська", "Русский", "English"):
            assert name in html, f"{path} lacks the switch to {name}"


def test_a_family_gets_reference_and_secret_and_the_enquiry_is_stored(web: Web) -> None:
    response = submit(web)
    assert response.status_code == 201
    codes = receipt_codes(response.text)
    assert re.fullmatch(r"KT-[2-9A-Z]{4}-[2-9A-Z]{4}", codes["reference"])
    assert len(codes["secret"].replace("-", "")) == 20
    with web.sessions() as session:
        stored = session.scalar(sa.select(Enquiry).where(Enquiry.reference == codes["reference"]))
    assert stored is not None
    # Typed as 12.03.2001, kept as a plain partial date.
    assert stored.sought_birth_date == "2001-03-12"
    assert stored.channel.value == "web"


@pytest.mark.parametrize(("typed", "kept"), [("2001-03", "2001-03"), ("2001", "2001")])
def test_partial_birth_dates_are_accepted(web: Web, typed: str, kept: str) -> None:
    codes = receipt_codes(submit(web, sought__birth_date=typed).text)
    with web.sessions() as session:
        stored = session.scalar(sa.select(Enquiry).where(Enquiry.reference == codes["reference"]))
    assert stored is not None and stored.sought_birth_date == kept


def test_a_bad_date_gets_a_ukrainian_sentence_beside_the_field(web: Web) -> None:
    web.client.get("/?lang=uk")
    response = submit(web, sought__birth_date="31.02.2001")
    assert response.status_code == 422
    html = response.text
    sentence = "Будь ласка, напишіть дату як день.місяць.рік"
    # In the summary, linked to the field...
    assert re.search(rf'<a href="#f-sought-birth_date">{re.escape(sentence)}', html)
    # ...and beside the field, tied to it for screen readers.
    assert 'id="f-sought-birth_date-error"' in html
    field = re.search(r'<input id="f-sought-birth_date"[^>]*>', html)
    assert field and 'aria-invalid="true"' in field.group(0)
    assert "f-sought-birth_date-error" in field.group(0)
    # What the family typed is kept, so they only fix the date.
    assert 'value="Кислиця Сергій Вікторович"' in html
    with web.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Enquiry)) == 0


def test_a_missing_contact_is_shown_at_the_email_field(web: Web) -> None:
    response = submit(web, enquirer__email="", enquirer__phone="")
    assert response.status_code == 422
    assert '<a href="#f-enquirer-email">' in response.text


def test_without_consent_nothing_is_saved(web: Web) -> None:
    response = submit(web, consent=False)
    assert response.status_code == 422
    assert '<a href="#f-consent">' in response.text
    with web.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Enquiry)) == 0


def test_a_form_without_its_csrf_token_is_refused(web: Web) -> None:
    web.csrf("/enquiry")
    response = web.client.post("/enquiry", data=form_fields())
    assert response.status_code == 400
    with web.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Enquiry)) == 0


def test_the_secret_is_not_shown_again_by_any_page(web: Web) -> None:
    codes = receipt_codes(submit(web).text)
    for path in ("/", "/enquiry", "/status"):
        assert codes["secret"] not in web.client.get(path).text


def test_the_family_reads_its_status_with_reference_and_secret(web: Web) -> None:
    codes = receipt_codes(submit(web).text)
    token = web.csrf("/status")
    response = web.client.post("/status?lang=en", data={"csrf_token": token, **codes})
    assert response.status_code == 200
    assert "Кислиця Сергій Вікторович" in response.text
    assert "Received — we will start the search soon" in response.text
    # The secret is never shown; it only rides along in the language switcher's hidden fields.
    shown = re.sub(r'<input type="hidden"[^>]*>', "", response.text)
    assert codes["secret"] not in shown


def test_the_status_page_switches_language_without_asking_for_the_codes_again(web: Web) -> None:
    codes = receipt_codes(submit(web).text)
    token = web.csrf("/status")
    page = web.client.post("/status?lang=uk", data={"csrf_token": token, **codes}).text
    # Each language is a form posting the codes again; no link carries the secret.
    assert 'action="/status?lang=ru"' in page
    assert not re.search(rf'href="[^"]*{re.escape(codes["secret"])}', page)
    russian = web.client.post("/status?lang=ru", data={"csrf_token": token, **codes})
    assert h1(russian.text) == "Ваш запрос"


def test_a_wrong_secret_and_an_unknown_reference_look_the_same(web: Web) -> None:
    codes = receipt_codes(submit(web).text)
    token = web.csrf("/status")
    wrong = web.client.post(
        "/status",
        data={"csrf_token": token, "reference": codes["reference"], "secret": "2222-3333"},
    )
    unknown = web.client.post(
        "/status",
        data={"csrf_token": token, "reference": "KT-2222-3333", "secret": codes["secret"]},
    )
    assert wrong.status_code == unknown.status_code == 404
    assert h1(wrong.text) == h1(unknown.text)
    for response in (wrong, unknown):
        assert "Кислиця" not in response.text
        assert codes["secret"] not in response.text
    # Apart from the reference typed back into the form, the two answers are identical.
    assert wrong.text.replace(codes["reference"], "KT-2222-3333") == unknown.text


def test_the_status_form_never_puts_the_secret_in_a_url(web: Web) -> None:
    html = web.client.get("/status").text
    assert re.search(r'<form method="post" action="/status"', html)
    assert 'type="password"' in html


def test_the_receipt_can_be_switched_to_russian_without_losing_the_codes(web: Web) -> None:
    codes = receipt_codes(submit(web).text)
    token = web.csrf("/status")
    response = web.client.post("/enquiry/receipt?lang=ru", data={"csrf_token": token, **codes})
    assert response.status_code == 200
    assert h1(response.text) == "Мы получили ваш запрос"
    assert receipt_codes(response.text) == codes


def test_the_receipt_switch_shows_nothing_for_codes_that_do_not_match(web: Web) -> None:
    codes = receipt_codes(submit(web).text)
    token = web.csrf("/status")
    forged = {"csrf_token": token, "reference": codes["reference"], "secret": "AAAA-BBBB"}
    response = web.client.post("/enquiry/receipt?lang=ru", data=forged)
    assert response.status_code == 404
    assert "AAAA-BBBB" not in response.text


def test_an_unknown_page_is_a_calm_404_in_the_readers_language(web: Web) -> None:
    response = web.client.get("/no-such-page?lang=uk")
    assert response.status_code == 404
    assert "Ми не знайшли цієї сторінки." in response.text
