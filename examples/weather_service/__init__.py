"""A small weather service: one module does it right, the others show the leaks httplint finds."""
