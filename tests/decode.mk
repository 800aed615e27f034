# unit tests: decode
