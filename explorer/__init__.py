"""integrator-explorer: a terminal explorer for Celigo integrator.io accounts."""

__version__ = "0.1.0"
