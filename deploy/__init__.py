"""Technician tooling: setting up kiosks, running them, and finding out what is wrong."""
