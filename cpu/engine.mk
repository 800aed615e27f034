cpu_engine_sources =
