// SPDX-License-Identifier: GPL-2.0-only
/* daemon/yamljson.c: YAML/JSON text to cJSON documents, scalar resolution,
 * anchors, and the exact error texts. */
#include <stdlib.h>

#include "check.h"
#include "yamljson.h"

static struct np_yaml_doc *docs;
static size_t n_docs;
static char err[512];
static char out[4096];

/* Parses text as "t.yaml"; returns np_yaml_parse()'s result. Frees the
 * previous documents. */
static int parse(const char *text)
{
	np_yaml_docs_free(docs, n_docs);
	docs = NULL;
	n_docs = 0;
	return np_yaml_parse("t.yaml", text, strlen(text), &docs, &n_docs, err,
			     sizeof(err));
}

/* Compact JSON of a value, "(none)" for NULL, into out. */
static const char *json(const cJSON *v)
{
	char *s;

	if (!v)
		return "(none)";
	s = cJSON_PrintUnformatted(v);
	snprintf(out, sizeof(out), "%s", s ? s : "(print failed)");
	free(s);
	return out;
}

/* The one document of text as compact JSON, or "ERR <error>". */
static const char *one(const char *text)
{
	if (parse(text) < 0) {
		snprintf(out, sizeof(out), "ERR %s", err);
		return out;
	}
	if (n_docs != 1) {
		snprintf(out, sizeof(out), "%zu documents", n_docs);
		return out;
	}
	return json(docs[0].root);
}

/* The error text of text ("" if it parsed). */
static const char *perr(const char *text)
{
	if (parse(text) == 0)
		return "";
	return err;
}

TEST(json_input)
{
	CHECK_STR(one("{\"a\": 1, \"b\": [true, null, \"x\"],\n"
		      " \"c\": {\"d\": 1.5, \"e\": \"\\u00e9\\n\"}}"),
		  "{\"a\":1,\"b\":[true,null,\"x\"],\"c\":{\"d\":1.5,"
		  "\"e\":\"\xc3\xa9\\n\"}}");
	CHECK_INT(docs[0].line, 1);
	CHECK_STR(one("[]"), "[]");
	CHECK_STR(one("{}"), "{}");
	CHECK_STR(one("\"s\""), "\"s\"");
}

TEST(multi_document_lines)
{
	CHECK_INT(parse("a: 1\n---\nb: 2\n--- \n# comment\nc: 3\n"), 0);
	CHECK_INT(n_docs, 3);
	CHECK_STR(json(docs[0].root), "{\"a\":1}");
	CHECK_INT(docs[0].line, 1);
	CHECK_STR(json(docs[1].root), "{\"b\":2}");
	CHECK_INT(docs[1].line, 3);
	CHECK_STR(json(docs[2].root), "{\"c\":3}");
	CHECK_INT(docs[2].line, 6);
	/* Explicit ends and a leading comment. */
	CHECK_INT(parse("# head\n\n--- {x: 1}\n...\n---\n- 2\n...\n"), 0);
	CHECK_INT(n_docs, 2);
	CHECK_STR(json(docs[0].root), "{\"x\":1}");
	CHECK_INT(docs[0].line, 3);
	CHECK_STR(json(docs[1].root), "[2]");
	CHECK_INT(docs[1].line, 6);
}

TEST(empty_documents)
{
	CHECK_INT(parse(""), 0);
	CHECK_INT(n_docs, 0);
	CHECK(docs == NULL);
	CHECK_INT(parse("# only a comment\n"), 0);
	CHECK_INT(n_docs, 0);
	CHECK_INT(parse("---\n"), 0);
	CHECK_INT(n_docs, 1);
	CHECK(docs[0].root == NULL);
	CHECK_INT(docs[0].line, 1);
	CHECK_INT(parse("---\n---\na: 1\n---\n# nothing\n"), 0);
	CHECK_INT(n_docs, 3);
	CHECK(docs[0].root == NULL);
	CHECK_STR(json(docs[1].root), "{\"a\":1}");
	CHECK_INT(docs[1].line, 3);
	CHECK(docs[2].root == NULL);
	CHECK_INT(docs[2].line, 4);
	/* An explicit null is a value, not an empty document. */
	CHECK_STR(one("null\n"), "null");
	CHECK_STR(one("--- \"\"\n"), "\"\"");
}

