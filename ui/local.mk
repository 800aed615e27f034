noinst_LTLIBRARIES += libui.la
libui_la_SOURCES = ui/ui.h ui/console.c
