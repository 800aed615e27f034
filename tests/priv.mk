# unit tests: priv
