/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/user/unit/apiserver_fix.h: the test API server
 * (tests/apiserver/apiserver.py) as a child process for the unit tests
 * that talk to it over loopback (test_kube_live, test_kube_write): start
 * it on free ports with fixture files, stop it, and drive its control
 * port. The test's build passes -DNP_TOPDIR=<the tree's top>.
 */
#ifndef _NP_TEST_APISERVER_FIX_H
#define _NP_TEST_APISERVER_FIX_H

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "loop.h"

#ifndef NP_TOPDIR
#define NP_TOPDIR ".."
#endif
#define APISERVER	NP_TOPDIR "/tests/apiserver/apiserver.py"
#define MKCERTS		NP_TOPDIR "/tests/apiserver/mkcerts.sh"

static pid_t server_pid;
static int api_port, ctl_port;

static inline int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* A whole file (free it), or NULL. */
static inline char *slurp(const char *path)
{
	char *buf = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "r");
	ssize_t n;

	if (!f)
		return NULL;
	n = getdelim(&buf, &cap, '\0', f);
	fclose(f);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * The server with DIR/certs (mkcerts.sh's output) and DIR/fixtures/NAME
 * for each { NAME, TEXT } of files (ended by a NULL name), extra
 * arguments (NULL-ended, may be NULL) before its state file, its log in
 * DIR/apiserver.log; api_port and ctl_port set. 0, or -1.
 */
static inline int apiserver_start(const char *dir,
				  const char *const (*files)[2],
				  const char *const *extra)
{
	char certs[512], fixtures[512], state[512], logf[512], path[1024];
	const char *argv[32];
	char *text, *p;
	uint64_t end;
	int fd, n = 0;

	snprintf(certs, sizeof(certs), "%s/certs", dir);
	snprintf(fixtures, sizeof(fixtures), "%s/fixtures", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(logf, sizeof(logf), "%s/apiserver.log", dir);
	mkdir(fixtures, 0700);
	for (; (*files)[0]; files++) {
		snprintf(path, sizeof(path), "%s/%s", fixtures, (*files)[0]);
		if (write_file(path, (*files)[1]))
			return -1;
	}
	argv[n++] = "python3";
	argv[n++] = APISERVER;
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--control";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--certs";
	argv[n++] = certs;
	argv[n++] = "--fixtures";
	argv[n++] = fixtures;
	while (extra && *extra && n < 26)
		argv[n++] = *extra++;
	argv[n++] = "--state-file";
	argv[n++] = state;
	argv[n++] = "--verbose";
	argv[n] = NULL;
	server_pid = fork();
	if (server_pid < 0)
		return -1;
	if (server_pid == 0) {
		fd = open(logf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp("python3", (char *const *)argv);
		_exit(127);
	}
	end = np_now_ms() + 20000;
	while (access(state, R_OK)) {
		if (np_now_ms() > end || waitpid(server_pid, NULL, WNOHANG))
			return -1;
		usleep(50000);
	}
	text = slurp(state);
	if (!text)
		return -1;
	p = strstr(text, "api_port=");
	api_port = p ? atoi(p + 9) : 0;
	p = strstr(text, "control_port=");
	ctl_port = p ? atoi(p + 13) : 0;
	free(text);
	return api_port > 0 && ctl_port > 0 ? 0 : -1;
}

static inline void stop_server(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
		server_pid = 0;
	}
}

/* ---- the control API ---- */

struct ctl_buf {
	char *p;
	size_t n;
};

static inline size_t ctl_buf_write(char *p, size_t size, size_t n, void *ud)
{
	struct ctl_buf *b = ud;
	char *nb = realloc(b->p, b->n + size * n + 1);

	if (!nb)
		return 0;
	memcpy(nb + b->n, p, size * n);
	b->n += size * n;
	nb[b->n] = '\0';
	b->p = nb;
	return size * n;
}

/* A control request; its JSON answer (free with cJSON_Delete), or NULL. */
static inline cJSON *ctl(const char *method, const char *path,
			 const char *body)
{
	struct ctl_buf b = { NULL, 0 };
	char url[1024];
	CURL *e = curl_easy_init();
	long status = 0;
	cJSON *j = NULL;

	if (!e)
		return NULL;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", ctl_port, path);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, ctl_buf_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
	if (body)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	else if (strcmp(method, "GET"))
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
	if (curl_easy_perform(e) == CURLE_OK) {
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
		if (status == 200 && b.p)
			j = cJSON_Parse(b.p);
	}
	curl_easy_cleanup(e);
	free(b.p);
	return j;
}

/* A control request whose answer does not matter beyond success. */
static inline bool ctl_ok(const char *method, const char *path,
			  const char *body)
{
	cJSON *j = ctl(method, path, body);

	cJSON_Delete(j);
	return j != NULL;
}

#endif
