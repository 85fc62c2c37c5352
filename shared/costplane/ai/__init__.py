"""AI spend on the event side: the admission check a gateway calls before a model request."""
