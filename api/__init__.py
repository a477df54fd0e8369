"""Everything that runs: the app, routes, store backends, projections and the CLI."""

__version__ = "0.1.0"
