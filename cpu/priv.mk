cpu_priv_sources =
