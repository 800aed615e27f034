# unit tests: platform
