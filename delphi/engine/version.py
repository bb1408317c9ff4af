"""The engine's version, stored with every published result so a report can say what made it.

Raise it whenever a change to the engine could change a published statistic or status
(a formula, a quantile method, how a rule is read), so results published before and after
the change can be told apart.
"""

ENGINE_VERSION = "1.0.0"
"""Version of the statistics in :mod:`delphi.engine` (semantic versioning)."""
