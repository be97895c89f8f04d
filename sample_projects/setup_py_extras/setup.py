from setuptools import find_packages, setup

setup(
    name="ledger",
    version="1.4.0",
    description="Account balances API",
    packages=find_packages(exclude=["tests", "tests.*"]),
    python_requires=">=3.11",
    install_requires=[
        "Flask==3.1.0",
        "gunicorn==23.0.0",
    ],
    extras_require={
        # The Postgres driver is optional: only images that talk to Postgres install it.
        "postgres": ["psycopg2-binary==2.9.10"],
    },
)
