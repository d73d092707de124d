"""Fund tracing (资金溯源): bank statements in, the victim's money followed first-in-first-out.

Django-free by design (tests/test_engine_isolation.py asserts it). See docs/tracing.md.

    from fanzha.tracing.statements import read_statement, merge_statements
    from fanzha.tracing.index import TransferIndex
    from fanzha.tracing.trace import trace
"""
