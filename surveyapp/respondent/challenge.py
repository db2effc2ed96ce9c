"""An optional proof-of-work on the consent page of open links (ALTCHA's SHA-256 scheme).

With `SURVEYAPP_RESPONDENT_CHALLENGE=on`, the consent page carries a challenge made by the
`altcha` library (a random salt and number, `challenge = SHA-256(salt + number)`, HMAC-signed
with the secret key), wrapped in an itsdangerous token that also dates it. A small script
(`static/respondent-pow.js`) finds the number while the respondent reads the page (about
`max_number / 2` hashes: a fraction of a second on a phone) and posts it with the form. The
server checks it (`altcha.verify_solution_v1`) just before a new response would be stored, and
refuses a challenge used once already (its hash is counted in the rate-limit store until the
challenge expires), so one solution starts one response.

Without JavaScript the respondent still gets through: a consent page posted without a
solution is accepted when its challenge is at least `RESPONDENT_CHALLENGE_WAIT` seconds old
(10 by default; most people take longer to read the consent text). Sooner, the page comes back
with a message asking to wait a few seconds. A script pays in time instead of CPU there; the
per-client start limit bounds how many it can run in parallel.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import altcha
from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from surveyapp.extensions import limiter

log = logging.getLogger("surveyapp.respondent")
MAX_AGE = 2 * 3600
SALT = "respondent-start-challenge"


def enabled() -> bool:
    """True when the consent page of open links carries a challenge."""
    return bool(current_app.config.get("RESPONDENT_CHALLENGE"))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def issue() -> dict[str, str] | None:
    """A new challenge for a consent page: the signed token and the public part for the script."""
    if not enabled():
        return None
    # altcha's keyword overload declares every option required (the function has defaults)
    challenge = altcha.create_challenge_v1(  # type: ignore[call-overload]
        hmac_key=current_app.config["SECRET_KEY"],
        max_number=current_app.config["RESPONDENT_CHALLENGE_MAX_NUMBER"],
        expires=datetime.now(UTC) + timedelta(seconds=MAX_AGE),
    ).to_dict()
    return {"token": _serializer().dumps(challenge), "public": json.dumps(challenge)}


def check(form: Mapping[str, str]) -> str | None:
    """None when the posted consent page may start a response, else "challenge"."""
    if not enabled():
        return None
    try:
        data, issued = _serializer().loads(
            form.get("_challenge", ""), max_age=MAX_AGE, return_timestamp=True
        )
    except BadData:
        log.info("event=start_refused reason=challenge_invalid")
        return "challenge"
    number = form.get("_pow") or ""
    if number:
        ok = (
            number.isdigit()
            and altcha.verify_solution_v1(  # type: ignore[call-overload]  # a plain dict, not
                {**data, "number": int(number)},  # altcha's TypedDict (same keys at run time)
                current_app.config["SECRET_KEY"],
            )[0]
        )
        if not ok:
            log.info("event=start_refused reason=challenge_wrong")
            return "challenge"
    elif time.time() - issued.timestamp() < current_app.config["RESPONDENT_CHALLENGE_WAIT"]:
        log.info("event=start_refused reason=challenge_too_soon")
        return "challenge"
    if limiter.storage.incr(f"start-challenge:{data['challenge']}", MAX_AGE) > 1:
        log.info("event=start_refused reason=challenge_replayed")
        return "challenge"
    return None
