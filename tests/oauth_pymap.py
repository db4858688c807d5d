"""pymap with SASL XOAUTH2 switched on, accepting one bearer token (for the tests).

pymap's parser already speaks XOAUTH2 (pysasl ships the mechanism) but its
backends leave token checks to the application. This launcher offers the
mechanism and accepts exactly the token given as the first argument, for the
demo user; everything else is the unchanged server:
``python tests/oauth_pymap.py TOKEN --host ... dict --demo-data``.
"""

from __future__ import annotations

import sys
from typing import Any

from pymap.backend.dict import Identity, Login
from pymap.config import IMAPConfig
from pymap.exceptions import InvalidAuth
from pysasl import SASLAuth
from pysasl.creds.external import ExternalCredentials

TOKEN = sys.argv.pop(1)
_mechanisms = property(lambda self: SASLAuth.named([b"PLAIN", b"LOGIN", b"XOAUTH2"]))
IMAPConfig.initial_auth = _mechanisms  # type: ignore[assignment,method-assign]
IMAPConfig.tls_auth = _mechanisms  # type: ignore[assignment,method-assign]
_original = Login.authenticate


async def _authenticate(self: Login, credentials: Any) -> Identity:
    if isinstance(credentials, ExternalCredentials):
        if credentials._token != TOKEN:
            raise InvalidAuth()
        return Identity(credentials.authzid, self, None, frozenset())
    return await _original(self, credentials)


Login.authenticate = _authenticate  # type: ignore[method-assign]

if __name__ == "__main__":
    from pymap.main import main

    sys.exit(main())
