// SPDX-License-Identifier: GPL-2.0-only
/*
 * daemon/kube/kubeconfig.c: the kubeconfig shapes nodeplaned meets (K3s's
 * k3s.yaml with embedded data, file references relative to the kubeconfig,
 * token, tokenFile, the in-cluster service account) and the exact errors
 * of broken ones. Every file is written into a fresh temporary directory.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "kube/kube.h"

#define CA	"-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n"
#define CERT	"-----BEGIN CERTIFICATE-----\nQ0VSVA==\n-----END CERTIFICATE-----\n"
#define KEY	"-----BEGIN EC PRIVATE KEY-----\nS0VZ\n-----END EC PRIVATE KEY-----\n"

static char dir[256];
static struct np_kubeconfig kc;
static char err[1024];

static void put(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

/* Standard base64 of s, for *-data keys. */
static char *b64(const char *s)
{
	static const char a[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), i, o = 0;
	char *out = malloc(n / 3 * 4 + 5);
	const unsigned char *p = (const unsigned char *)s;

	for (i = 0; i + 2 < n; i += 3) {
		out[o++] = a[p[i] >> 2];
		out[o++] = a[(p[i] & 3) << 4 | p[i + 1] >> 4];
		out[o++] = a[(p[i + 1] & 15) << 2 | p[i + 2] >> 6];
		out[o++] = a[p[i + 2] & 63];
	}
	if (n - i == 1) {
		out[o++] = a[p[i] >> 2];
		out[o++] = a[(p[i] & 3) << 4];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		out[o++] = a[p[i] >> 2];
		out[o++] = a[(p[i] & 3) << 4 | p[i + 1] >> 4];
		out[o++] = a[(p[i + 1] & 15) << 2];
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

/* Writes text as NAME in dir and loads it; returns the loader's result. */
static int load(const char *name, const char *text)
{
	char path[512];

	put(name, text);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	np_kubeconfig_free(&kc);
	return np_kubeconfig_load(path, &kc, err, sizeof(err));
}

/* The expected error: "<dir>/<name>: <rest>". */
static const char *want(const char *name, const char *rest)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf), "%s/%s: %s", dir, name, rest);
	return buf;
}

/* K3s's layout, with one user key replaced by extra (may be ""). */
static char *k3s_yaml(const char *cluster_extra, const char *user)
{
	char *ca = b64(CA), *cert = b64(CERT), *key = b64(KEY), *out;
	char userbuf[4096];

	if (!user) {
		snprintf(userbuf, sizeof(userbuf),
			 "    client-certificate-data: %s\n"
			 "    client-key-data: %s\n", cert, key);
		user = userbuf;
	}
	if (asprintf(&out,
		     "apiVersion: v1\n"
		     "clusters:\n"
		     "- cluster:\n"
		     "    certificate-authority-data: %s\n"
		     "    server: https://127.0.0.1:6443\n"
		     "%s"
		     "  name: default\n"
		     "contexts:\n"
		     "- context:\n"
		     "    cluster: default\n"
		     "    user: default\n"
		     "  name: default\n"
		     "current-context: default\n"
		     "kind: Config\n"
		     "preferences: {}\n"
		     "users:\n"
		     "- name: default\n"
		     "  user:\n"
		     "%s", ca, cluster_extra, user) < 0)
		exit(2);
	free(ca);
	free(cert);
	free(key);
	return out;
}

static int load_k3s(const char *cluster_extra, const char *user)
{
	char *y = k3s_yaml(cluster_extra, user);
	int r = load("k3s.yaml", y);

	free(y);
	return r;
}

TEST(k3s_embedded_data)
{
	CHECK_INT(load_k3s("", NULL), 0);
	CHECK_STR(err, "");
	CHECK_STR(kc.server, "https://127.0.0.1:6443");
	CHECK_STR(kc.ca_pem, CA);
	CHECK_STR(kc.cert_pem, CERT);
	CHECK_STR(kc.key_pem, KEY);
	CHECK(!kc.token);
	CHECK(!kc.tls_server_name);
}

/* Where it came from, for the client to read it again (kube.c). */
TEST(source_is_kept)
{
	char path[512];

	CHECK_INT(load_k3s("", NULL), 0);
	snprintf(path, sizeof(path), "%s/k3s.yaml", dir);
	CHECK_STR(kc.source, path);
	/* A failed load leaves nothing, the source included. */
	CHECK_INT(load("k3s.yaml", "current-context: \"\"\n"), -1);
	CHECK(!kc.source);
}

