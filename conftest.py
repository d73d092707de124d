"""Loaded before Django is set up: the test suite runs in the "test" mode of the settings."""

import os

os.environ["FANZHA_ENV"] = "test"
