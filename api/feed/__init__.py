"""The live feed: commits broadcast to Server-Sent Event streams and long-polling readers."""
