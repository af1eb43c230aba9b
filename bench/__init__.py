"""Benchmarks: one module per area, each with a `main()` writing JSON under bench/results/."""
