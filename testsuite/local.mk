# testsuite/: the DejaGnu suite (tool "satori"), run by make check.
DEJATOOL = satori
RUNTESTDEFAULTFLAGS = --tool satori --srcdir $(abs_srcdir)/testsuite \
	SATORI=$(abs_builddir)/satori GUESTDIR=$(abs_builddir)/testsuite
EXTRA_DIST += testsuite/config/unix.exp testsuite/lib/satori.exp
EXTRA_DIST += testsuite/satori.linux/boot.exp testsuite/satori.linux/mkinitramfs.sh
CLEANFILES += testsuite/satori.linux/initramfs.cpio.gz
