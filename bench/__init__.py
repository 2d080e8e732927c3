"""Benchmarks that run the product through its real HTTP stack, broker and worker."""
