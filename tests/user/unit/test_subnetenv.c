// SPDX-License-Identifier: GPL-2.0-only
/*
 * subnet.env: the text byte for byte (IPv4-only, dual-stack, IPv6-only),
 * the path override, and the atomic write that skips unchanged content.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "overlay/subnetenv.h"

static struct np_cidr cidr(const char *s)
{
	struct np_cidr c;

	if (np_cidr_parse(s, &c)) {
		fprintf(stderr, "bad test CIDR %s\n", s);
		exit(2);
	}
	return c;
}

TEST(format_v4_only)
{
	struct np_subnetenv in = { 0 };
	char buf[NP_SUBNETENV_LEN];

	in.fam4 = true;
	in.cluster4 = cidr("10.42.0.0/16");
	in.pod4 = cidr("10.42.1.0/24");
	in.mtu = 1450;
	in.ipmasq = true;
	CHECK_INT(np_subnetenv_format(&in, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "FLANNEL_NETWORK=10.42.0.0/16\n"
		       "FLANNEL_SUBNET=10.42.1.1/24\n"
		       "FLANNEL_MTU=1450\n"
		       "FLANNEL_IPMASQ=true\n");
}

TEST(format_dual_stack)
{
	struct np_subnetenv in = { 0 };
	char buf[NP_SUBNETENV_LEN];

	in.fam4 = in.fam6 = true;
	in.cluster4 = cidr("10.42.0.0/16");
	in.pod4 = cidr("10.42.255.0/24");
	in.cluster6 = cidr("2001:db8:42::/56");
	in.pod6 = cidr("2001:db8:42:1::/64");
	in.mtu = 1420;
	in.ipmasq = true;
	CHECK_INT(np_subnetenv_format(&in, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "FLANNEL_NETWORK=10.42.0.0/16\n"
		       "FLANNEL_SUBNET=10.42.255.1/24\n"
		       "FLANNEL_IPV6_NETWORK=2001:db8:42::/56\n"
		       "FLANNEL_IPV6_SUBNET=2001:db8:42:1::1/64\n"
		       "FLANNEL_MTU=1420\n"
		       "FLANNEL_IPMASQ=true\n");
}

TEST(format_v6_only)
{
	struct np_subnetenv in = { 0 };
	char buf[NP_SUBNETENV_LEN];

	in.fam6 = true;
	in.cluster6 = cidr("fd00:42::/56");
	in.pod6 = cidr("fd00:42:0:3::/64");
	in.mtu = 1500;
	in.ipmasq = true;
	CHECK_INT(np_subnetenv_format(&in, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "FLANNEL_IPV6_NETWORK=fd00:42::/56\n"
		       "FLANNEL_IPV6_SUBNET=fd00:42:0:3::1/64\n"
		       "FLANNEL_MTU=1500\n"
		       "FLANNEL_IPMASQ=true\n");
}

/* Host bits in the inputs are cleared; the increment carries over bytes. */
TEST(format_network_and_carry)
{
	struct np_subnetenv in = { 0 };
	char buf[NP_SUBNETENV_LEN];

	in.fam4 = true;
	in.cluster4 = cidr("10.42.7.9/16");
	in.pod4 = cidr("10.42.0.255/32");
	in.mtu = 1450;
	CHECK_INT(np_subnetenv_format(&in, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "FLANNEL_NETWORK=10.42.0.0/16\n"
		       "FLANNEL_SUBNET=10.42.1.0/32\n"
		       "FLANNEL_MTU=1450\n"
		       "FLANNEL_IPMASQ=false\n");
}

TEST(format_errors)
{
	struct np_subnetenv in = { 0 };
	char buf[40];

	CHECK_INT(np_subnetenv_format(&in, buf, sizeof(buf)), -EINVAL);
	in.fam4 = true;
	in.cluster4 = cidr("10.42.0.0/16");
	in.pod4 = cidr("10.42.1.0/24");
	CHECK_INT(np_subnetenv_format(&in, buf, sizeof(buf)), -ENOSPC);
}

TEST(path_override)
{
	unsetenv(NP_SUBNETENV_ENV);
	CHECK_STR(np_subnetenv_path(), "/run/flannel/subnet.env");
	setenv(NP_SUBNETENV_ENV, "", 1);
	CHECK_STR(np_subnetenv_path(), "/run/flannel/subnet.env");
	setenv(NP_SUBNETENV_ENV, "/tmp/x/subnet.env", 1);
	CHECK_STR(np_subnetenv_path(), "/tmp/x/subnet.env");
	unsetenv(NP_SUBNETENV_ENV);
}

static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (!f)
		return;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Files in dir other than "." and "..": no temporary file left behind. */
static int count_files(const char *dir)
{
	char cmd[512], out[32] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (!fgets(out, sizeof(out), p))
		out[0] = '\0';
	pclose(p);
	return atoi(out);
}

TEST(write_atomic_and_unchanged_skip)
{
	char dir[] = "/tmp/np_senv_XXXXXX", path[256], buf[512], why[256];
	struct stat st1, st2;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/flannel/subnet.env", dir);
	/* the missing directory is created */
	CHECK_INT(np_subnetenv_write(path, "A=1\n", why, sizeof(why)), 0);
	slurp(path, buf, sizeof(buf));
	CHECK_STR(buf, "A=1\n");
	CHECK_INT(stat(path, &st1), 0);
	CHECK_INT((int)(st1.st_mode & 07777), 0644);
	/* same text: not rewritten (same inode) */
	CHECK_INT(np_subnetenv_write(path, "A=1\n", why, sizeof(why)), 1);
	CHECK_INT(stat(path, &st2), 0);
	CHECK(st1.st_ino == st2.st_ino);
	/* new text: replaced by rename (new inode), nothing else left */
	CHECK_INT(np_subnetenv_write(path, "A=2\nB=3\n", why, sizeof(why)), 0);
	slurp(path, buf, sizeof(buf));
	CHECK_STR(buf, "A=2\nB=3\n");
	CHECK_INT(stat(path, &st2), 0);
	CHECK(st1.st_ino != st2.st_ino);
	snprintf(buf, sizeof(buf), "%s/flannel", dir);
	CHECK_INT(count_files(buf), 1);
	/* a prefix of the file is not the same text */
	CHECK_INT(np_subnetenv_write(path, "A=2\n", why, sizeof(why)), 0);
	slurp(path, buf, sizeof(buf));
	CHECK_STR(buf, "A=2\n");
	unlink(path);
	snprintf(buf, sizeof(buf), "%s/flannel", dir);
	rmdir(buf);
	rmdir(dir);
}

TEST(write_unwritable_directory)
{
	char dir[] = "/tmp/np_senv_XXXXXX", path[256], why[256];

	CHECK(mkdtemp(dir) != NULL);
	/* a regular file where the directory should be */
	snprintf(path, sizeof(path), "%s/f", dir);
	CHECK_INT(np_subnetenv_write(path, "x", why, sizeof(why)), 0);
	snprintf(path, sizeof(path), "%s/f/subnet.env", dir);
	CHECK_INT(np_subnetenv_write(path, "x", why, sizeof(why)), -ENOTDIR);
	CHECK(strstr(why, "cannot create a file next to") != NULL);
	snprintf(path, sizeof(path), "%s/f", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	RUN(format_v4_only);
	RUN(format_dual_stack);
	RUN(format_v6_only);
	RUN(format_network_and_carry);
	RUN(format_errors);
	RUN(path_override);
	RUN(write_atomic_and_unchanged_skip);
	RUN(write_unwritable_directory);
	return check_summary();
}
