"""Built-in conditions; importing a module registers its conditions."""
