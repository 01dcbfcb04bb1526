"""The embedded default stack behind `make run` and the tests: engine command lines and the start-up banner."""
