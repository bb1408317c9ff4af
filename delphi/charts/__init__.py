"""Agreement charts drawn with matplotlib from engine results; never touches models or pyplot.

Every chart is a ``Chart``: a matplotlib ``Figure`` on its own Agg canvas, plain-English
alternative text and the same numbers as table rows. ``to_png`` and ``to_svg`` turn a figure
into bytes. ``CHART_STYLE_VERSION`` changes whenever the look does.
"""

from delphi.charts.changes import movement
from delphi.charts.chnri import chnri_priorities
from delphi.charts.distribution import DistributionPanel, item_distribution
from delphi.charts.divergence import group_divergence
from delphi.charts.figures import Chart, to_png, to_svg
from delphi.charts.flow import participant_flow
from delphi.charts.groups import by_group
from delphi.charts.maps import MapRegion, consensus_map, median_map
from delphi.charts.priorities import group_orders, ranked_priorities
from delphi.charts.rounds import rounds_side_by_side
from delphi.charts.style import CHART_STYLE_VERSION

__all__ = [
    "CHART_STYLE_VERSION",
    "Chart",
    "DistributionPanel",
    "MapRegion",
    "by_group",
    "chnri_priorities",
    "consensus_map",
    "group_divergence",
    "group_orders",
    "item_distribution",
    "median_map",
    "movement",
    "participant_flow",
    "ranked_priorities",
    "rounds_side_by_side",
    "to_png",
    "to_svg",
]
