// SPDX-License-Identifier: GPL-2.0-only
/* daemon/overlay/annot.c: flannel's annotation encodings byte for byte, the
 * exact patch JSON, and decoding of Go-compatible and malformed values. */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "overlay/annot.h"

static const uint8_t mac4[NP_MAC_LEN] = { 0x02, 0xbb, 0x00, 0x00, 0x00, 0x04 };

/* A key whose base64 is known: bytes 0..31. */
static void key_seq(uint8_t k[NP_ANNOT_KEY_LEN])
{
	unsigned int i;

	for (i = 0; i < NP_ANNOT_KEY_LEN; i++)
		k[i] = (uint8_t)i;
}

#define KEY_SEQ_B64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

TEST(vxlan_encode_exact)
{
	struct np_annot_vxlan d = { .vni = 1 };
	char buf[NP_ANNOT_VALUE_LEN];

	memcpy(d.mac, mac4, sizeof(d.mac));
	CHECK_INT(np_annot_vxlan_encode(&d, buf, sizeof(buf)), 39);
	CHECK_STR(buf, "{\"VNI\":1,\"VtepMAC\":\"02:bb:00:00:00:04\"}");
	d.vni = 4096;
	d.mac[1] = 0xAB;
	np_annot_vxlan_encode(&d, buf, sizeof(buf));
	CHECK_STR(buf, "{\"VNI\":4096,\"VtepMAC\":\"02:ab:00:00:00:04\"}");
	CHECK_INT(np_annot_vxlan_encode(&d, buf, 20), -ENOSPC);
}

TEST(wg_encode_exact)
{
	uint8_t k[NP_ANNOT_KEY_LEN];
	char buf[NP_ANNOT_VALUE_LEN];

	key_seq(k);
	CHECK(np_annot_wg_encode(k, 51820, buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "{\"PublicKey\":\"" KEY_SEQ_B64 "\",\"Port\":51820}");
	np_annot_wg_encode(k, 51821, buf, sizeof(buf));
	CHECK_STR(buf, "{\"PublicKey\":\"" KEY_SEQ_B64 "\",\"Port\":51821}");
}

TEST(key_b64_round_trip)
{
	uint8_t k[NP_ANNOT_KEY_LEN], back[NP_ANNOT_KEY_LEN];
	char b64[NP_ANNOT_KEY_B64_LEN];
	unsigned int i;

	for (i = 0; i < NP_ANNOT_KEY_LEN; i++)
		k[i] = (uint8_t)(0xff - 7 * i);
	np_annot_key_b64(k, b64);
	CHECK_INT(strlen(b64), 44);
	CHECK_INT(np_annot_key_parse(b64, back), 0);
	CHECK(!memcmp(k, back, sizeof(k)));
	key_seq(k);
	CHECK_STR(np_annot_key_b64(k, b64), KEY_SEQ_B64);
	/* wrong length, bad character, missing padding */
	CHECK_INT(np_annot_key_parse("AAEC", back), -1);
	CHECK_INT(np_annot_key_parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh*=",
				     back), -1);
	CHECK_INT(np_annot_key_parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A",
				     back), -1);
	/* Stray low bits in the last character: accepted, as Go does. */
	CHECK_INT(np_annot_key_parse("//////////////////////////////////////////9=",
				     back), 0);
	memset(k, 0xff, sizeof(k));
	CHECK(!memcmp(k, back, sizeof(k)));
}

TEST(patch_exact)
{
	struct np_annots s = { 0 };
	char *p;

	np_annots_put(&s, NP_ANN_PUBLIC_IP, "192.168.50.2");
	np_annots_put(&s, NP_ANN_KUBE_SUBNET_MANAGER, "true");
	np_annots_put(&s, NP_ANN_BACKEND_TYPE, "vxlan");
	np_annots_put(&s, NP_ANN_BACKEND_DATA,
		      "{\"VNI\":1,\"VtepMAC\":\"02:bb:00:00:00:04\"}");
	np_annots_put(&s, NP_ANN_PUBLIC_IPV6, "2001:db8::2");
	p = np_annot_patch(&s);
	CHECK(p);
	CHECK_STR(p, "{\"metadata\":{\"annotations\":{"
		  "\"flannel.alpha.coreos.com/kube-subnet-manager\":\"true\","
		  "\"flannel.alpha.coreos.com/backend-type\":\"vxlan\","
		  "\"flannel.alpha.coreos.com/backend-data\":"
		  "\"{\\\"VNI\\\":1,\\\"VtepMAC\\\":\\\"02:bb:00:00:00:04\\\"}\","
		  "\"flannel.alpha.coreos.com/public-ip\":\"192.168.50.2\","
		  "\"flannel.alpha.coreos.com/public-ipv6\":\"2001:db8::2\"}}}");
	free(p);
}

