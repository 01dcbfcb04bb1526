"""Router: sends each received ticket to the responsible unit by the responsibility catalog."""
