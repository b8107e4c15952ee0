"""Interview Lab: practice lab for Python, Flask, Docker and REST API interviews."""

__version__ = "0.1.0"