TEST(plain_scalars)
{
	CHECK_STR(one("[~, null, Null, NULL, nULL]"),
		  "[null,null,null,null,\"nULL\"]");
	CHECK_STR(one("a:\nb: \n"), "{\"a\":null,\"b\":null}");
	CHECK_STR(one("[true, True, TRUE, false, False, FALSE, tRUE]"),
		  "[true,true,true,false,false,false,\"tRUE\"]");
	/* YAML 1.2: yes/no/on/off are strings. */
	CHECK_STR(one("[yes, no, on, off, y, n]"),
		  "[\"yes\",\"no\",\"on\",\"off\",\"y\",\"n\"]");
	CHECK_STR(one("[0, -0, +5, 12, -12, 8472, 65535]"),
		  "[0,0,5,12,-12,8472,65535]");
	CHECK_STR(one("[1.5, .5, -2.5E-3, 1e3, 1., 00.5, 012e1]"),
		  "[1.5,0.5,-0.0025,1000,1,0.5,120]");
	/* Not numbers: leading zeros, other bases, separators, non-finite. */
	CHECK_STR(one("[007, 0x10, 0o7, 1_000, 1:30, .inf, -.Inf, .nan, 1e999,"
		      " 12e, 1.2.3, +, -, .]"),
		  "[\"007\",\"0x10\",\"0o7\",\"1_000\",\"1:30\",\".inf\","
		  "\"-.Inf\",\".nan\",\"1e999\",\"12e\",\"1.2.3\",\"+\",\"-\","
		  "\".\"]");
	CHECK_STR(one("[10.42.0.0/16, fd00::1, 1.5.6, v1, 80/TCP]"),
		  "[\"10.42.0.0/16\",\"fd00::1\",\"1.5.6\",\"v1\",\"80/TCP\"]");
}

TEST(integers_beyond_2_53_stay_strings)
{
	CHECK_INT(parse("[9007199254740992, -9007199254740992, "
			"9007199254740993, 99999999999999999999]"), 0);
	CHECK(cJSON_IsNumber(cJSON_GetArrayItem(docs[0].root, 0)));
	CHECK(cJSON_GetArrayItem(docs[0].root, 0)->valuedouble ==
	      9007199254740992.0);
	CHECK(cJSON_GetArrayItem(docs[0].root, 1)->valuedouble ==
	      -9007199254740992.0);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetArrayItem(docs[0].root, 2)),
		  "9007199254740993");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetArrayItem(docs[0].root, 3)),
		  "99999999999999999999");
}

TEST(quoted_and_block_scalars_are_strings)
{
	CHECK_STR(one("a: \"1\"\nb: 'true'\nc: \"\"\nd: ''\ne: \"null\"\n"
		      "f: |\n  12\ng: >-\n  true\nh: |-\n  x\n  y\n"),
		  "{\"a\":\"1\",\"b\":\"true\",\"c\":\"\",\"d\":\"\","
		  "\"e\":\"null\",\"f\":\"12\\n\",\"g\":\"true\","
		  "\"h\":\"x\\ny\"}");
	CHECK_STR(one("k: 'it''s'\nl: \"tab\\there\"\n"),
		  "{\"k\":\"it's\",\"l\":\"tab\\there\"}");
}

