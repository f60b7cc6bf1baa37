"""Istanbul Talks Timeline: a sourced, static timeline site generator.

The data flows one way: load → validate → model → render → write.
"""
