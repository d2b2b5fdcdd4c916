#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A test API server that speaks HTTPS list/watch like kube-apiserver.

Serves Nodes, Services, Pods, Namespaces, EndpointSlices and NetworkPolicies
from memory (loaded from JSON fixtures, changed through a plain-HTTP control
port), with one global resourceVersion shared by all kinds like etcd's
revision, paginated lists, chunked newline-delimited watches with history
replay, bookmarks, 410 Gone after a compaction, PATCH of nodes/status, and
switches to drop connections, slow responses down, and stop listening.
See README.md for the CLI and the control API. Standard library only; writes
nothing except the --state-file.
"""

import argparse
import base64
import copy
import datetime
import http.server
import hashlib
import json
import random
import os
import re
import select
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse
import uuid

# plural -> (kind, group, version, namespaced)
KINDS = {
    "nodes": ("Node", "", "v1", False),
    "services": ("Service", "", "v1", True),
    "pods": ("Pod", "", "v1", True),
    "namespaces": ("Namespace", "", "v1", False),
    "endpointslices": ("EndpointSlice", "discovery.k8s.io", "v1", True),
    "networkpolicies": ("NetworkPolicy", "networking.k8s.io", "v1", True),
    "events": ("Event", "events.k8s.io", "v1", True),
    "leases": ("Lease", "coordination.k8s.io", "v1", True),
}
PLURAL_OF_KIND = {v[0]: k for k, v in KINDS.items()}
# Kinds with a status subresource: their main resource ignores status, their
# /status ignores everything but status (and labels/annotations).
STATUS_SUB = ("nodes", "services", "pods")
SHORT_NAMES = {"nodes": ["no"], "services": ["svc"], "pods": ["po"],
               "namespaces": ["ns"], "networkpolicies": ["netpol"],
               "events": ["ev"]}

PATCH_TYPES = ("application/strategic-merge-patch+json",
               "application/merge-patch+json",
               "application/json-patch+json")

VERBOSE = False


def log(msg):
    if VERBOSE:
        sys.stderr.write("apiserver: %s\n" % msg)
        sys.stderr.flush()


def api_version(plural):
    _, group, version, _ = KINDS[plural]
    return "%s/%s" % (group, version) if group else version


def status_obj(code, reason, message, details=None):
    # Field order as metav1.Status marshals: details before code.
    st = {"kind": "Status", "apiVersion": "v1", "metadata": {},
          "status": "Failure", "message": message, "reason": reason}
    if details:
        st["details"] = details
    st["code"] = code
    return st


# kube-apiserver's watch cache waits this long for a resourceVersion newer
# than its own (blockTimeout), then answers storage's
# NewTooLargeResourceVersionError: 504 Timeout, retry after 1 s.
TOO_LARGE_WAIT = 3.0


def too_large_status(want, current):
    return status_obj(
        504, "Timeout", "Timeout: Too large resource version: %d, "
        "current: %d" % (want, current),
        {"causes": [{"reason": "ResourceVersionTooLarge",
                     "message": "Too large resource version"}],
         "retryAfterSeconds": 1})


def resource_name(plural):
    """services, leases.coordination.k8s.io: as the server's messages name
    a resource (schema.GroupResource)."""
    group = KINDS[plural][1]
    return plural + ("." + group if group else "")


def kind_name(plural):
    """Service, Lease.coordination.k8s.io (schema.GroupKind)."""
    kind, group = KINDS[plural][0], KINDS[plural][1]
    return kind + ("." + group if group else "")


def res_details(plural, name):
    d = {"name": name}
    if KINDS[plural][1]:
        d["group"] = KINDS[plural][1]
    d["kind"] = plural
    return d


def not_found_status(plural, name):
    return status_obj(404, "NotFound", '%s "%s" not found' %
                      (resource_name(plural), name),
                      res_details(plural, name))


def conflict_status(plural, name, why=None):
    return status_obj(
        409, "Conflict", 'Operation cannot be fulfilled on %s "%s": %s' %
        (resource_name(plural), name, why or
         "the object has been modified; please apply your changes to the "
         "latest version and try again"), res_details(plural, name))


def invalid_status(plural, name, errs):
    """errs: [(field, reason, message)], as field.ErrorList renders."""
    texts = ["%s: %s" % (f, m) for f, _, m in errs]
    text = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    d = {"name": name}
    if KINDS[plural][1]:
        d["group"] = KINDS[plural][1]
    d["kind"] = KINDS[plural][0]
    d["causes"] = [{"reason": r, "message": m, "field": f}
                   for f, r, m in errs]
    return status_obj(422, "Invalid", '%s "%s" is invalid: %s' %
                      (kind_name(plural), name, text), d)


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch: null deletes, objects merge, the rest
    (lists included) replaces; strategic-merge "$" directives are ignored.
    Returns the new value; target untouched."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if k.startswith("$"):
            continue    # strategic-merge directives ($patch, ...)
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


# Strategic merge patch: the lists that merge by a key (patchMergeKey) and
# the primitive lists that merge as sets (patchStrategy "merge"), by field
# name, for the fields of the kinds served here.
SMP_KEYS = {"conditions": "type", "addresses": "type", "ports": "port",
            "containers": "name", "initContainers": "name",
            "ownerReferences": "uid", "env": "name", "volumes": "name",
            "volumeMounts": "mountPath", "tolerations": None}
SMP_SETS = ("finalizers",)


def strategic_merge(target, patch, field=None):
    """A strategic merge patch as the API server applies it to the fields
    of the kinds here: maps merge (null deletes, "$patch": "replace" or
    "delete"), lists named in SMP_KEYS merge by their key (an item with
    "$patch": "delete" removes), lists in SMP_SETS merge as sets
    ("$deleteFromPrimitiveList/F" removes), other lists replace;
    "$setElementOrder/F" and "$retainKeys" are accepted and ignored."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    directive = patch.get("$patch")
    if directive == "delete":
        return None
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items()
                if not k.startswith("$")}
    if directive is not None:
        raise BadRequest("unknown patch type: %s" % directive)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if k.startswith("$deleteFromPrimitiveList/"):
            f = k.split("/", 1)[1]
            if isinstance(out.get(f), list) and isinstance(v, list):
                out[f] = [x for x in out[f] if x not in v]
            continue
        if k.startswith("$"):
            continue
        if v is None:
            out.pop(k, None)
        elif isinstance(v, list) and k in SMP_SETS:
            cur = out.get(k) if isinstance(out.get(k), list) else []
            out[k] = cur + [x for x in v if x not in cur]
        elif isinstance(v, list) and SMP_KEYS.get(k) and \
                all(isinstance(x, dict) for x in v):
            out[k] = merge_keyed(out.get(k), v, SMP_KEYS[k])
        else:
            new = strategic_merge(out.get(k), v, k)
            if new is None:
                out.pop(k, None)
            else:
                out[k] = new
    return out


def merge_keyed(cur, items, key):
    cur = copy.deepcopy(cur) if isinstance(cur, list) else []
    for it in items:
        if key not in it:
            raise BadRequest("map: %s does not contain declared merge key: "
                             "%s" % (json.dumps(it), key))
        idx = next((i for i, c in enumerate(cur)
                    if isinstance(c, dict) and c.get(key) == it[key]), None)
        if it.get("$patch") == "delete":
            if idx is not None:
                del cur[idx]
            continue
        if idx is None:
            cur.append(strategic_merge({}, it))
        else:
            cur[idx] = strategic_merge(cur[idx], it)
    return cur


def json_pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise BadRequest("JSON pointer %r does not start with /" % path)
    return [t.replace("~1", "/").replace("~0", "~")
            for t in path[1:].split("/")]


def json_patch(doc, ops):
    """RFC 6902: add, remove, replace, move, copy, test."""
    doc = copy.deepcopy(doc)
    if not isinstance(ops, list):
        raise BadRequest("json: cannot unmarshal object into Go value of "
                         "type jsonpatch.Patch")

    def parent(toks):
        cur = doc
        for t in toks[:-1]:
            if isinstance(cur, list):
                try:
                    cur = cur[int(t)]
                except (ValueError, IndexError):
                    raise PatchApplyError("doc is missing path: %s" % t)
            elif isinstance(cur, dict) and t in cur:
                cur = cur[t]
            else:
                raise PatchApplyError("doc is missing path: /%s" %
                                      "/".join(toks))
        return cur

    def get(toks):
        if not toks:
            return doc
        par, last = parent(toks), toks[-1]
        try:
            return par[int(last)] if isinstance(par, list) else par[last]
        except (ValueError, IndexError, KeyError, TypeError):
            raise PatchApplyError("doc is missing path: /%s" % "/".join(toks))

    def remove(toks):
        par, last = parent(toks), toks[-1]
        try:
            if isinstance(par, list):
                return par.pop(int(last))
            return par.pop(last)
        except (ValueError, IndexError, KeyError, TypeError):
            raise PatchApplyError("Unable to remove nonexistent key: %s: "
                                  "missing value" % last)

    def add(toks, val):
        nonlocal doc
        if not toks:
            doc = val
            return
        par, last = parent(toks), toks[-1]
        if isinstance(par, list):
            if last == "-":
                par.append(val)
            else:
                try:
                    i = int(last)
                    if i < 0 or i > len(par):
                        raise ValueError
                except ValueError:
                    raise PatchApplyError("add operation: index %s out of "
                                     "bounds" % last)
                par.insert(i, val)
        elif isinstance(par, dict):
            par[last] = val
        else:
            raise PatchApplyError("add operation does not apply: doc is "
                                  "missing path: /%s" % "/".join(toks))

    for op in ops:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise BadRequest("json patch operation without op or path")

        toks = json_pointer(op["path"])
        o = op["op"]
        if o == "add":
            add(toks, copy.deepcopy(op.get("value")))
        elif o == "remove":
            remove(toks)
        elif o == "replace":
            get(toks)
            if toks:
                remove(toks)
            add(toks, copy.deepcopy(op.get("value")))
        elif o in ("move", "copy"):
            src = json_pointer(op.get("from", ""))
            val = copy.deepcopy(get(src))
            if o == "move":
                remove(src)
            add(toks, val)
        elif o == "test":
            if get(toks) != op.get("value"):
                raise PatchApplyError("testing value %s failed: test failed" %
                                 op["path"])
        else:
            raise BadRequest("Unexpected kind: %s" % o)
    return doc


