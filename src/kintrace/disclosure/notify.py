"""The e-mail that tells a family there is news. It carries no personal detail — not the name,
not the reference, not the news — only that there is news and where to read it."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from kintrace.settings import Settings

log = logging.getLogger(__name__)

SUBJECTS = {
    "uk": "Є новини щодо вашого запиту",
    "ru": "Есть новости по вашему запросу",
    "en": "There is news about your enquiry",
}
BODIES = {
    "uk": "Добрий день.\n\nУ вашому запиті є новини. Відкрийте сторінку стану запиту і введіть "
    "код запиту та секретний код, які ви отримали:\n\n{link}\n\nЗ повагою, служба розшуку",
    "ru": "Здравствуйте.\n\nПо вашему запросу есть новости. Откройте страницу состояния запроса "
    "и введите код запроса и секретный код, которые вы получили:\n\n{link}\n\n"
    "С уважением, служба розыска",
    "en": "Hello,\n\nThere is news about your enquiry. Open the status page and enter the "
    "reference and the secret you were given:\n\n{link}\n\nThe tracing service",
}


def news_message(settings: Settings, to: str, language: str) -> EmailMessage:
    language = language if language in SUBJECTS else "en"
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = to
    message["Subject"] = SUBJECTS[language]
    link = f"{settings.base_url.rstrip('/')}/status?lang={language}"
    message.set_content(BODIES[language].format(link=link))
    return message


def send_news(settings: Settings, to: str | None, language: str) -> bool:
    """Send the notice; False when there is no address, no SMTP server or it refused.

    Called after the commit that made the news visible, so a mail failure never undoes an
    answer; the family still finds it on the status page."""
    if not to or not settings.smtp_host:
        return False
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            smtp.send_message(news_message(settings, to, language))
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("news notice not sent: %s", type(exc).__name__)
        return False
    return True
