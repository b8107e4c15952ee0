class DefaultConfig:
    TESTING = False
    SECRET_KEY = "change-me"
    API_PREFIX = "/api"
    GREETING = "Hello"


class TestingConfig:
    """TODO: build on DefaultConfig, turn TESTING on and greet the tester."""