# --- validation and defaulting, as the registry strategies do --------------

def is_time(v):
    if not isinstance(v, str):
        return False
    for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            datetime.datetime.strptime(v, fmt)
            return True
        except ValueError:
            pass
    return False


def dns_subdomain(s):
    return isinstance(s, str) and 0 < len(s) <= 253 and re.fullmatch(
        r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*",
        s) is not None


def validate(plural, obj):
    """field.ErrorList of obj: [(field, reason, message)]."""
    errs = []
    md = obj.get("metadata") or {}
    name = md.get("name")
    if not dns_subdomain(name) and plural != "events":
        errs.append(("metadata.name", "FieldValueInvalid",
                     'Invalid value: "%s": a lowercase RFC 1123 subdomain '
                     "must consist of lower case alphanumeric characters, "
                     "'-' or '.', and must start and end with an "
                     "alphanumeric character" % name))
    fin = md.get("finalizers")
    if fin is not None and (not isinstance(fin, list) or
                            not all(isinstance(f, str) and "/" in f
                                    or f in ("kubernetes", "orphan",
                                             "foregroundDeletion")
                                    for f in fin)):
        errs.append(("metadata.finalizers", "FieldValueInvalid",
                     "Invalid value: %s: name is neither a standard "
                     "finalizer name nor is it fully qualified" %
                     json.dumps(fin)))
    if plural == "events":
        req = ("eventTime", "reportingController", "reportingInstance",
               "action", "reason")
        for f in req:
            if not obj.get(f):
                errs.append((f, "FieldValueRequired", "Required value"))
        if obj.get("eventTime") and not is_time(obj["eventTime"]):
            errs.append(("eventTime", "FieldValueInvalid",
                         'Invalid value: "%s": not a MicroTime' %
                         obj["eventTime"]))
        if obj.get("type") not in ("Normal", "Warning"):
            errs.append(("type", "FieldValueNotSupported",
                         'Unsupported value: "%s": supported values: '
                         '"Normal", "Warning"' % (obj.get("type") or "")))
        if len(obj.get("note") or "") > 1024:
            errs.append(("note", "FieldValueTooLong",
                         "Too long: may not be more than 1024 bytes"))
        reg = obj.get("regarding") or {}
        if reg.get("namespace") and reg["namespace"] != md.get("namespace"):
            errs.append(("regarding.namespace", "FieldValueInvalid",
                         'Invalid value: "%s": does not match event.namespace'
                         % reg["namespace"]))
        series = obj.get("series")
        if series is not None:
            if not isinstance(series.get("count"), int) or \
                    series["count"] < 2:
                errs.append(("series.count", "FieldValueInvalid",
                             "Invalid value: %s: should be at least 2" %
                             json.dumps(series.get("count"))))
            if not is_time(series.get("lastObservedTime")):
                errs.append(("series.lastObservedTime", "FieldValueRequired",
                             "Required value"))
    elif plural == "leases":
        spec = obj.get("spec") or {}
        d = spec.get("leaseDurationSeconds")
        if d is not None and (not isinstance(d, int) or d <= 0):
            errs.append(("spec.leaseDurationSeconds", "FieldValueInvalid",
                         "Invalid value: %s: must be greater than 0" %
                         json.dumps(d)))
        t = spec.get("leaseTransitions")
        if t is not None and (not isinstance(t, int) or t < 0):
            errs.append(("spec.leaseTransitions", "FieldValueInvalid",
                         "Invalid value: %s: must be greater than or equal "
                         "to 0" % json.dumps(t)))
        for f in ("acquireTime", "renewTime"):
            if spec.get(f) is not None and not is_time(spec[f]):
                errs.append(("spec." + f, "FieldValueInvalid",
                             "Invalid value: %s: not a MicroTime" %
                             json.dumps(spec[f])))
    elif plural == "services":
        spec = obj.get("spec") or {}
        if spec.get("type") != "ExternalName":
            ports = spec.get("ports")
            if not ports:
                errs.append(("spec.ports", "FieldValueRequired",
                             "Required value"))
            for i, pt in enumerate(ports or []):
                port = pt.get("port") if isinstance(pt, dict) else None
                if not isinstance(port, int) or not 0 < port < 65536:
                    errs.append(("spec.ports[%d].port" % i,
                                 "FieldValueInvalid",
                                 "Invalid value: %s: must be between 1 and "
                                 "65535, inclusive" % json.dumps(port)))
    return errs


def default(plural, obj):
    """API defaulting of the fields nodeplane reads."""
    spec = obj.get("spec")
    if plural == "services" and isinstance(spec, dict):
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        for pt in spec.get("ports") or []:
            if isinstance(pt, dict):
                pt.setdefault("protocol", "TCP")
                pt.setdefault("targetPort", pt.get("port"))
        if spec["type"] in ("LoadBalancer", "NodePort"):
            spec.setdefault("externalTrafficPolicy", "Cluster")
    if plural == "networkpolicies" and isinstance(spec, dict):
        if "policyTypes" not in spec:
            pt = ["Ingress"]
            if "egress" in spec:
                pt.append("Egress")
            spec["policyTypes"] = pt
        for rule in (spec.get("ingress") or []) + (spec.get("egress") or []):
            for pt in (rule or {}).get("ports") or []:
                if isinstance(pt, dict):
                    pt.setdefault("protocol", "TCP")


# Legacy discovery (/api, /apis, /api/v1, /apis/G/v1), enough for kubectl.
DISCOVERY_PATHS = ("/api", "/apis", "/api/v1") + tuple(
    sorted(set("/apis/%s/v1" % g for _, g, _, _ in KINDS.values() if g)))

def openapi(path):
    """Just enough OpenAPI for kubectl: /openapi/v3 and its per-group
    documents declare the fieldValidation query parameter on each kind's
    PATCH, so kubectl create/apply/replace validate on the server (which
    takes the parameter and checks nothing more) instead of downloading
    schemas; /openapi/v2 is an empty Swagger document."""
    if path == "/openapi/v2":
        return {"swagger": "2.0", "info": {"title": "Kubernetes",
                                           "version": "v1.30.0+test"},
                "paths": {}, "definitions": {}}
    gvs = sorted(set(("api/v1" if not g else "apis/%s/v1" % g)
                     for _, g, _, _ in KINDS.values()))
    if path == "/openapi/v3":
        return {"paths": {gv: {"serverRelativeURL": "/openapi/v3/%s?hash=%s"
                               % (gv, hashlib.sha256(gv.encode())
                                  .hexdigest()[:16].upper())}
                          for gv in gvs}}
    gv = path[len("/openapi/v3/"):]
    if gv not in gvs:
        return None
    paths = {}
    for plural, (kind, g, v, namespaced) in KINDS.items():
        if ("api/v1" if not g else "apis/%s/v1" % g) != gv:
            continue
        p = "/%s/%s%s/{name}" % (gv, "namespaces/{namespace}/"
                                 if namespaced else "", plural)
        paths[p] = {"patch": {
            "operationId": "patch" + kind,
            "parameters": [{"name": "fieldValidation", "in": "query",
                            "schema": {"type": "string", "uniqueItems":
                                       True}}],
            "x-kubernetes-action": "patch",
            "x-kubernetes-group-version-kind": {"group": g, "version": v,
                                                "kind": kind}}}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes",
                                         "version": "v1.30.0+test"},
            "paths": paths, "components": {"schemas": {}}}


VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]