TEST(tags)
{
	CHECK_STR(one("a: !!str 5\nb: !!int \"7\"\nc: !!float 3\nd: ! 5\n"
		      "e: !!bool \"true\"\nf: !!null ''\ng: !!map {x: 1}\n"
		      "h: !!seq [1]\ni: !!float \"2.5\"\n"),
		  "{\"a\":\"5\",\"b\":7,\"c\":3,\"d\":\"5\",\"e\":true,"
		  "\"f\":null,\"g\":{\"x\":1},\"h\":[1],\"i\":2.5}");
	CHECK_STR(perr("a: !foo 1\n"), "t.yaml:1:4: unsupported tag !foo");
	CHECK_STR(perr("a: !!timestamp 2001-01-01\n"),
		  "t.yaml:1:4: unsupported tag !!timestamp on a scalar");
	CHECK_STR(perr("a: !!int 0x10\n"),
		  "t.yaml:1:4: \"0x10\" is not a !!int (decimal, at most 2^53)");
	CHECK_STR(perr("a:\n  b: !!bool yes\n"),
		  "t.yaml:2:6: \"yes\" is not a !!bool");
	CHECK_STR(perr("a: !!null x\n"), "t.yaml:1:4: \"x\" is not a !!null");
	CHECK_STR(perr("a: !!float .inf\n"),
		  "t.yaml:1:4: \".inf\" is not a finite !!float");
	CHECK_STR(perr("a: !!seq {x: 1}\n"),
		  "t.yaml:1:4: unsupported tag tag:yaml.org,2002:seq on a "
		  "mapping");
	CHECK_STR(perr("a: !x [1]\n"),
		  "t.yaml:1:4: unsupported tag !x on a sequence");
}

TEST(keys)
{
	/* Keys are the scalar's text, whatever it would resolve to. */
	CHECK_STR(one("1: a\ntrue: b\n~: c\n\"<<\": d\n1.50: e\n"),
		  "{\"1\":\"a\",\"true\":\"b\",\"~\":\"c\",\"<<\":\"d\","
		  "\"1.50\":\"e\"}");
	CHECK_STR(perr("? [a]\n: 1\n"),
		  "t.yaml:1:3: a mapping key must be a scalar, not a sequence");
	CHECK_STR(perr("{{a: 1}: 2}\n"),
		  "t.yaml:1:2: a mapping key must be a scalar, not a mapping");
	CHECK_STR(perr("a: &x k\n*x : 1\n"),
		  "t.yaml:2:1: aliases as mapping keys are not supported");
	CHECK_STR(perr("&x k: 1\n"),
		  "t.yaml:1:1: anchors on mapping keys are not supported");
}

TEST(anchors_and_aliases)
{
	CHECK_STR(one("base: &b {x: 1, y: [1, 2]}\nother: *b\ns: &s str\n"
		      "t: *s\nl: &l [a]\nm: [*l, *l]\n"),
		  "{\"base\":{\"x\":1,\"y\":[1,2]},\"other\":{\"x\":1,"
		  "\"y\":[1,2]},\"s\":\"str\",\"t\":\"str\",\"l\":[\"a\"],"
		  "\"m\":[[\"a\"],[\"a\"]]}");
	/* Copies, not shared nodes: changing one leaves the other. */
	cJSON_SetNumberHelper(cJSON_GetObjectItem(
		cJSON_GetObjectItem(docs[0].root, "other"), "x"), 5);
	CHECK_INT(cJSON_GetObjectItem(cJSON_GetObjectItem(docs[0].root,
							  "base"), "x")->valueint,
		  1);
	/* A redefined anchor: later aliases take the new value. */
	CHECK_STR(one("- &a 1\n- *a\n- &a 2\n- *a\n"), "[1,1,2,2]");
	/* Anchors are per document. */
	CHECK_STR(perr("a: &x 1\n---\nb: *x\n"),
		  "t.yaml:3:4: unknown anchor \"x\"");
	CHECK_STR(perr("a: *nope\n"), "t.yaml:1:4: unknown anchor \"nope\"");
	/* An alias inside its own anchored node. */
	CHECK_STR(perr("a: &a [*a]\n"), "t.yaml:1:8: unknown anchor \"a\"");
}

TEST(merge_keys_are_errors)
{
	CHECK_STR(perr("base: &b {x: 1}\nd:\n  <<: *b\n  y: 2\n"),
		  "t.yaml:3:3: merge keys (<<) are not supported");
}