TEST(patch_host_gw_null_and_overwrite)
{
	struct np_annots s = { 0 };
	char *p;

	np_annots_put(&s, NP_ANN_BACKEND_DATA, "null");
	np_annots_put(&s, NP_ANN_PUBLIC_IP_OVERWRITE, "203.0.113.9");
	np_annots_put(&s, NP_ANN_PUBLIC_IPV6_OVERWRITE, "2001:db8::9");
	p = np_annot_patch(&s);
	CHECK(p);
	CHECK_STR(p, "{\"metadata\":{\"annotations\":{"
		  "\"flannel.alpha.coreos.com/backend-data\":\"null\","
		  "\"flannel.alpha.coreos.com/public-ip-overwrite\":\"203.0.113.9\","
		  "\"flannel.alpha.coreos.com/public-ipv6-overwrite\":\"2001:db8::9\"}}}");
	free(p);
}

TEST(put_too_long)
{
	struct np_annots s = { 0 };
	char big[NP_ANNOT_VALUE_LEN + 1];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(np_annots_put(&s, NP_ANN_PUBLIC_IP, big), -ENAMETOOLONG);
	CHECK(!s.set[NP_ANN_PUBLIC_IP]);
}

TEST(match_and_equal)
{
	struct np_annots a = { 0 }, b = { 0 };
	struct np_flannel_ann cur = { 0 };

	np_annots_put(&a, NP_ANN_BACKEND_TYPE, "vxlan");
	np_annots_put(&a, NP_ANN_PUBLIC_IP, "10.0.0.1");
	CHECK(!np_annots_match(&a, &cur));
	cur.backend_type = "vxlan";
	CHECK(!np_annots_match(&a, &cur));
	cur.public_ip = "10.0.0.2";
	CHECK(!np_annots_match(&a, &cur));
	cur.public_ip = "10.0.0.1";
	/* extra values on the Node do not matter */
	cur.public_ipv6 = "2001:db8::1";
	CHECK(np_annots_match(&a, &cur));
	CHECK(!np_annots_equal(&a, &b));
	np_annots_put(&b, NP_ANN_PUBLIC_IP, "10.0.0.1");
	np_annots_put(&b, NP_ANN_BACKEND_TYPE, "vxlan");
	CHECK(np_annots_equal(&a, &b));
	np_annots_put(&b, NP_ANN_PUBLIC_IP, "10.0.0.3");
	CHECK(!np_annots_equal(&a, &b));
}

TEST(names)
{
	CHECK_STR(np_annot_name(NP_ANN_PUBLIC_IPV6),
		  "flannel.alpha.coreos.com/public-ipv6");
	CHECK_STR(np_annot_name(NP_ANN_BACKEND_V6_DATA),
		  "flannel.alpha.coreos.com/backend-v6-data");
	CHECK_STR(np_annot_name(NP_ANN_PUBLIC_IPV6_OVERWRITE),
		  "flannel.alpha.coreos.com/public-ipv6-overwrite");
}

/* Decodes s as vxlan backend-data; returns the result, fills d and why. */
static char why[NP_ANNOT_WHY_LEN];

static int vx(const char *s, struct np_annot_vxlan *d)
{
	why[0] = '\0';
	memset(d, 0x55, sizeof(*d));
	return np_annot_vxlan_decode(s, d, why, sizeof(why));
}

TEST(vxlan_decode_go_variants)
{
	struct np_annot_vxlan d;
	char mac[NP_MAC_STRLEN];

	CHECK_INT(vx("{\"VNI\":1,\"VtepMAC\":\"02:bb:00:00:00:04\"}", &d), 0);
	CHECK_INT(d.vni, 1);
	CHECK_STR(np_mac_str(d.mac, mac), "02:bb:00:00:00:04");
	/* case-insensitive keys, other order, spaces, unknown keys */
	CHECK_INT(vx(" { \"vtepmac\" : \"02:BB:00:00:00:05\", \"vni\": 7,"
		     " \"Extra\": [1, {\"a\": null}] } ", &d), 0);
	CHECK_INT(d.vni, 7);
	CHECK_STR(np_mac_str(d.mac, mac), "02:bb:00:00:00:05");
	/* dash and dot forms of net.ParseMAC */
	CHECK_INT(vx("{\"VtepMAC\":\"02-bb-00-00-00-06\"}", &d), 0);
	CHECK_INT(d.vni, 0);
	CHECK_STR(np_mac_str(d.mac, mac), "02:bb:00:00:00:06");
	CHECK_INT(vx("{\"VtepMAC\":\"02bb.0000.0007\"}", &d), 0);
	CHECK_STR(np_mac_str(d.mac, mac), "02:bb:00:00:00:07");
	/* duplicate keys: the last wins; null leaves the field alone */
	CHECK_INT(vx("{\"VtepMAC\":\"02:bb:00:00:00:01\",\"VNI\":2,"
		     "\"vtepMAC\":\"02:bb:00:00:00:08\",\"VNI\":null}", &d), 0);
	CHECK_INT(d.vni, 2);
	CHECK_STR(np_mac_str(d.mac, mac), "02:bb:00:00:00:08");
}

