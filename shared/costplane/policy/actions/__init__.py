"""Built-in actions; importing a module registers its actions."""