TEST(duplicate_keys)
{
	CHECK_STR(perr("a: 1\nb: 2\na: 3\n"),
		  "t.yaml:3:1: duplicate key \"a\" (first at line 1)");
	CHECK_STR(perr("metadata:\n  name: x\n  labels: {}\n  name: y\n"),
		  "t.yaml:4:3: duplicate key \"name\" (first at line 2)");
	CHECK_STR(perr("{\"a\": 1, \"a\": 2}"),
		  "t.yaml:1:10: duplicate key \"a\" (first at line 1)");
	/* The same key in different mappings is fine. */
	CHECK_STR(one("a: {k: 1}\nb: {k: 2}\n"),
		  "{\"a\":{\"k\":1},\"b\":{\"k\":2}}");
}

TEST(syntax_errors)
{
	CHECK_STR(perr("a: b: c\n"),
		  "t.yaml:1:5: mapping values are not allowed in this context");
	CHECK_STR(perr("a: [1, 2\nb: 3\n"),
		  "t.yaml:2:2: did not find expected ',' or ']' (while parsing "
		  "a flow sequence at line 1, column 4)");
	CHECK_STR(perr("\t- a\n"),
		  "t.yaml:1:1: found character that cannot start any token "
		  "(while scanning for the next token at line 1, column 1)");
	CHECK_STR(perr("key: \"unterminated\n"),
		  "t.yaml:2:1: found unexpected end of stream (while scanning "
		  "a quoted scalar at line 1, column 6)");
	CHECK_STR(perr("a: 1\n b: 2\n"),
		  "t.yaml:2:3: mapping values are not allowed in this context");
	/* The first document was fine; the whole parse fails. */
	CHECK_INT(parse("a: 1\n---\nb: [\n"), -1);
	CHECK(docs == NULL);
	CHECK_INT(n_docs, 0);
}

TEST(bad_bytes)
{
	CHECK_STR(perr("a: 1\nb: \xff\n"),
		  "t.yaml:2:4: invalid leading UTF-8 octet (byte 0xff)");
	CHECK_STR(perr("a: \"\\0\"\n"),
		  "t.yaml:1:4: a string with a NUL character");
	CHECK_STR(perr("\"\\0k\": 1\n"),
		  "t.yaml:1:1: a key with a NUL character");
	/* A NUL byte in the text itself. */
	np_yaml_docs_free(docs, n_docs);
	CHECK_INT(np_yaml_parse("t.yaml", "a: 1\n\0b: 2\n", 11, &docs, &n_docs,
				err, sizeof(err)), -1);
	CHECK_STR(err,
		  "t.yaml:2:1: control characters are not allowed (byte 0x00)");
}

TEST(limits)
{
	char deep[1200];
	static char bomb[8192];
	size_t o = 0;
	int i, j;

	/* 257 nested sequences. */
	memset(deep, '[', 257);
	memset(deep + 257, ']', 257);
	deep[514] = '\0';
	CHECK_STR(perr(deep), "t.yaml:1:257: nested deeper than 256 levels");
	deep[0] = ' ';
	deep[513] = '\0';
	CHECK(parse(deep) == 0);

	/* Each level ten aliases of the previous: 10^7 values. Levels b-e
	 * copy 123,340; f's first alias (111,111 more) is refused. */
	o += (size_t)sprintf(bomb + o, "a: &a [x,x,x,x,x,x,x,x,x,x]\n");
	for (i = 1; i < 7; i++) {
		o += (size_t)sprintf(bomb + o, "%c: &%c [", 'a' + i, 'a' + i);
		for (j = 0; j < 10; j++)
			o += (size_t)sprintf(bomb + o, "%s*%c", j ? "," : "",
					     'a' + i - 1);
		o += (size_t)sprintf(bomb + o, "]\n");
	}
	CHECK_STR(perr(bomb),
		  "t.yaml:6:8: aliases expand to more than 200000 values");
	/* Five levels are fine. */
	strstr(bomb, "\nf:")[1] = '\0';
	CHECK_INT(parse(bomb), 0);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(docs[0].root, "e")),
		  10);
}

