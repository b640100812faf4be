"""Cảnh Giác: a community safety desk for Vietnamese communes."""

__version__ = "0.1.0"
