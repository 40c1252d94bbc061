"""Agenda: the programme of a civic event, co-built in the open as YAML files."""

__version__ = "0.1.0"