TEST(files_relative_to_the_kubeconfig)
{
	char abs[512], text[2048];

	mkdir(strcat(strcpy(abs, dir), "/pki"), 0700);
	put("pki/ca.crt", CA);
	put("client.crt", CERT);
	put("pki/client.key", KEY);
	snprintf(text, sizeof(text),
		 "apiVersion: v1\n"
		 "kind: Config\n"
		 "clusters:\n"
		 "- name: decoy\n"
		 "  cluster:\n"
		 "    certificate-authority: missing/ca.crt\n"
		 "    server: https://192.0.2.1:1\n"
		 "- name: real\n"
		 "  cluster:\n"
		 "    certificate-authority: pki/ca.crt\n"
		 "    server: https://k8s.example:6443/\n"
		 "users:\n"
		 "- name: decoy\n"
		 "  user:\n"
		 "    token: nope\n"
		 "- name: me\n"
		 "  user:\n"
		 "    client-certificate: client.crt\n"
		 "    client-key: %s/pki/client.key\n"
		 "contexts:\n"
		 "- name: decoy\n"
		 "  context: {cluster: decoy, user: decoy}\n"
		 "- name: ctx\n"
		 "  context: {cluster: real, user: me}\n"
		 "current-context: ctx\n", dir);
	CHECK_INT(load("files.yaml", text), 0);
	CHECK_STR(kc.server, "https://k8s.example:6443");
	CHECK_STR(kc.ca_pem, CA);
	CHECK_STR(kc.cert_pem, CERT);
	CHECK_STR(kc.key_pem, KEY);
	CHECK(!kc.token);
}

TEST(token)
{
	CHECK_INT(load_k3s("    tls-server-name: kubernetes\n",
			   "    token: abc.DEF-123\n"), 0);
	CHECK_STR(kc.token, "abc.DEF-123");
	CHECK_STR(kc.tls_server_name, "kubernetes");
	CHECK(!kc.cert_pem);
	CHECK(!kc.key_pem);
}

TEST(token_file)
{
	put("tok", "s3cr3t\n");
	CHECK_INT(load_k3s("", "    tokenFile: tok\n"), 0);
	CHECK_STR(kc.token, "s3cr3t");
}

TEST(token_wins_over_token_file)
{
	CHECK_INT(load_k3s("", "    token: inline\n"
			   "    tokenFile: does-not-exist\n"), 0);
	CHECK_STR(kc.token, "inline");
}

