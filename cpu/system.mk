cpu_system_sources =
