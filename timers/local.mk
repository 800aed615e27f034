noinst_LTLIBRARIES += libtimers.la
libtimers_la_SOURCES = timers/timers.h timers/vclock.c
