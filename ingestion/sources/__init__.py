"""One module per source system. Each fetch lands pages as received and returns what it fetched."""
