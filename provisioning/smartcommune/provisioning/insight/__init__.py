"""Provider view of the smart-commune criteria: province roll-ups across communes."""
