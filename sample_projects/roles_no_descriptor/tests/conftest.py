import responses  # a test-only helper that no requirement file declares


def pytest_configure(config):
    config.addinivalue_line("markers", responses.__name__)
