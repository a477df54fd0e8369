"""Pure types of Tidings: events, read models, problems. No I/O, no web framework."""
