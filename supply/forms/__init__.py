"""The supply module's forms, one module per actor."""