def discovery(path):
    if path == "/api":
        return {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [
                    {"clientCIDR": "0.0.0.0/0",
                     "serverAddress": "127.0.0.1:6443"}]}
    groups = sorted(set(g for _, g, _, _ in KINDS.values() if g))
    if path == "/apis":
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
            {"name": g, "versions": [{"groupVersion": g + "/v1",
                                      "version": "v1"}],
             "preferredVersion": {"groupVersion": g + "/v1",
                                  "version": "v1"}} for g in groups]}
    group = "" if path == "/api/v1" else path.split("/")[2]
    res = []
    for plural, (kind, g, _, namespaced) in sorted(KINDS.items()):
        if g != group:
            continue
        r = {"name": plural, "singularName": kind.lower(),
             "namespaced": namespaced, "kind": kind, "verbs": VERBS}
        if plural in SHORT_NAMES:
            r["shortNames"] = SHORT_NAMES[plural]
        res.append(r)
        if plural in STATUS_SUB:
            res.append({"name": plural + "/status", "singularName": "",
                        "namespaced": namespaced, "kind": kind,
                        "verbs": ["get", "patch", "update"]})
    return {"kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": (group + "/v1") if group else "v1",
            "resources": res}


class BadRequest(Exception):
    pass


class PatchApplyError(Exception):
    """A JSON patch that does not apply: 422, as the server's
    NewGenericServerResponse words it."""


class Watch:
    """One open watch: the handler thread drains queue under the store's
    condition."""

    def __init__(self, plural, match, bookmarks, from_rv=0):
        self.plural = plural
        self.match = match
        self.bookmarks = bookmarks
        self.from_rv = from_rv  # nothing at or below it is sent
        self.queue = []
        self.bookmark_gen = 0


class Store:
    """Objects, history and the global resourceVersion, under one lock."""

    def __init__(self):
        self.cond = threading.Condition()
        self.rv = 0
        self.compact_rv = 0
        self.objects = {p: {} for p in KINDS}   # plural -> {(ns,name): obj}
        self.history = []                       # (rv, plural, type, obj)
        self.watches = set()
        self.bookmark_gen = 0
        self.snapshots = {}                     # rv -> {plural: [keys objs]}
        self.patches = []
        self.writes = []                        # every API write, recorded
        self.fail = None                        # POST /fail: injected errors
        self.gone_mode = "event"
        self.expire_next = 0                    # watches to answer 410
        self.expire_plural = None               # ... of this kind only
        self.requests_log = []
        self.reset_stats()

    def reset_stats(self):
        self.requests = {}
        self.lists = {p: 0 for p in KINDS}
        self.watch_starts = {p: 0 for p in KINDS}
        self.gone = {p: 0 for p in KINDS}
        self.auth = {"cert": 0, "token": 0, "rejected": 0}
        self.drops = 0

    def count(self, table, key):
        with self.cond:
            table[key] = table.get(key, 0) + 1

    # --- writes -----------------------------------------------------------

    def _emit(self, plural, etype, obj):
        rv = self.rv
        self.history.append((rv, plural, etype, obj))
        for w in self.watches:
            if w.plural == plural and rv > w.from_rv and w.match(obj):
                w.queue.append((rv, etype, obj))
        self.cond.notify_all()

    def put(self, obj):
        """Create or update obj (already normalised). Caller holds cond."""
        plural = PLURAL_OF_KIND[obj["kind"]]
        md = obj["metadata"]
        key = (md.get("namespace", ""), md["name"])
        old = self.objects[plural].get(key)
        self.rv += 1
        md["resourceVersion"] = str(self.rv)
        if old is not None:
            omd = old["metadata"]
            md.setdefault("uid", omd.get("uid"))
            md.setdefault("creationTimestamp", omd.get("creationTimestamp"))
        else:
            md.setdefault("uid", str(uuid.uuid4()))
            md.setdefault("creationTimestamp", now_rfc3339())
        self.objects[plural][key] = obj
        etype = "MODIFIED" if old is not None else "ADDED"
        self._emit(plural, etype, obj)
        return etype

    def delete(self, plural, key):
        """Caller holds cond. Returns the deleted object or None."""
        old = self.objects[plural].pop(key, None)
        if old is None:
            return None
        self.rv += 1
        gone = copy.deepcopy(old)
        gone["metadata"]["resourceVersion"] = str(self.rv)
        self._emit(plural, "DELETED", gone)
        return gone

    def compact(self):
        with self.cond:
            self.compact_rv = self.rv
            self.history = []
            self.snapshots = {}
            return self.rv


def normalise(obj, where):
    """Checks a control-API or fixture object and fills in kind defaults.
    Returns a fresh copy."""
    if not isinstance(obj, dict):
        raise BadRequest("%s: not a JSON object" % where)
    kind = obj.get("kind")
    if kind not in PLURAL_OF_KIND:
        raise BadRequest("%s: kind %r is not one of %s" %
                         (where, kind, ", ".join(sorted(PLURAL_OF_KIND))))
    plural = PLURAL_OF_KIND[kind]
    obj = copy.deepcopy(obj)
    want = api_version(plural)
    if obj.setdefault("apiVersion", want) != want:
        raise BadRequest("%s: %s: apiVersion %r, expected %r" %
                         (where, kind, obj["apiVersion"], want))
    md = obj.get("metadata")
    if not isinstance(md, dict) or not isinstance(md.get("name"), str) \
            or not md["name"]:
        raise BadRequest("%s: %s: metadata.name missing" % (where, kind))
    if "/" in md["name"]:
        raise BadRequest("%s: %s: metadata.name %r contains '/'" %
                         (where, kind, md["name"]))
    if KINDS[plural][3]:
        ns = md.setdefault("namespace", "default")
        if not isinstance(ns, str) or not ns or "/" in ns:
            raise BadRequest("%s: %s %s: bad metadata.namespace" %
                             (where, kind, md["name"]))
    else:
        md.pop("namespace", None)
    # Field order as the real server writes it.
    out = {"kind": kind, "apiVersion": obj["apiVersion"], "metadata": md}
    out.update(obj)
    return out


def split_list(doc, where):
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict) and (doc.get("kind") == "List" or
                                  doc.get("kind", "").endswith("List")):
        items = doc.get("items")
        if not isinstance(items, list):
            raise BadRequest("%s: List without items" % where)
        if doc["kind"] != "List":
            # A typed list (NodeList): items carry no kind of their own.
            kind = doc["kind"][:-4]
            items = [dict(i, kind=i.get("kind", kind))
                     if isinstance(i, dict) else i for i in items]
        return items
    return [doc]


# --- selectors ---------------------------------------------------------------

# Field labels each kind's registry accepts (besides metadata.name and
# metadata.namespace), as the real server's field label conversions.
FIELD_LABELS = {
    "pods": ("spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
             "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
             "status.podIP", "status.nominatedNodeName"),
    "nodes": ("spec.unschedulable",),
    "services": ("spec.clusterIP", "spec.type"),
    "events": ("reason", "type", "reportingController",
               "regarding.kind", "regarding.name", "regarding.namespace",
               "regarding.uid"),
    "leases": (),
}


