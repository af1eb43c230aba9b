"""Analysis of stored signals for people: the dashboards' figures (volumes, sentiment, share of
voice, tops, mix, map), each compared with the period before. Reports reuse them."""
