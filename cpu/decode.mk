cpu_decode_sources =
