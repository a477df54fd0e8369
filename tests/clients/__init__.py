"""Clients generated from the live spec by their generators' defaults, compiled and run against a real server."""