TEST(in_cluster)
{
	char sa[512];

	snprintf(sa, sizeof(sa), "%s/sa", dir);
	mkdir(sa, 0700);
	put("sa/token", "eyJhbGciOi.x.y\n");
	put("sa/ca.crt", CA);
	setenv("NP_SERVICEACCOUNT_DIR", sa, 1);
	setenv("KUBERNETES_SERVICE_HOST", "10.43.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	np_kubeconfig_free(&kc);
	CHECK_INT(np_kubeconfig_load(NULL, &kc, err, sizeof(err)), 0);
	CHECK_STR(kc.server, "https://10.43.0.1:443");
	CHECK_STR(kc.token, "eyJhbGciOi.x.y");
	CHECK_STR(kc.ca_pem, CA);
	CHECK(!kc.cert_pem);
	CHECK_STR(kc.source, "");	/* read again: the service account */

	setenv("KUBERNETES_SERVICE_HOST", "fd00:43::1", 1);
	np_kubeconfig_free(&kc);
	CHECK_INT(np_kubeconfig_load("", &kc, err, sizeof(err)), 0);
	CHECK_STR(kc.server, "https://[fd00:43::1]:443");

	unlink(strcat(sa, "/token"));
	np_kubeconfig_free(&kc);
	CHECK_INT(np_kubeconfig_load("", &kc, err, sizeof(err)), -1);
	snprintf(sa, sizeof(sa), "in-cluster: %s/sa/token: No such file or "
		 "directory", dir);
	CHECK_STR(err, sa);
	CHECK(!kc.server);
}

TEST(in_cluster_without_env)
{
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	CHECK_INT(np_kubeconfig_load(NULL, &kc, err, sizeof(err)), -1);
	CHECK_STR(err, "in-cluster: KUBERNETES_SERVICE_HOST and "
		  "KUBERNETES_SERVICE_PORT are not set (not in a pod? give a "
		  "kubeconfig)");
	setenv("KUBERNETES_SERVICE_HOST", "10.43.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "https", 1);
	CHECK_INT(np_kubeconfig_load(NULL, &kc, err, sizeof(err)), -1);
	CHECK_STR(err, "in-cluster: KUBERNETES_SERVICE_PORT: \"https\": not "
		  "a port");
}

TEST(missing_current_context)
{
	char *y = k3s_yaml("", NULL);

	*strstr(y, "current-context: default") = '#';
	CHECK_INT(load("k3s.yaml", y), -1);
	free(y);
	CHECK_STR(err, want("k3s.yaml", "current-context: not set"));
}

TEST(unknown_current_context)
{
	char *y = k3s_yaml("", NULL);

	memcpy(strstr(y, "current-context: default") + 17, "x\n     ", 7);
	CHECK_INT(load("k3s.yaml", y), -1);
	free(y);
	CHECK_STR(err, want("k3s.yaml",
			    "current-context \"x\": no such context"));
	CHECK(!kc.server);
}

TEST(unknown_user)
{
	char *y = k3s_yaml("", NULL);

	memcpy(strstr(y, "    user: default"), "    user: nobody ", 17);
	CHECK_INT(load("k3s.yaml", y), -1);
	free(y);
	CHECK_STR(err, want("k3s.yaml", "contexts[0].context.user "
			    "\"nobody\": no such user"));
}

TEST(unknown_cluster)
{
	char *y = k3s_yaml("", NULL);

	memcpy(strstr(y, "    cluster: default"), "    cluster: dflt   ", 20);
	CHECK_INT(load("k3s.yaml", y), -1);
	free(y);
	CHECK_STR(err, want("k3s.yaml", "contexts[0].context.cluster "
			    "\"dflt\": no such cluster"));
}

TEST(bad_base64)
{
	char user[256];
	char *cert = b64(CERT);
	static const char *const bad[] = {
		"S0VZ!", "S0V", "S0VZ=", "S=VZ", "S0==S0VZ", "S0VZ S0VZ", "",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(user, sizeof(user),
			 "    client-certificate-data: %s\n"
			 "    client-key-data: \"%s\"\n", cert, bad[i]);
		CHECK_INT(load_k3s("", user), -1);
		if (!*bad[i]) {
			/* empty data: no key at all */
			CHECK_STR(err, want("k3s.yaml", "users[0].user: a "
				  "client certificate without "
				  "client-key-data or client-key"));
			continue;
		}
		CHECK_STR(err, want("k3s.yaml", "users[0].user."
				    "client-key-data: not valid base64"));
	}
	free(cert);
}

TEST(base64_line_breaks_and_padding)
{
	char user[1024], *cert = b64(CERT), *key = b64(KEY);

	/* A folded scalar keeps line breaks inside the data. */
	snprintf(user, sizeof(user),
		 "    client-certificate-data: \"%.10s\\n%s\"\n"
		 "    client-key-data: %s\n", cert, cert + 10, key);
	CHECK_INT(load_k3s("", user), 0);
	CHECK_STR(kc.cert_pem, CERT);
	free(cert);
	free(key);
}

TEST(data_that_is_not_pem)
{
	CHECK_INT(load_k3s("", "    client-certificate-data: aGVsbG8=\n"
			   "    client-key-data: aGVsbG8=\n"), -1);
	CHECK_STR(err, want("k3s.yaml", "users[0].user."
			    "client-certificate-data: not a PEM block"));
}

TEST(insecure_skip_tls_verify_refused)
{
	CHECK_INT(load_k3s("    insecure-skip-tls-verify: true\n", NULL), -1);
	CHECK_STR(err, want("k3s.yaml", "clusters[0].cluster."
			    "insecure-skip-tls-verify: refused: nodeplaned "
			    "always verifies the API server's certificate"));
	/* false is what it should be anyway */
	CHECK_INT(load_k3s("    insecure-skip-tls-verify: false\n", NULL), 0);
}

TEST(missing_file)
{
	char text[1024], rest[1024];

	snprintf(text, sizeof(text),
		 "clusters:\n"
		 "- name: c\n"
		 "  cluster: {server: \"https://[::1]:6443\", "
		 "certificate-authority: nope/ca.crt}\n"
		 "contexts:\n"
		 "- name: x\n"
		 "  context: {cluster: c}\n"
		 "current-context: x\n");
	CHECK_INT(load("kc", text), -1);
	snprintf(rest, sizeof(rest), "clusters[0].cluster."
		 "certificate-authority: %s/nope/ca.crt: No such file or "
		 "directory", dir);
	CHECK_STR(err, want("kc", rest));
}

TEST(no_user_is_anonymous)
{
	char text[1024], *ca = b64(CA);

	snprintf(text, sizeof(text),
		 "clusters:\n"
		 "- name: c\n"
		 "  cluster: {server: \"https://[::1]:6443\", "
		 "certificate-authority-data: %s}\n"
		 "contexts:\n"
		 "- name: x\n"
		 "  context: {cluster: c}\n"
		 "current-context: x\n", ca);
	free(ca);
	CHECK_INT(load("kc", text), 0);
	CHECK_STR(kc.server, "https://[::1]:6443");
	CHECK(!kc.token && !kc.cert_pem && !kc.key_pem);
}

TEST(refused_shapes)
{
	char *y = k3s_yaml("", NULL);

	memcpy(strstr(y, "https://127"), " http://127", 11);
	CHECK_INT(load("k3s.yaml", y), -1);
	free(y);
	CHECK_STR(err, want("k3s.yaml", "clusters[0].cluster.server: "
			    "\"http://127.0.0.1:6443\": not an https:// URL"));

	CHECK_INT(load_k3s("", "    exec:\n      command: aws\n"), -1);
	CHECK_STR(err, want("k3s.yaml", "users[0].user.exec: not supported "
			    "(use a client certificate or a token)"));

	CHECK_INT(load_k3s("", "    token: \"a b\"\n"), -1);
	CHECK_STR(err, want("k3s.yaml", "users[0].user.token: holds "
			    "characters not allowed in an HTTP header"));

	CHECK_INT(load_k3s("", "    client-key-data: S0VZ\n"), -1);
	CHECK_CONTAINS(err, "users[0].user.client-key-data: not a PEM block");

	CHECK_INT(load_k3s("", "    token: [a]\n"), -1);
	CHECK_STR(err, want("k3s.yaml", "users[0].user.token: expected a "
			    "string"));

	CHECK_INT(load("k3s.yaml", "- a\n- b\n"), -1);
	CHECK_STR(err, want("k3s.yaml", "not a kubeconfig (expected a "
			    "mapping)"));

	CHECK_INT(load("k3s.yaml", ""), -1);
	CHECK_STR(err, want("k3s.yaml", "empty"));
}

TEST(cert_without_key)
{
	char user[1024], *cert = b64(CERT);

	snprintf(user, sizeof(user), "    client-certificate-data: %s\n",
		 cert);
	free(cert);
	CHECK_INT(load_k3s("", user), -1);
	CHECK_STR(err, want("k3s.yaml", "users[0].user: a client certificate "
			    "without client-key-data or client-key"));
}

TEST(yaml_error_names_the_file)
{
	CHECK_INT(load("k3s.yaml", "a: [\n"), -1);
	CHECK(!strncmp(err, want("k3s.yaml:", ""), strlen(dir) + 10));
}

TEST(unreadable_kubeconfig)
{
	char path[512], expect[1024];

	snprintf(path, sizeof(path), "%s/none.yaml", dir);
	CHECK_INT(np_kubeconfig_load(path, &kc, err, sizeof(err)), -1);
	snprintf(expect, sizeof(expect), "%s: No such file or directory",
		 path);
	CHECK_STR(err, expect);
}

int main(void)
{
	char cmd[512];

	snprintf(dir, sizeof(dir), "/tmp/np-kubeconfig-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	RUN(k3s_embedded_data);
	RUN(source_is_kept);
	RUN(files_relative_to_the_kubeconfig);
	RUN(token);
	RUN(token_file);
	RUN(token_wins_over_token_file);
	RUN(in_cluster);
	RUN(in_cluster_without_env);
	RUN(missing_current_context);
	RUN(unknown_current_context);
	RUN(unknown_user);
	RUN(unknown_cluster);
	RUN(bad_base64);
	RUN(base64_line_breaks_and_padding);
	RUN(data_that_is_not_pem);
	RUN(insecure_skip_tls_verify_refused);
	RUN(missing_file);
	RUN(no_user_is_anonymous);
	RUN(refused_shapes);
	RUN(cert_without_key);
	RUN(yaml_error_names_the_file);
	RUN(unreadable_kubeconfig);
	np_kubeconfig_free(&kc);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd)) {
		/* leftovers in /tmp only */
	}
	return check_summary();
}
