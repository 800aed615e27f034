# testsuite/: the DejaGnu suite (tool "satori"), run by make check.
DEJATOOL = satori
RUNTESTDEFAULTFLAGS = --tool satori --srcdir $(abs_srcdir)/testsuite \
	SATORI=$(abs_builddir)/satori GUESTDIR=$(abs_builddir)/testsuite
EXTRA_DIST += testsuite/config/unix.exp testsuite/lib/satori.exp
include testsuite/satori.hw/pci-guests.mk
