"""Platform API views: authentication, API keys, health, info and configuration."""
