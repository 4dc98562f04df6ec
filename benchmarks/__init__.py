"""Side-by-side measurements that print ratios (see docs/performance.md); not tests."""
