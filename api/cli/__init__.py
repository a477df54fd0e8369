"""The ``tidings`` command line: serve, seed, import, export, rebuild, check, keys, openapi."""
