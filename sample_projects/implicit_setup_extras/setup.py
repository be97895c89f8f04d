from setuptools import setup

setup(
    name="service",
    version="0.1.0",
    py_modules=["service"],
    install_requires=["flask>=3"],
    extras_require={"http": ["requests>=2.31"]},
)
