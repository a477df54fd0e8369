"""Proofs against a real ``tidings serve`` process: crashes, races, readers, faults, hostile input, load."""
