"""fanzha (反诈): operations platform for anti-telecom-and-online-fraud centres."""

__version__ = "0.1.0"
