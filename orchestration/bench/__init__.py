"""``streamgauge bench``: speed and peak memory of every stage at several simulated sizes, with the
pandas and hand-written SQL baselines side by side (README, "Performance")."""
