"""WSGI entry point for gunicorn: ``gunicorn wsgi:app``."""

from delphi.app import create_app

app = create_app()
