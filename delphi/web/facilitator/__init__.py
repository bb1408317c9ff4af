"""The study team's pages: one blueprint, one module per area of work.

Each module adds its routes to :data:`bp`; importing them here registers them.
"""

from flask import Blueprint

bp = Blueprint("facilitator", __name__)

from . import (  # noqa: E402, F401  (each module registers its routes on bp)
    api_tokens,
    audit,
    chnri,
    dashboard,
    design,
    documents,
    exports,
    feedback_settings,
    intake,
    item_history,
    items,
    messages,
    moderation,
    open_links,
    participants,
    ranking_results,
    ranking_settings,
    report,
    review,
    review_charts,
    rounds,
    studies,
    team,
    workshop,
)
