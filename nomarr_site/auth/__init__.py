"""Authentication: who is calling (credentials) and what each URL group accepts (policy)."""
