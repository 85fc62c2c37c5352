"""Carrying out planned actions through the provider ports."""
