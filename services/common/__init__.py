"""Infrastructure shared by every Talenta service: settings, errors, logging, health, database, tokens, HTTP.

This package holds no domain rules and never imports a service package.
"""
