# unit tests: hyperv
