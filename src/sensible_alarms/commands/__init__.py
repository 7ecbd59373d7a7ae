"""The CLI's commands, one module each; ``sensible_alarms.cli`` only parses and calls them."""
