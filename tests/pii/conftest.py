"""Lets the PII tests run without the project settings (e.g. ``-p no:django`` early on).

When ``DJANGO_SETTINGS_MODULE`` is set (pytest-django with ``fanzha.settings``) nothing is done;
otherwise minimal settings are configured. Each test that needs keys sets them itself with
``override_settings``, so the tests never depend on the configured key.
"""

from __future__ import annotations

import base64
import os

import django
from django.conf import settings

if not os.environ.get("DJANGO_SETTINGS_MODULE") and not settings.configured:
    settings.configure(
        PII_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode("ascii"),
        PII_CIPHER="aes-gcm",
        INSTALLED_APPS=[],
        USE_TZ=True,
    )
    django.setup()
