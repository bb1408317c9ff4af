"""The chart of how the panel scored an item last round, for the participant answering it.

Only items of the participant's own open round have a chart; any other key is not found, so
nobody can read another round's or study's results through this address.
"""

from __future__ import annotations

from flask import Response, abort

from ...models import Participant, ParticipantStatus
from ...services import feedback, invitations
from . import bp
from .session import participant_required

#: The chart depends only on a published snapshot and the participant's earlier answer.
CACHE_CONTROL = "private, max-age=300"


@bp.get("/take-part/feedback/<key>.png")
@participant_required
def feedback_chart(participant: Participant, key: str):
    """The item's chart of last round's scores as a PNG image, own earlier score marked."""
    from ...charts import to_png  # matplotlib: only on use

    round_ = invitations.open_round(participant.study)
    if round_ is None or participant.status == ParticipantStatus.WITHDRAWN:
        abort(404)
    fb = feedback.item_feedback(participant, round_, keys=[key]).get(key)
    if fb is None:
        abort(404)
    chart = feedback.feedback_chart(fb, participant.study.min_group_size)
    response = Response(to_png(chart.figure), mimetype="image/png")
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response