def split_terms(text):
    """Splits on commas outside parentheses ("k in (a,b),x=y")."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [t.strip() for t in out if t.strip()]


def parse_selector(text, fields, plural=None):
    """labelSelector / fieldSelector: comma-separated k=v, k==v, k!=v; and
    for labels also k, !k, k in (a,b), k notin (a,b). Field selectors take
    the field labels the kind's registry supports (FIELD_LABELS); a missing
    field reads as "". Returns a predicate over an object."""
    terms = []
    for part in split_terms(text):
        m = None if fields else re.fullmatch(
            r"([^\s!=()]+)\s+(in|notin)\s*\(([^()]*)\)", part)
        if m:
            vals = set(v.strip() for v in m.group(3).split(",") if v.strip())
            if not vals:
                raise BadRequest("unable to parse requirement: for 'in', "
                                 "'notin' operators, values set can't be "
                                 "empty")
            terms.append((m.group(1), m.group(2), vals))
        elif "!=" in part:
            k, v = part.split("!=", 1)
            terms.append((k.strip(), "ne", v.strip()))
        elif "=" in part:
            k, v = part.split("=", 1)
            terms.append((k.strip(), "eq", v.strip().lstrip("=")))
        elif fields or "(" in part or " " in part:
            raise BadRequest("invalid %s selector %r" %
                             ("field" if fields else "label", part))
        elif part.startswith("!"):
            terms.append((part[1:].strip(), "absent", None))
        else:
            terms.append((part, "present", None))

    def value(obj, k):
        if fields:
            cur = obj
            for p in k.split("."):
                if not isinstance(cur, dict) or p not in cur:
                    return ""
                cur = cur[p]
            if isinstance(cur, bool):
                return "true" if cur else "false"
            return cur if isinstance(cur, str) else ""
        return (obj.get("metadata", {}).get("labels") or {}).get(k)

    if fields:
        ok = ("metadata.name", "metadata.namespace") + \
            FIELD_LABELS.get(plural, ())
        for k, _, _ in terms:
            if k not in ok:
                raise BadRequest('field label not supported: %s' % k)

    def match(obj):
        for k, op, v in terms:
            have = value(obj, k)
            if op == "eq" and have != v:
                return False
            if op == "ne" and have == v:
                return False
            if op == "present" and have is None:
                return False
            if op == "absent" and have is not None:
                return False
            if op == "in" and have not in v:
                return False
            if op == "notin" and have in v:
                return False
        return True
    return match


# --- the API server ------------------------------------------------------------

class Conn:
    """One accepted API connection, tracked so /drop and /down can cut it."""

    def __init__(self, sock):
        self.sock = sock
        self.dropped = False

    def cut(self):
        self.dropped = True
        try:
            # The plain socket's shutdown: leaves the SSL object alone for
            # the handler thread, which then sees EOF or EPIPE.
            socket.socket.shutdown(self.sock, socket.SHUT_RDWR)
        except OSError:
            pass


class Dropped(Exception):
    pass


class APIHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nodeplane-test-apiserver"
    sys_version = ""

    def log_message(self, fmt, *args):
        log("%s %s" % (self.client_address[0], fmt % args))

    # Every response's headers wait --delay ms (POST /delay).
    def send_response(self, code, message=None):
        app = self.server.app
        if app.delay_ms:
            time.sleep(app.delay_ms / 1000.0)
        if self.conn.dropped:
            raise Dropped()
        super().send_response(code, message)

    def send_json(self, code, obj, extra=None):
        body = (json.dumps(obj) + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Audit-Id", str(uuid.uuid4()))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def send_status(self, code, reason, message, details=None):
        self.send_json(code, status_obj(code, reason, message, details))

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (Dropped, ConnectionError, ssl.SSLError, OSError,
                socket.timeout) as e:
            log("connection %s: %s" % (self.client_address[0],
                                       type(e).__name__))
            self.close_connection = True

    def authenticate(self):
        """True when a verified client certificate or the token came."""
        app = self.server.app
        st = app.store
        # Verified by the TLS handshake (CERT_OPTIONAL) against ca.crt;
        # POST /accept-certs narrows it to some certificates.
        cert = self.connection.getpeercert(binary_form=True)
        self.node_identity = None
        if cert and app.cert_accepted(cert):
            st.count(st.auth, "cert")
            self.user = "cert"
            # system:node:NAME (O=system:nodes): a node identity, which
            # POST /authz?mode=node restricts as the Node authorizer and
            # the NodeRestriction admission plugin do.
            subj = dict(x[0] for x in (self.connection.getpeercert() or {})
                        .get("subject", ()))
            cn = subj.get("commonName", "")
            if cn.startswith("system:node:"):
                self.node_identity = cn[len("system:node:"):]
            return True
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer ") and auth[7:].strip() in app.tokens:
            st.count(st.auth, "token")
            self.user = "token"
            return True
        st.count(st.auth, "rejected")
        self.user = "rejected"
        self.close_connection = True    # any request body is left unread
        self.send_status(401, "Unauthorized", "Unauthorized")
        return False

    def begin(self):
        st = self.server.app.store
        self.url = urllib.parse.urlsplit(self.path)
        self.query = urllib.parse.parse_qs(self.url.query,
                                           keep_blank_values=True)
        st.count(st.requests, "%s %s" % (self.command, self.url.path))
        ok = self.authenticate()
        with st.cond:
            if len(st.requests_log) < 100000:
                st.requests_log.append({
                    "method": self.command, "path": self.url.path,
                    "query": {k: v[-1] for k, v in self.query.items()},
                    "auth": self.user, "time": time.time()})
        return ok

    def q(self, name, default=None):
        v = self.query.get(name)
        return v[-1] if v else default

    def read_body(self):
        n = self.headers.get("Content-Length")
        if n is None:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                return self.read_chunked()
            return b""
        try:
            n = int(n)
        except ValueError:
            raise BadRequest("bad Content-Length")
        if n < 0 or n > 16 << 20:
            raise BadRequest("Content-Length %d out of range" % n)
        return self.rfile.read(n)

    def read_chunked(self):
        out = b""
        while True:
            line = self.rfile.readline(100)
            size = int(line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(1000) not in (b"\r\n", b"\n", b""):
                    pass
                return out
            out += self.rfile.read(size)
            self.rfile.readline(10)
            if len(out) > 16 << 20:
                raise BadRequest("body too large")

    # --- routing ---------------------------------------------------------

    def route(self):
        """Returns (plural, namespace or None, name or None, subresource)
        or None for an unknown path."""
        parts = [urllib.parse.unquote(p)
                 for p in self.url.path.strip("/").split("/")]
        if parts[:2] == ["api", "v1"]:
            rest = parts[2:]
            group = ""
        elif len(parts) >= 3 and parts[0] == "apis":
            rest = parts[3:]
            group = parts[1]
            if parts[2] != "v1":
                return None
        else:
            return None
        ns = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            ns = rest[1]
            rest = rest[2:]
        if not rest or rest[0] not in KINDS:
            return None
        plural = rest[0]
        if KINDS[plural][1] != group:
            return None
        if ns is not None and not KINDS[plural][3]:
            return None
        name = rest[1] if len(rest) >= 2 else None
        sub = rest[2] if len(rest) >= 3 else None
        if len(rest) > 3 or (sub is not None and sub != "status") or \
                name == "":
            return None
        return plural, ns, name, sub

    def not_found_path(self):
        self.send_status(404, "NotFound",
                         "the server could not find the requested resource")

    def do_GET(self):
        path = self.path.split("?")[0]
        if path in ("/healthz", "/readyz", "/livez", "/version"):
            # Public, as system:public-info-viewer makes them.
            return self.public(path)
        if not self.begin():
            return
        if path.rstrip("/") in DISCOVERY_PATHS:
            return self.send_json(200, discovery(path.rstrip("/")))
        if path.startswith("/openapi/"):
            doc = openapi(path)
            if doc is None:
                return self.not_found_path()
            return self.send_json(200, doc)
        try:
            r = self.route()
            if r is None:
                return self.not_found_path()
            plural, ns, name, sub = r
            if name is None:
                if self.q("watch") in ("1", "true"):
                    return self.watch(plural, ns)
                return self.list(plural, ns)
            return self.get_one(plural, ns, name)
        except BadRequest as e:
            self.send_status(400, "BadRequest", str(e))

    def public(self, path):
        st = self.server.app.store
        st.count(st.requests, "GET " + path)
        if path == "/version":
            return self.send_json(200, {
                "major": "1", "minor": "30", "gitVersion": "v1.30.0+test",
                "gitCommit": "0" * 40, "gitTreeState": "clean",
                "buildDate": "2024-01-01T00:00:00Z", "goVersion": "go1.22",
                "compiler": "gc", "platform": "linux/amd64"})
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PATCH(self):
        self.write("PATCH")

    def do_POST(self):
        self.write("POST")

    def do_PUT(self):
        self.write("PUT")

    def do_DELETE(self):
        self.write("DELETE")

    def method_not_allowed(self):
        if not self.begin():
            return
        try:
            self.read_body()
        except BadRequest:
            self.close_connection = True
        self.send_status(405, "MethodNotAllowed",
                         "the server does not allow this method on the "
                         "requested resource")

    # --- GET of one object -----------------------------------------------

    def lookup_key(self, plural, ns, name):
        if KINDS[plural][3]:
            return (ns if ns is not None else "", name)
        return ("", name)

    def get_one(self, plural, ns, name):
        st = self.server.app.store
        if KINDS[plural][3] and ns is None:
            return self.not_found_path()
        with st.cond:
            obj = st.objects[plural].get(self.lookup_key(plural, ns, name))
        if obj is None:
            return self.send_json(404, not_found_status(plural, name))
        self.send_json(200, obj)

    # --- list -------------------------------------------------------------

    def selector(self, plural):
        ls = parse_selector(self.q("labelSelector", ""), False)
        fs = parse_selector(self.q("fieldSelector", ""), True, plural)
        return lambda o: ls(o) and fs(o)

    def in_ns(self, ns, obj):
        return ns is None or obj["metadata"].get("namespace") == ns

    def list(self, plural, ns):
        app = self.server.app
        st = app.store
        st.count(st.lists, plural)
        limit = self.q("limit")
        try:
            limit = int(limit) if limit not in (None, "") else 0
        except ValueError:
            raise BadRequest("limit %r is not an integer" % limit)
        if limit < 0:
            limit = 0
        match = self.selector(plural)
        cont = self.q("continue")
        rvs = self.q("resourceVersion", "")
        if cont and rvs not in ("", "0"):
            raise BadRequest("specifying resource version is not allowed "
                             "when using continue")
        try:
            want = int(rvs) if rvs != "" else None
            if want is not None and want < 0:
                raise ValueError
        except ValueError:
            raise BadRequest("invalid resourceVersion %r" % rvs)
        if want == 0 and not cont:
            # "Any": served from the watch cache, which ignores limit.
            limit = 0
        if want and not cont:
            # Not older than want: wait for it as the watch cache does.
            with st.cond:
                end = time.monotonic() + TOO_LARGE_WAIT
                while st.rv < want and time.monotonic() < end:
                    st.cond.wait(end - time.monotonic())
                cur = st.rv
            if cur < want:
                return self.send_json(504, too_large_status(want, cur))
        with st.cond:
            if cont:
                try:
                    tok = json.loads(base64.urlsafe_b64decode(
                        cont + "=" * (-len(cont) % 4)))
                    rv = int(tok["rv"])
                    start = tuple(tok["start"])
                    if len(start) != 2 or \
                            not all(isinstance(x, str) for x in start):
                        raise ValueError
                except (ValueError, KeyError, TypeError):
                    raise BadRequest("continue key is not valid")
                snap = st.snapshots.get(rv)
                if snap is None or plural not in snap:
                    st.gone[plural] += 1
                    return self.send_status(
                        410, "Expired",
                        "The provided continue parameter is too old to "
                        "display a consistent list result. You can start "
                        "a new list without the continue parameter.")
                items = snap[plural]
            else:
                rv = st.rv
                items = sorted(st.objects[plural].items())
                if limit:
                    st.snapshots.setdefault(rv, {})[plural] = items
                start = None
        sel = [(k, o) for k, o in items
               if (start is None or k > start) and
               self.in_ns(ns, o) and match(o)]
        more = limit and len(sel) > limit
        if limit:
            page = sel[:limit]
        else:
            page = sel
        md = {"resourceVersion": str(rv)}
        if more:
            last = list(page[-1][0])   # (namespace, name), in list order
            md["continue"] = base64.urlsafe_b64encode(json.dumps(
                {"v": "meta.k8s.io/v1", "rv": rv, "start": last}).encode()
            ).decode().rstrip("=")
            md["remainingItemCount"] = len(sel) - limit
        out = []
        for _, o in page:
            # Items of a typed list carry no kind/apiVersion.
            o = dict(o)
            o.pop("kind", None)
            o.pop("apiVersion", None)
            out.append(o)
        self.send_json(200, {"kind": KINDS[plural][0] + "List",
                             "apiVersion": api_version(plural),
                             "metadata": md, "items": out})

    # --- watch ------------------------------------------------------------

    def write_chunk(self, data):
        if self.conn.dropped:
            raise Dropped()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def write_event(self, etype, obj):
        app = self.server.app
        if app.delay_ms:
            time.sleep(app.delay_ms / 1000.0)
        self.write_chunk((json.dumps({"type": etype, "object": obj}) +
                          "\n").encode())

    def write_split(self, events):
        """Chunking "split": every event is cut in two at a random place,
        and each chunk carries the end of one event and the start of the
        next, so no chunk boundary falls on an event boundary."""
        app = self.server.app
        lines = [(json.dumps({"type": t, "object": o}) + "\n").encode()
                 for t, o in events]
        pending = b""
        for line in lines:
            cut = random.randint(1, len(line) - 1)
            if app.delay_ms:
                time.sleep(app.delay_ms / 1000.0)
            self.write_chunk(pending + line[:cut])
            pending = line[cut:]
        self.write_chunk(pending)

    def watch(self, plural, ns):
        app = self.server.app
        st = app.store
        rvs = self.q("resourceVersion", "")
        try:
            from_rv = int(rvs) if rvs != "" else 0
            if from_rv < 0:
                raise ValueError
        except ValueError:
            raise BadRequest("invalid resourceVersion %r" % rvs)
        try:
            timeout = float(self.q("timeoutSeconds") or 1800)
        except ValueError:
            raise BadRequest("timeoutSeconds is not a number")
        bookmarks = self.q("allowWatchBookmarks") in ("1", "true")
        sel = self.selector(plural)

        def match(o):
            return self.in_ns(ns, o) and sel(o)

        w = Watch(plural, match, bookmarks, from_rv)
        with st.cond:
            st.watch_starts[plural] += 1
            expired = from_rv != 0 and from_rv < st.compact_rv
            if from_rv != 0 and st.expire_next > 0 and \
                    st.expire_plural in (None, plural):
                st.expire_next -= 1     # POST /expire-watches
                expired = True
            if expired:
                st.gone[plural] += 1
                compact_rv = max(st.compact_rv, from_rv + 1)
                mode = st.gone_mode
            else:
                if from_rv == 0:
                    # "Any" version: synthetic ADDED for the current state.
                    for _, o in sorted(st.objects[plural].items()):
                        if match(o):
                            w.queue.append((int(o["metadata"]
                                                ["resourceVersion"]),
                                            "ADDED", o))
                else:
                    for rv, p, et, o in st.history:
                        if rv > from_rv and p == plural and match(o):
                            w.queue.append((rv, et, o))
                w.bookmark_gen = st.bookmark_gen
                st.watches.add(w)
        msg = "too old resource version: %d (%d)" % (from_rv,
                                                      compact_rv
                                                      if expired else 0)
        if expired and mode == "http":
            return self.send_status(410, "Expired", msg)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Cache-Control", "no-cache, private")
            self.end_headers()
            self.wfile.flush()
            if expired:
                self.write_event("ERROR", status_obj(410, "Expired", msg))
            else:
                self.stream(w, timeout)
            self.write_chunk(b"")
        finally:
            with st.cond:
                st.watches.discard(w)
        # Keep-alive after a clean end, like the real server.

    def peer_gone(self):
        """True when the client closed its end of the connection: EOF, or
        a TLS alert (close_notify) waiting, during a watch where an HTTP/1.1
        client sends nothing."""
        sock = self.connection
        try:
            r, _, _ = select.select([sock], [], [], 0)
            if not r:
                return False
            # The plain socket's recv: peeks at TLS records, not data.
            head = socket.socket.recv(sock, 1, socket.MSG_PEEK)
        except (OSError, ValueError):
            return True
        return head in (b"", b"\x15")

    def stream(self, w, timeout):
        app = self.server.app
        st = app.store
        deadline = time.monotonic() + timeout
        interval = app.bookmark_interval
        next_bm = time.monotonic() + interval if interval > 0 else None
        while True:
            with st.cond:
                while True:
                    if self.conn.dropped:
                        raise Dropped()
                    t = time.monotonic()
                    if w.queue or t >= deadline:
                        break
                    if w.bookmarks and st.rv >= w.from_rv and \
                            (w.bookmark_gen != st.bookmark_gen or
                             (next_bm is not None and t >= next_bm)):
                        break
                    wake = deadline
                    if w.bookmarks and next_bm is not None:
                        wake = min(wake, next_bm)
                    # Wake up now and then to notice a client that left.
                    st.cond.wait(min(max(0.0, wake - t), 0.5))
                    if self.peer_gone():
                        raise Dropped()
                batch = w.queue
                w.queue = []
                bookmark = None
                if w.bookmarks and st.rv >= w.from_rv and \
                        (w.bookmark_gen != st.bookmark_gen or
                         (next_bm is not None and t >= next_bm)):
                    w.bookmark_gen = st.bookmark_gen
                    bookmark = st.rv
                    if next_bm is not None:
                        next_bm = t + interval
            events = [(etype, obj) for _, etype, obj in batch]
            if bookmark is not None:
                events.append(("BOOKMARK", {
                    "kind": KINDS[w.plural][0],
                    "apiVersion": api_version(w.plural),
                    "metadata": {"resourceVersion": str(bookmark)}}))
            if app.chunking == "split" and events:
                self.write_split(events)
            else:
                for etype, obj in events:
                    self.write_event(etype, obj)
            if time.monotonic() >= deadline and not batch:
                return

    # --- writes: create, update, patch, delete -----------------------------

    def write(self, method):
        """Every write goes through here: recorded (GET /writes on the
        control port; PATCHes also in GET /patches), maybe failed on purpose
        (POST /fail), then applied."""
        if not self.begin():
            return
        st = self.server.app.store
        try:
            body = self.read_body()
        except BadRequest as e:
            self.close_connection = True
            return self.send_status(400, "BadRequest", str(e))
        ctype = self.headers.get("Content-Type", "")
        rec = {"method": method, "path": self.url.path,
               "query": self.url.query, "contentType": ctype,
               "body": body.decode("utf-8", "replace"), "time": time.time()}
        code = self.injected_failure(method)
        if code is None:
            code = self.node_restricted(method)
        if code is None:
            try:
                code = self.do_write(method, body,
                                     ctype.split(";")[0].strip().lower())
            except BadRequest as e:
                self.send_status(400, "BadRequest", str(e))
                code = 400
        rec["code"] = code
        with st.cond:
            st.writes.append(rec)
            if method == "PATCH":
                st.patches.append(rec)

    def node_restricted(self, method):
        """With POST /authz?mode=node: a node identity writes only its own
        Node (403 otherwise, in NodeRestriction's words)."""
        app = self.server.app
        if app.authz != "node" or self.node_identity is None:
            return None
        r = self.route()
        if r is None or r[0] != "nodes":
            return None
        name = r[2]
        if name == self.node_identity and method != "DELETE":
            return None
        what = name if name is not None else ""
        self.send_status(403, "Forbidden",
                         'nodes "%s" is forbidden: node "%s" is not allowed '
                         "to modify node \"%s\"" % (what, self.node_identity,
                                                      what),
                         {"name": what, "kind": "nodes"})
        return 403

    def injected_failure(self, method):
        st = self.server.app.store
        with st.cond:
            f = st.fail
            if not f or f["n"] <= 0 or \
                    (f["method"] and f["method"] != method) or \
                    not self.url.path.startswith(f["path"] or "/"):
                return None
            f["n"] -= 1
            code = f["code"]
        reasons = {429: ("TooManyRequests", "Too many requests, please try "
                         "again later."),
                   500: ("InternalError", "Internal error occurred: "
                         "injected failure"),
                   503: ("ServiceUnavailable", "the server is currently "
                         "unable to handle the request"),
                   504: ("Timeout", "Timeout: request did not complete "
                         "within the allowed duration")}
        reason, msg = reasons.get(code, ("InternalError", "injected failure"))
        extra = {"Retry-After": "1"} if code == 429 else None
        self.send_json(code, status_obj(code, reason, msg), extra)
        return code

    def parse_json(self, body, what):
        try:
            return json.loads(body)
        except ValueError as e:
            raise BadRequest("error decoding %s: %s" % (what, e))

    def do_write(self, method, body, mtype):
        st = self.server.app.store
        r = self.route()
        if r is None:
            self.not_found_path()
            return 404
        plural, ns, name, sub = r
        namespaced = KINDS[plural][3]
        if (namespaced and ns is None and (name is not None or
                                           method == "POST")) or \
                (method == "POST" and name is not None) or \
                (method != "POST" and name is None):
            self.method_not_allowed_inner()
            return 405
        if method == "PATCH" and mtype not in PATCH_TYPES:
            self.send_status(
                415, "UnsupportedMediaType",
                "the body of the request was in an unknown format - "
                "accepted media types include: application/json-patch+json, "
                "application/merge-patch+json, application/apply-patch+yaml, "
                "application/strategic-merge-patch+json")
            return 415
        if sub is not None and plural not in STATUS_SUB:
            self.not_found_path()
            return 404
        if method == "POST":
            obj = self.parse_json(body, "object")
            return self.create(plural, ns, obj)
        key = self.lookup_key(plural, ns, name)
        if method == "DELETE":
            opts = self.parse_json(body, "DeleteOptions") if body.strip() \
                else {}
            return self.delete(plural, key, name, opts)
        if method == "PUT":
            new = self.parse_json(body, "object")
        else:
            patch = self.parse_json(body, "patch")
            if mtype != "application/json-patch+json" and \
                    not isinstance(patch, dict):
                raise BadRequest("patch is not a JSON object")
        with st.cond:
            old = st.objects[plural].get(key)
            if old is None:
                self.send_json(404, not_found_status(plural, name))
                return 404
            if method == "PATCH":
                if mtype == "application/json-patch+json":
                    try:
                        new = json_patch(old, patch)
                    except PatchApplyError as e:
                        self.send_status(
                            422, "Invalid", "the server rejected our "
                            "request due to an error in our request",
                            {"causes": [{"reason":
                                         "UnexpectedServerResponse",
                                         "message": str(e)}]})
                        return 422
                elif mtype == "application/merge-patch+json":
                    new = merge_patch(old, patch)
                else:
                    new = strategic_merge(old, patch)
            return self.update(plural, key, name, old, new, sub)

    def check_body_meta(self, plural, ns, obj):
        if not isinstance(obj, dict):
            raise BadRequest("the object is not a JSON object")
        want = api_version(plural)
        kind = KINDS[plural][0]
        if obj.get("kind", kind) != kind or \
                obj.get("apiVersion", want) != want:
            raise BadRequest("the API version in the data (%s) does not "
                             "match the expected API version (%s)" %
                             (obj.get("apiVersion"), want)
                             if obj.get("apiVersion", want) != want else
                             "the kind in the data (%s) does not match the "
                             "expected kind (%s)" % (obj.get("kind"), kind))
        md = obj.setdefault("metadata", {})
        if not isinstance(md, dict):
            raise BadRequest("metadata is not an object")
        if KINDS[plural][3]:
            if md.get("namespace") not in (None, "", ns):
                raise BadRequest("the namespace of the provided object does "
                                 "not match the namespace sent on the "
                                 "request")
            md["namespace"] = ns
        else:
            md.pop("namespace", None)
        return md

    def create(self, plural, ns, obj):
        st = self.server.app.store
        md = self.check_body_meta(plural, ns, obj)
        if md.get("resourceVersion"):
            raise BadRequest("resourceVersion should not be set on objects "
                             "to be created")
        if not md.get("name") and md.get("generateName"):
            md["name"] = md["generateName"] + "".join(
                random.choice("bcdfghjklmnpqrstvwxz2456789")
                for _ in range(5))
        name = md.get("name") or ""
        if not name:
            errs = [("metadata.name", "FieldValueRequired",
                     "Required value: name or generateName is required")]
            self.send_json(422, invalid_status(plural, name, errs))
            return 422
        obj = normalise(dict(obj, kind=KINDS[plural][0],
                             apiVersion=api_version(plural)), "body")
        md = obj["metadata"]
        for f in ("uid", "creationTimestamp", "deletionTimestamp",
                  "generation", "resourceVersion"):
            md.pop(f, None)
        if plural in STATUS_SUB and plural != "pods":
            obj.pop("status", None)
        default(plural, obj)
        errs = validate(plural, obj)
        if errs:
            self.send_json(422, invalid_status(plural, name, errs))
            return 422
        md["generation"] = 1
        with st.cond:
            key = (md.get("namespace", ""), name)
            if key in st.objects[plural]:
                self.send_status(409, "AlreadyExists", '%s "%s" already '
                                 "exists" % (resource_name(plural), name),
                                 res_details(plural, name))
                return 409
            st.put(obj)
            out = copy.deepcopy(obj)
        self.send_json(201, out)
        return 201

    def update(self, plural, key, name, old, new, sub):
        """Caller holds the store's lock; old is the stored object, new
        the object PUT or patched."""
        st = self.server.app.store
        if not isinstance(new, dict):
            raise BadRequest("the result is not a JSON object")
        md = self.check_body_meta(plural, key[0] or None, new)
        if md.get("name", name) != name:
            raise BadRequest("the name of the object (%s) does not match "
                             "the name on the URL (%s)" % (md["name"], name))
        rv = md.get("resourceVersion")
        omd = old["metadata"]
        if rv not in (None, "") and rv != omd["resourceVersion"]:
            self.send_json(409, conflict_status(plural, name))
            return 409
        if md.get("uid") not in (None, "", omd.get("uid")):
            self.send_json(409, conflict_status(
                plural, name, "Precondition failed: UID in precondition: "
                "%s, UID in object meta: %s" % (md["uid"], omd.get("uid"))))
            return 409
        if sub == "status":
            # The status strategy: status (and labels/annotations) only.
            obj = copy.deepcopy(old)
            if "status" in new:
                obj["status"] = copy.deepcopy(new["status"])
            else:
                obj.pop("status", None)
            for f in ("labels", "annotations"):
                if new["metadata"].get(f):
                    obj["metadata"][f] = copy.deepcopy(new["metadata"][f])
                else:
                    obj["metadata"].pop(f, None)
        else:
            obj = copy.deepcopy(new)
            obj["kind"] = KINDS[plural][0]
            obj["apiVersion"] = api_version(plural)
            nmd = obj["metadata"]
            for f in ("uid", "creationTimestamp", "deletionTimestamp",
                      "deletionGracePeriodSeconds", "generation",
                      "resourceVersion", "name"):
                if f in omd:
                    nmd[f] = omd[f]
                else:
                    nmd.pop(f, None)
            if plural in STATUS_SUB:
                if "status" in old:
                    obj["status"] = copy.deepcopy(old["status"])
                else:
                    obj.pop("status", None)
            default(plural, obj)
            errs = validate(plural, obj)
            if omd.get("deletionTimestamp"):
                added = [f for f in nmd.get("finalizers") or []
                         if f not in (omd.get("finalizers") or [])]
                if added:
                    errs.append(("metadata.finalizers", "FieldValueForbidden",
                                 "Forbidden: no new finalizers can be added "
                                 "if the object is being deleted, found new "
                                 "finalizers %s" % json.dumps(added)))
            if errs:
                self.send_json(422, invalid_status(plural, name, errs))
                return 422
            strip = ("metadata", "status", "kind", "apiVersion")
            if {k: v for k, v in obj.items() if k not in strip} != \
                    {k: v for k, v in old.items() if k not in strip}:
                nmd["generation"] = omd.get("generation", 0) + 1
        # Field order as the real server writes it.
        obj = dict({"kind": obj["kind"], "apiVersion": obj["apiVersion"],
                    "metadata": obj["metadata"]}, **obj)
        obj["metadata"]["resourceVersion"] = omd["resourceVersion"]
        if obj == old:
            # A no-op changes nothing, as etcd's GuaranteedUpdate.
            self.send_json(200, old)
            return 200
        if obj["metadata"].get("deletionTimestamp") and \
                not obj["metadata"].get("finalizers"):
            gone = st.delete(plural, key)
            self.send_json(200, gone)
            return 200
        st.put(obj)
        self.send_json(200, copy.deepcopy(obj))
        return 200

    def delete(self, plural, key, name, opts):
        st = self.server.app.store
        if not isinstance(opts, dict):
            raise BadRequest("DeleteOptions is not a JSON object")
        pre = opts.get("preconditions") or {}
        with st.cond:
            old = st.objects[plural].get(key)
            if old is None:
                self.send_json(404, not_found_status(plural, name))
                return 404
            omd = old["metadata"]
            for f, label in (("uid", "UID"),
                             ("resourceVersion", "ResourceVersion")):
                if pre.get(f) not in (None, "") and pre[f] != omd.get(f):
                    self.send_json(409, conflict_status(
                        plural, name, "Precondition failed: %s in "
                        "precondition: %s, %s in object meta: %s" %
                        (label, pre[f], label, omd.get(f))))
                    return 409
            if omd.get("finalizers"):
                # Graceful: marked, kept until the finalizers are gone.
                if not omd.get("deletionTimestamp"):
                    obj = copy.deepcopy(old)
                    obj["metadata"]["deletionTimestamp"] = now_rfc3339()
                    obj["metadata"]["deletionGracePeriodSeconds"] = 0
                    st.put(obj)
                    old = obj
                out = copy.deepcopy(old)
                self.send_json(202, out)
                return 202
            gone = st.delete(plural, key)
        self.send_json(200, gone)
        return 200

    def method_not_allowed_inner(self):
        self.send_status(405, "MethodNotAllowed",
                         "the server does not allow this method on the "
                         "requested resource")


class APIServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, family, app):
        self.address_family = family
        self.app = app
        super().__init__(addr, APIHandler)

    def server_bind(self):
        # No getfqdn(): a reverse DNS lookup can hang where no DNS answers.
        socketserver.TCPServer.server_bind(self)
        self.server_name = self.server_address[0]
        self.server_port = self.server_address[1]

    def finish_request(self, request, client_address):
        # Runs in the connection's own thread: TLS handshake here, so a
        # slow client never holds up accept().
        app = self.app
        conn = Conn(request)
        with app.conns_lock:
            app.conns.add(conn)
        try:
            request.settimeout(10)
            tls = app.ctx.wrap_socket(request, server_side=True)
            conn.sock = tls
            if conn.dropped:
                return
            tls.settimeout(None)
            handler = APIHandler.__new__(APIHandler)
            handler.conn = conn
            handler.__init__(tls, client_address, self)
        except (Dropped, ConnectionError, ssl.SSLError, OSError,
                socket.timeout) as e:
            log("connection %s: %s: %s" % (client_address[0],
                                           type(e).__name__, e))
        finally:
            with app.conns_lock:
                app.conns.discard(conn)
            try:
                conn.sock.close()
            except OSError:
                pass

    def shutdown_request(self, request):
        pass  # finish_request closed it

    def handle_error(self, request, client_address):
        log("error from %s: %s" % (client_address[0], sys.exc_info()[1]))


