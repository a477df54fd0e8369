"""Read models: pure folds of stored events into rows keyed by company, and the views built from them.

Each module is one projection (``PROJECTION``: the views it writes, the event types it folds)
and/or one read model (``READ_MODEL``: the views it reads); api.projections.registry finds
them. The store folds every new event inside its append transaction (and again on rebuild),
so a 201 means every read model already shows the event.
"""
