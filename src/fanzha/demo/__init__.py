"""The demo county (演示数据): 江州市 › 青溪县, its townships, villages, grids, organisations, users and
key residents — fictional, deterministic for a given seed, built through the services.

``plan`` builds the whole county as plain data (no database); ``build`` writes a plan through the
services; ``accounts`` names the demo logins. ``fanzha demo`` and ``fanzha demo_logins`` use them.
"""
