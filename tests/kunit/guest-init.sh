#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# PID 1 of the UML guest booted by tests/kunit/run (root: the host's / over
# hostfs, mounted read-only). The kernel command line hands over, as
# environment variables:
#   np_ko      the test module to load
#   np_suites  how many KUnit suites it registers (counted on the host)
# It prints the top-level KTAP header (module-loaded suites print only their
# own), loads the module (KUnit runs every suite during the load), unloads
# it, prints an end marker the runner requires, and powers the guest off.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null

echo "nodeplane-kunit: begin"
echo "KTAP version 1"
echo "1..${np_suites:-0}"
insmod "$np_ko"
ins=$?
rm=skipped
if [ "$ins" = 0 ]; then
	rmmod nodeplane_kunit
	rm=$?
fi
echo "nodeplane-kunit: end insmod=$ins rmmod=$rm"

# Power off: sysrq needs only /proc; poweroff -f (busybox or systemctl's
# --force --force) is the fallback. If all fail, init exits and the kernel
# panics, which the runner's timeout and end-marker checks both catch.
echo o >/proc/sysrq-trigger 2>/dev/null
sleep 5
busybox poweroff -f 2>/dev/null || poweroff -f -f 2>/dev/null
sleep 5
