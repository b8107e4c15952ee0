class DefaultConfig:
    TESTING = False
    SECRET_KEY = "change-me"
    API_PREFIX = "/api"
    GREETING = "Hello"


class TestingConfig(DefaultConfig):
    TESTING = True
    GREETING = "Hello, tester"
