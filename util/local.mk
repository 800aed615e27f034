noinst_LTLIBRARIES += libutil.la
libutil_la_SOURCES = util/log.c util/log.h
