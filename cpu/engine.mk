cpu_engine_sources = cpu/exec.c
