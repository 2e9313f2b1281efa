"""Analysis: the method's scores, classes and rankings (group analysis)."""

from assets.analysis import connectivity, need, places

MODULES = [connectivity, need, places]
