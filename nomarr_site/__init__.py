"""Nomarr's project package and platform app: settings, URL map, authentication, errors,
health, configuration and the events plumbing that every other app builds on."""
