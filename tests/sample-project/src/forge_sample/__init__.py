"""A sample package built by forge_backend."""

__version__ = "1.0.0"


def main():
    print("hello from forge-sample")
