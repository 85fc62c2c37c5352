"""Turning provider-native payloads into ResourceEvents, through a registry of envelope parsers."""
