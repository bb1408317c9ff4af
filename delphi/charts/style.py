"""The look shared by every chart: colours, font sizes and the style version.

Colours come from the Okabe–Ito palette (safe for colour-blind readers; Okabe & Ito, 2008,
"Color Universal Design") and GOV.UK's text colours. Every text colour has a contrast ratio of
at least 4.5:1 on white and on the band shading (WCAG 2.2, 1.4.3); shapes that carry meaning
have at least 3:1 (1.4.11). Font sizes are in points at 100 dpi, so a 6-inch-wide chart is
600 pixels wide and its smallest text is about 13 pixels high.
"""

CHART_STYLE_VERSION = 1
"""Bump whenever a chart's look changes: cached charts are stored under this number."""

DPI = 100
FIGURE_WIDTH = 6.0          # inches: 600 pixels at DPI

TEXT = "#0B0C0C"            # GOV.UK text: 19.8:1 on white
SECONDARY_TEXT = "#505A5F"  # GOV.UK secondary text: 7.1:1 on white, 5.8:1 on BAND_SHADES[0]
BAR = "#0072B2"             # Okabe–Ito blue: 5.2:1 on white, over 3:1 on the band shades
BAR_EDGE = TEXT
OWN_BAR = "#BFDDEF"         # a pale tint under dark hatching: the pattern, not the colour,
                            # marks the participant's own answer
BAND_SHADES = ("#E8E8E8", "#F7F7F7")   # alternate so neighbouring bands stay distinct
BACKGROUND = "#FFFFFF"

TITLE_SIZE = 13
PANEL_TITLE_SIZE = 12
TICK_SIZE = 11
LABEL_SIZE = 10

# Steering charts. Every marker and bar has a TEXT-coloured outline, so its shape stands out
# from white at 19:1 whatever its fill; fills tell statuses and groups apart, and so do
# marker shapes, so nothing depends on colour alone.
MARKER_EDGE = TEXT
LINE = SECONDARY_TEXT       # connecting lines and thresholds: 7.1:1 on white
STATUS_STYLES = {
    # status: (words, fill, marker, region tint)
    "consensus_in": ("Consensus in", "#009E73", "^", "#DDEFE8"),
    "no_consensus": ("No consensus", "#E69F00", "o", "#FDF1D6"),
    "consensus_out": ("Consensus out", "#D55E00", "v", "#F9E0D0"),
    "appropriate": ("Appropriate", "#009E73", "^", "#DDEFE8"),
    "uncertain": ("Uncertain", "#E69F00", "o", "#FDF1D6"),
    "inappropriate": ("Inappropriate", "#D55E00", "v", "#F9E0D0"),
}
OTHER_STATUS_FILLS = ("#56B4E9", "#CC79A7", "#0072B2", "#F0E442")
OTHER_STATUS_MARKERS = ("s", "D", "P", "X")
REGION_TINT = "#E0ECF5"     # a region with no known status
GROUP_FILLS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442",
               "#FFFFFF")
GROUP_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
ROUND_FILLS = ("#FFFFFF", "#BFDDEF", "#6AAED6", "#0072B2")   # earliest to latest
ROUND_HATCHES = ("xx", "..", "//", "")
BOX_FILL = "#F3F2F1"        # GOV.UK light grey: TEXT 17:1 on it