# --- the control server --------------------------------------------------------

class ControlHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        log("control: " + fmt % args)

    def reply(self, code, obj):
        body = (json.dumps(obj, indent=1) + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def reply_text(self, text):
        body = (text + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, code, msg):
        self.reply(code, {"error": msg})

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def parse(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query, keep_blank_values=True)
        parts = [urllib.parse.unquote(p) for p in u.path.strip("/").split("/")]
        return parts, {k: v[-1] for k, v in q.items()}

    def obj_key(self, parts):
        """/objects/<plural>[/<ns>]/<name> -> (plural, key) or error."""
        if len(parts) not in (3, 4) or parts[1] not in KINDS:
            self.error(404, "expected /objects/<plural>[/<ns>]/<name> with "
                       "plural one of " + ", ".join(KINDS))
            return None
        plural = parts[1]
        if len(parts) == 4:
            if not KINDS[plural][3]:
                self.error(400, "%s are not namespaced" % plural)
                return None
            return plural, (parts[2], parts[3])
        return plural, ("default" if KINDS[plural][3] else "", parts[2])

    def do_GET(self):
        app = self.server.app
        st = app.store
        parts, q = self.parse()
        if parts == ["healthz"]:
            return self.reply(200, {"ok": True})
        if parts == ["patches"]:
            with st.cond:
                return self.reply(200, list(st.patches))
        if parts == ["writes"]:
            # ?method=M&path=PREFIX narrow it down.
            with st.cond:
                out = [w for w in st.writes
                       if w["method"] == q.get("method", w["method"]) and
                       w["path"].startswith(q.get("path", ""))]
            return self.reply(200, out)
        if parts == ["requests"]:
            with st.cond:
                return self.reply(200, list(st.requests_log))
        if parts == ["stats"]:
            return self.reply(200, app.stats())
        if parts[0] == "stats":
            # /stats/watches/nodes: one value as text, for shell tests.
            v = app.stats()
            for p in parts[1:]:
                if not isinstance(v, dict) or p not in v:
                    return self.error(404, "no stats key %s" % self.path)
                v = v[p]
            return self.reply_text(v if isinstance(v, str) else
                                   json.dumps(v))
        if parts[0] == "objects" and len(parts) == 2 and parts[1] in KINDS:
            with st.cond:
                items = [o for _, o in sorted(st.objects[parts[1]].items())]
                rv = st.rv
            return self.reply(200, {"kind": "List", "apiVersion": "v1",
                                    "metadata": {"resourceVersion": str(rv)},
                                    "items": items})
        if parts[0] == "objects":
            k = self.obj_key(parts)
            if k is None:
                return
            with st.cond:
                obj = st.objects[k[0]].get(k[1])
            if obj is None:
                return self.error(404, "%s %s not found" %
                                  (k[0], "/".join(filter(None, k[1]))))
            return self.reply(200, obj)
        self.error(404, "unknown control path %s" % self.path)

    def do_PUT(self):
        app = self.server.app
        st = app.store
        parts, q = self.parse()
        if parts != ["objects"]:
            return self.error(404, "unknown control path %s" % self.path)
        try:
            doc = json.loads(self.body())
            objs = [normalise(o, "items[%d]" % i)
                    for i, o in enumerate(split_list(doc, "body"))]
        except ValueError as e:
            return self.error(400, "body: %s" % e)
        except BadRequest as e:
            return self.error(400, str(e))
        out = []
        with st.cond:
            for o in objs:
                et = st.put(o)
                md = o["metadata"]
                out.append({"type": et, "kind": o["kind"],
                            "namespace": md.get("namespace", ""),
                            "name": md["name"],
                            "resourceVersion": md["resourceVersion"]})
            rv = st.rv
        self.reply(200, {"resourceVersion": str(rv), "events": out})

    def do_DELETE(self):
        st = self.server.app.store
        parts, q = self.parse()
        if parts == ["patches"]:
            with st.cond:
                st.patches = []
            return self.reply(200, {"ok": True})
        if parts == ["writes"]:
            with st.cond:
                st.writes = []
            return self.reply(200, {"ok": True})
        if parts == ["requests"]:
            with st.cond:
                st.requests_log = []
            return self.reply(200, {"ok": True})
        if parts[0] != "objects":
            return self.error(404, "unknown control path %s" % self.path)
        k = self.obj_key(parts)
        if k is None:
            return
        with st.cond:
            gone = st.delete(*k)
        if gone is None:
            return self.error(404, "%s %s not found" %
                              (k[0], "/".join(filter(None, k[1]))))
        self.reply(200, {"type": "DELETED",
                         "resourceVersion":
                         gone["metadata"]["resourceVersion"]})

    def do_POST(self):
        app = self.server.app
        st = app.store
        parts, q = self.parse()
        body = self.body()
        cmd = parts[0] if len(parts) == 1 else None
        if cmd == "compact":
            return self.reply(200, {"compactedResourceVersion":
                                    str(st.compact())})
        if cmd == "drop":
            return self.reply(200, {"dropped": app.drop()})
        if cmd == "delay":
            try:
                ms = int(q.get("ms", ""))
                if ms < 0:
                    raise ValueError
            except ValueError:
                return self.error(400, "delay: ms=N (N >= 0) expected")
            app.delay_ms = ms
            return self.reply(200, {"delayMs": ms})
        if cmd == "down":
            app.down()
            return self.reply(200, {"up": False})
        if cmd == "up":
            try:
                app.up()
            except OSError as e:
                return self.error(500, "cannot listen again: %s" % e)
            return self.reply(200, {"up": True})
        if cmd == "error410mode":
            mode = q.get("mode")
            if mode not in ("http", "event"):
                return self.error(400, "error410mode: mode=http|event")
            with st.cond:
                st.gone_mode = mode
            return self.reply(200, {"mode": mode})
        if cmd == "tokens":
            toks = set(t.strip() for t in body.decode("utf-8", "replace")
                       .splitlines() if t.strip())
            app.tokens = toks
            return self.reply(200, {"tokens": len(toks)})
        if cmd == "accept-certs":
            text = body.decode("ascii", "replace")
            if not text.strip():
                app.certs_accepted = None
                return self.reply(200, {"certsAccepted": None})
            acc = set()
            for blk in text.split("-----END CERTIFICATE-----")[:-1]:
                blk += "-----END CERTIFICATE-----\n"
                try:
                    der = ssl.PEM_cert_to_DER_cert(
                        blk[blk.index("-----BEGIN CERTIFICATE-----"):])
                except ValueError as e:
                    return self.error(400, "accept-certs: %s" % e)
                acc.add(hashlib.sha256(der).hexdigest())
            if not acc:
                return self.error(400, "accept-certs: no PEM certificate")
            app.certs_accepted = acc
            return self.reply(200, {"certsAccepted": len(acc)})
        if cmd == "restore":
            # An etcd restored from a backup: the revision goes back to
            # rv (objects stay), history and snapshots are gone.
            try:
                rv = int(q.get("rv", ""))
                if rv < 1:
                    raise ValueError
            except ValueError:
                return self.error(400, "restore: rv=N (N >= 1)")
            with st.cond:
                st.rv = rv
                st.compact_rv = rv
                st.history = []
                st.snapshots = {}
            return self.reply(200, {"resourceVersion": str(rv)})
        if cmd == "expire-watches":
            try:
                n = int(q.get("n", ""))
                if n < 0:
                    raise ValueError
            except ValueError:
                return self.error(400, "expire-watches: n=N (N >= 0)"
                                  "[&plural=P]")
            plural = q.get("plural") or None
            if plural is not None and plural not in KINDS:
                return self.error(400, "expire-watches: unknown plural %s"
                                  % plural)
            with st.cond:
                st.expire_next = n
                st.expire_plural = plural
            return self.reply(200, {"expireNext": n, "plural": plural})
        if cmd == "chunking":
            mode = q.get("mode")
            if mode not in ("event", "split"):
                return self.error(400, "chunking: mode=event|split")
            app.chunking = mode
            return self.reply(200, {"chunking": mode})
        if cmd == "bookmark":
            with st.cond:
                st.bookmark_gen += 1
                n = sum(1 for w in st.watches if w.bookmarks)
                st.cond.notify_all()
            return self.reply(200, {"watches": n})
        if cmd == "authz":
            mode = q.get("mode")
            if mode not in ("none", "node"):
                return self.error(400, "authz: mode=none|node")
            app.authz = mode
            return self.reply(200, {"authz": mode})
        if cmd == "fail":
            # The next n API requests (writes unless method=) under path
            # answer code with a Status.
            try:
                n = int(q.get("n", "1"))
                code = int(q.get("code", "500"))
                if n < 0 or not 400 <= code <= 599:
                    raise ValueError
            except ValueError:
                return self.error(400, "fail: n=N&code=4xx|5xx[&method=M]"
                                  "[&path=PREFIX]")
            with st.cond:
                st.fail = {"n": n, "code": code,
                           "method": q.get("method") or None,
                           "path": q.get("path") or None}
            return self.reply(200, {"fail": st.fail})
        if cmd == "reset-stats":
            with st.cond:
                st.reset_stats()
            return self.reply(200, {"ok": True})
        self.error(404, "unknown control path %s" % self.path)


class ControlServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, family, app):
        self.address_family = family
        self.app = app
        super().__init__(addr, ControlHandler)

    def server_bind(self):
        # No getfqdn(): a reverse DNS lookup can hang where no DNS answers.
        socketserver.TCPServer.server_bind(self)
        self.server_name = self.server_address[0]
        self.server_port = self.server_address[1]

    def handle_error(self, request, client_address):
        log("control error: %s" % (sys.exc_info()[1],))


