# unit tests: sys