TEST(vxlan_decode_malformed)
{
	struct np_annot_vxlan d;

	CHECK_INT(vx("", &d), -EINVAL);
	CHECK_STR(why, "empty");
	CHECK_INT(vx(NULL, &d), -EINVAL);
	CHECK_INT(vx("{\"VNI\":1,", &d), -EINVAL);
	CHECK_STR(why, "not JSON");
	CHECK_INT(vx("{\"VNI\":1} x", &d), -EINVAL);
	CHECK_STR(why, "not JSON");
	CHECK_INT(vx("[1]", &d), -EINVAL);
	CHECK_STR(why, "not a JSON object");
	CHECK_INT(vx("null", &d), -EINVAL);
	CHECK_STR(why, "no VtepMAC");
	CHECK_INT(vx("{\"VNI\":1}", &d), -EINVAL);
	CHECK_STR(why, "no VtepMAC");
	CHECK_INT(vx("{\"VNI\":\"1\",\"VtepMAC\":\"02:bb:00:00:00:04\"}", &d),
		  -EINVAL);
	CHECK_STR(why, "VNI: not an integer in 0..16777215");
	CHECK_INT(vx("{\"VNI\":-1,\"VtepMAC\":\"02:bb:00:00:00:04\"}", &d),
		  -EINVAL);
	CHECK_INT(vx("{\"VNI\":1.5,\"VtepMAC\":\"02:bb:00:00:00:04\"}", &d),
		  -EINVAL);
	CHECK_INT(vx("{\"VNI\":16777216,\"VtepMAC\":\"02:bb:00:00:00:04\"}",
		     &d), -EINVAL);
	CHECK_INT(vx("{\"VtepMAC\":\"02:bb:00:00:00\"}", &d), -EINVAL);
	CHECK_STR(why, "VtepMAC: not a MAC address string");
	CHECK_INT(vx("{\"VtepMAC\":\"02:bb-00:00:00:04\"}", &d), -EINVAL);
	CHECK_INT(vx("{\"VtepMAC\":\"02:bb:00:00:00:0g\"}", &d), -EINVAL);
	CHECK_INT(vx("{\"VtepMAC\":[2]}", &d), -EINVAL);
	CHECK_INT(vx("{\"VtepMAC\":\"01:00:5e:00:00:01\"}", &d), -EINVAL);
	CHECK_STR(why, "VtepMAC: 01:00:5e:00:00:01 is not a unicast MAC");
	CHECK_INT(vx("{\"VtepMAC\":\"00:00:00:00:00:00\"}", &d), -EINVAL);
	/* a wireguard value is not a vxlan one */
	CHECK_INT(vx("{\"PublicKey\":\"" KEY_SEQ_B64 "\",\"Port\":51820}", &d),
		  -EINVAL);
	CHECK_STR(why, "no VtepMAC");
}

static int wgd(const char *s, struct np_annot_wg *d)
{
	why[0] = '\0';
	memset(d, 0x55, sizeof(*d));
	return np_annot_wg_decode(s, d, why, sizeof(why));
}

TEST(wg_decode)
{
	struct np_annot_wg d;
	uint8_t k[NP_ANNOT_KEY_LEN];

	key_seq(k);
	CHECK_INT(wgd("{\"PublicKey\":\"" KEY_SEQ_B64 "\",\"Port\":51820}", &d),
		  0);
	CHECK_INT(d.port, 51820);
	CHECK(!memcmp(d.key, k, sizeof(k)));
	CHECK_STR(d.key_b64, KEY_SEQ_B64);
	/* older flannel: no Port */
	CHECK_INT(wgd("{\"publickey\":\"" KEY_SEQ_B64 "\"}", &d), 0);
	CHECK_INT(d.port, 0);
	CHECK_INT(wgd("{\"PublicKey\":\"" KEY_SEQ_B64 "\",\"Port\":0,\"x\":1}",
		      &d), 0);
	CHECK_INT(d.port, 0);
	CHECK_INT(wgd("{\"Port\":51820}", &d), -EINVAL);
	CHECK_STR(why, "no PublicKey");
	CHECK_INT(wgd("{\"PublicKey\":\"abc\"}", &d), -EINVAL);
	CHECK_STR(why, "PublicKey: not a base64 WireGuard key");
	CHECK_INT(wgd("{\"PublicKey\":\"" KEY_SEQ_B64 "\",\"Port\":65536}", &d),
		  -EINVAL);
	CHECK_STR(why, "Port: not an integer in 0..65535");
	CHECK_INT(wgd("null", &d), -EINVAL);
	CHECK_INT(wgd("{\"VNI\":1,\"VtepMAC\":\"02:bb:00:00:00:04\"}", &d),
		  -EINVAL);
}

int main(void)
{
	RUN(vxlan_encode_exact);
	RUN(wg_encode_exact);
	RUN(key_b64_round_trip);
	RUN(patch_exact);
	RUN(patch_host_gw_null_and_overwrite);
	RUN(put_too_long);
	RUN(match_and_equal);
	RUN(names);
	RUN(vxlan_decode_go_variants);
	RUN(vxlan_decode_malformed);
	RUN(wg_decode);
	return check_summary();
}