# --- the application --------------------------------------------------------------

def parse_addr(text, what):
    """'1.2.3.4:443', '[::1]:443', 'localhost:443' -> (family, host, port)"""
    if text.startswith("["):
        host, sep, port = text[1:].partition("]:")
        family = socket.AF_INET6
    else:
        host, sep, port = text.rpartition(":")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise SystemExit("apiserver.py: %s %s: expected ADDR:PORT or "
                         "[ADDR6]:PORT" % (what, text))
    return family, host, int(port)


class App:
    def __init__(self, args):
        self.store = Store()
        self.delay_ms = 0
        self.bookmark_interval = args.bookmark_interval
        self.conns = set()
        self.conns_lock = threading.Lock()
        self.updown_lock = threading.Lock()
        certs = args.certs
        for f in ("server.crt", "server.key", "ca.crt"):
            if not os.access(os.path.join(certs, f), os.R_OK):
                raise SystemExit("apiserver.py: --certs %s: cannot read %s "
                                 "(make it with mkcerts.sh)" % (certs, f))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(os.path.join(certs, "server.crt"),
                            os.path.join(certs, "server.key"))
        ctx.load_verify_locations(os.path.join(certs, "ca.crt"))
        ctx.verify_mode = ssl.CERT_OPTIONAL
        ctx.set_alpn_protocols(["http/1.1"])
        self.ctx = ctx
        self.tokens = set()
        tf = os.path.join(certs, "token")
        if os.path.exists(tf):
            with open(tf) as f:
                self.tokens = set(filter(None, [f.read().strip()]))
        self.certs_accepted = None      # None: any certificate of ca.crt
        self.chunking = args.chunking
        self.authz = "none"             # POST /authz?mode=node
        self.family, host, port = parse_addr(args.listen, "--listen")
        self.api_addr = (host, port)
        self.api = None
        cf, ch, cp = parse_addr(args.control, "--control")
        self.control = ControlServer((ch, cp), cf, self)
        if args.fixtures:
            self.load_fixtures(args.fixtures)

    def load_fixtures(self, d):
        st = self.store
        names = sorted(n for n in os.listdir(d) if n.endswith(".json"))
        with st.cond:
            for n in names:
                p = os.path.join(d, n)
                try:
                    with open(p) as f:
                        doc = json.load(f)
                    items = split_list(doc, p)
                    objs = [normalise(o, "%s: items[%d]" % (p, i))
                            for i, o in enumerate(items)]
                except (ValueError, BadRequest, OSError) as e:
                    raise SystemExit("apiserver.py: fixture %s" % e)
                for o in objs:
                    st.put(o)
        log("loaded %d fixture files, resourceVersion %d" %
            (len(names), st.rv))

    def cert_accepted(self, der):
        acc = self.certs_accepted
        return acc is None or hashlib.sha256(der).hexdigest() in acc

    def up(self):
        with self.updown_lock:
            if self.api is not None:
                return
            self.api = APIServer(self.api_addr, self.family, self)
            # Port 0: keep the port the kernel chose for /down + /up.
            self.api_addr = self.api.server_address[:2]
            threading.Thread(target=self.api.serve_forever,
                             kwargs={"poll_interval": 0.05},
                             daemon=True).start()

    def down(self):
        with self.updown_lock:
            api, self.api = self.api, None
            if api is not None:
                api.shutdown()
                api.server_close()
        self.drop()

    def drop(self):
        with self.conns_lock:
            conns = list(self.conns)
        for c in conns:
            c.cut()
        with self.store.cond:
            self.store.drops += len(conns)
            self.store.cond.notify_all()
        return len(conns)

    def stats(self):
        st = self.store
        with st.cond:
            open_w = {p: 0 for p in KINDS}
            for w in st.watches:
                open_w[w.plural] += 1
            return {"resourceVersion": str(st.rv),
                    "compactedResourceVersion": str(st.compact_rv),
                    "watches": open_w,
                    "watchesStarted": dict(st.watch_starts),
                    "lists": dict(st.lists),
                    "gone": dict(st.gone),
                    "requests": dict(st.requests),
                    "auth": dict(st.auth),
                    "patches": len(st.patches),
                    "writes": len(st.writes),
                    "dropped": st.drops,
                    "connections": len(self.conns),
                    "up": self.api is not None,
                    "delayMs": self.delay_ms,
                    "error410mode": st.gone_mode,
                    "expireNext": st.expire_next,
                    "chunking": self.chunking,
                    "tokens": len(self.tokens),
                    "certsAccepted": None if self.certs_accepted is None
                    else len(self.certs_accepted)}