TEST(kubernetes_list)
{
	const cJSON *items, *node;

	CHECK_INT(parse(
		"# nodes of the demo cluster\n"
		"apiVersion: v1\n"
		"kind: List\n"
		"items:\n"
		"- apiVersion: v1\n"
		"  kind: Node\n"
		"  metadata:\n"
		"    name: node-a\n"
		"    labels:\n"
		"      kubernetes.io/hostname: node-a\n"
		"    annotations:\n"
		"      flannel.alpha.coreos.com/backend-data: '{\"VNI\":1,"
		"\"VtepMAC\":\"6a:1b:2c:3d:4e:5f\"}'\n"
		"      flannel.alpha.coreos.com/public-ip: 192.168.1.10\n"
		"  spec:\n"
		"    podCIDR: 10.42.0.0/24\n"
		"    podCIDRs:\n"
		"    - 10.42.0.0/24\n"
		"    - fd42::/64\n"
		"    unschedulable: false\n"
		"  status:\n"
		"    addresses:\n"
		"    - {type: InternalIP, address: 192.168.1.10}\n"
		"- apiVersion: v1\n"
		"  kind: Service\n"
		"  metadata: {name: web, namespace: default}\n"
		"  spec:\n"
		"    ports:\n"
		"    - port: 80\n"
		"      targetPort: http\n"
		"      protocol: TCP\n"), 0);
	CHECK_INT(n_docs, 1);
	CHECK_INT(docs[0].line, 2);
	items = cJSON_GetObjectItem(docs[0].root, "items");
	CHECK_INT(cJSON_GetArraySize(items), 2);
	node = cJSON_GetArrayItem(items, 0);
	CHECK_STR(json(node),
		  "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":"
		  "{\"name\":\"node-a\",\"labels\":{\"kubernetes.io/hostname\":"
		  "\"node-a\"},\"annotations\":{"
		  "\"flannel.alpha.coreos.com/backend-data\":\"{\\\"VNI\\\":1,"
		  "\\\"VtepMAC\\\":\\\"6a:1b:2c:3d:4e:5f\\\"}\","
		  "\"flannel.alpha.coreos.com/public-ip\":\"192.168.1.10\"}},"
		  "\"spec\":{\"podCIDR\":\"10.42.0.0/24\",\"podCIDRs\":"
		  "[\"10.42.0.0/24\",\"fd42::/64\"],\"unschedulable\":false},"
		  "\"status\":{\"addresses\":[{\"type\":\"InternalIP\","
		  "\"address\":\"192.168.1.10\"}]}}");
	CHECK_STR(json(cJSON_GetArrayItem(items, 1)),
		  "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":"
		  "{\"name\":\"web\",\"namespace\":\"default\"},\"spec\":"
		  "{\"ports\":[{\"port\":80,\"targetPort\":\"http\","
		  "\"protocol\":\"TCP\"}]}}");
}

TEST(error_buffer_edges)
{
	struct np_yaml_doc *d = (struct np_yaml_doc *)1;
	char small[12];
	size_t n = 7;

	/* Truncated, still terminated; outputs cleared. */
	CHECK_INT(np_yaml_parse("t.yaml", "a: 1\na: 2\n", 10, &d, &n, small,
				sizeof(small)), -1);
	CHECK_STR(small, "t.yaml:2:1:");
	CHECK(d == NULL);
	CHECK_INT(n, 0);
	/* No room at all is fine too. */
	CHECK_INT(np_yaml_parse("t.yaml", "a: 1\na: 2\n", 10, &d, &n, small,
				0), -1);
	/* Success clears it. */
	CHECK_INT(np_yaml_parse("t.yaml", "a: 1\n", 5, &d, &n, small,
				sizeof(small)), 0);
	CHECK_STR(small, "");
	CHECK_INT(n, 1);
	np_yaml_docs_free(d, n);
}

int main(void)
{
	RUN(json_input);
	RUN(multi_document_lines);
	RUN(empty_documents);
	RUN(plain_scalars);
	RUN(integers_beyond_2_53_stay_strings);
	RUN(quoted_and_block_scalars_are_strings);
	RUN(tags);
	RUN(keys);
	RUN(anchors_and_aliases);
	RUN(merge_keys_are_errors);
	RUN(duplicate_keys);
	RUN(syntax_errors);
	RUN(bad_bytes);
	RUN(limits);
	RUN(kubernetes_list);
	RUN(error_buffer_edges);
	np_yaml_docs_free(docs, n_docs);
	return check_summary();
}
