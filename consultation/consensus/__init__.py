"""The consensus statistic: pure maths (statistics) and its application to tallies (selectors)."""
