"""Provider-neutral domain models shared by every layer of costplane."""