def main():
    global VERBOSE
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--listen", required=True,
                    help="HTTPS address, ADDR:PORT or [ADDR6]:PORT (port 0: "
                    "any free port, see --state-file)")
    ap.add_argument("--certs", required=True,
                    help="directory made by mkcerts.sh")
    ap.add_argument("--control", required=True,
                    help="plain-HTTP control address, ADDR:PORT")
    ap.add_argument("--fixtures", help="directory of *.json objects/Lists")
    ap.add_argument("--bookmark-interval", type=float, default=60.0,
                    help="seconds between BOOKMARK events (0: none)")
    ap.add_argument("--chunking", choices=("event", "split"),
                    default="event",
                    help="watch chunks: one event each, or events split "
                    "across chunks (see POST /chunking)")
    ap.add_argument("--state-file",
                    help="written once listening: api_port=, control_port=, "
                    "pid= lines")
    ap.add_argument("--verbose", action="store_true",
                    help="log requests to stderr")
    args = ap.parse_args()
    VERBOSE = args.verbose
    try:
        app = App(args)
        app.up()
    except (OSError, ssl.SSLError) as e:
        raise SystemExit("apiserver.py: %s" % e)
    threading.Thread(target=app.control.serve_forever, daemon=True).start()
    if args.state_file:
        tmp = args.state_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("api_port=%d\ncontrol_port=%d\npid=%d\n" %
                    (app.api_addr[1], app.control.server_address[1],
                     os.getpid()))
        os.rename(tmp, args.state_file)
    log("listening on %s, control on %s" %
        (app.api_addr, app.control.server_address[:2]))
    done = threading.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, lambda *_: done.set())
    while not done.wait(3600):
        pass


if __name__ == "__main__":
    main()
