# unit tests: alu
