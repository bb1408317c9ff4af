"""Pages for participants: no account, a private link, then the study's rounds.

``GET /p/<token>`` checks the link, remembers it in the signed session cookie and redirects
to addresses without the token, so tokens stay out of logs and browser history. Every later
page finds the participant through :mod:`.session`.
"""

from flask import Blueprint

bp = Blueprint("participant", __name__)

from . import (  # noqa: E402, F401  (each module registers its routes on bp)
    answering,
    chnri,
    feedback,
    links,
    ranking,
    registration,
    workshop_lead,
)
