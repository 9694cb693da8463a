"""The service layer: what the CLI, the HTTP API and the web app may ask of the engine."""
