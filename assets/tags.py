"""Names the Dagster layer and ``make run`` share, in a module that does not import Dagster: a ``make run``
with nothing to re-compute answers without loading it."""

import logging

PROGRESS = logging.getLogger("diz.progress")  # one line per step; ``make run`` prints it
FULL_TAG = "diz/full"  # the run re-computes every step (make run FULL=1)
CLI_TAG = "diz/publisher"  # "cli": ``make run`` publishes the run itself, not the sensor
PID_TAG, HOST_TAG = "diz/pid", "diz/host"  # which process runs a ``make run`` (to tell one that was killed)
