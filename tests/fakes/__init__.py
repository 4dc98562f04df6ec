"""Fake back-office servers that speak the real protocols on 127.0.0.1, for tests and demos."""
