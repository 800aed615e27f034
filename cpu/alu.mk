cpu_alu_sources =
