satori_SOURCES = system/main.c
satori_LDADD = libhw.la libui.la libhyperv.la libcpu.la libtimers.la libutil.la libfirmware.la \
	$(CAPSTONE_LIBS) $(ZLIB_LIBS) -lm
