#!/usr/bin/env bash
# End-to-end proof of scripts/kube/{build,start,stop}.sh:
#   build (or reuse) the binaries, start the control plane in DIR (default: a
#   temp dir), create a namespace and a Pod, register a
#   ValidatingWebhookConfiguration with clientConfig.url=https://127.0.0.1:PORT/validate
#   plus caBundle, and check that the apiserver really calls that webhook
#   (a tiny python3 HTTPS webhook that denies Pods labelled custody-smoke=deny).
#   Stops everything at the end.
#
#   scripts/kube/smoke.sh [DIR]
# shellcheck disable=SC2015  # ok/bad always return 0
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR="${1:-$(mktemp -d /tmp/custody-kube-smoke.XXXXXX)}"
mkdir -p "$DIR"; DIR="$(cd "$DIR" && pwd)"

PASS=0; FAIL=0
ok()   { PASS=$((PASS + 1)); printf 'ok    %s\n' "$*"; }
bad()  { FAIL=$((FAIL + 1)); printf 'FAIL  %s\n' "$*"; }

WEBHOOK_PID=""
cleanup() {
  [[ -n "$WEBHOOK_PID" ]] && kill "$WEBHOOK_PID" 2>/dev/null || true
  "$HERE/stop.sh" "$DIR" || true
}
trap cleanup EXIT

nice -n 19 "$HERE/build.sh"
"$HERE/start.sh" "$DIR"
# shellcheck disable=SC1091
source "$DIR/env"
K=("$CUSTODY_KUBE_BIN/kubectl" --kubeconfig "$KUBECONFIG")

[[ "$("${K[@]}" get --raw /readyz)" == ok ]] && ok "/readyz is ok" || bad "/readyz"
"${K[@]}" version >/dev/null && ok "kubectl version (client+server)" || bad "kubectl version"

"${K[@]}" create namespace t1 && ok "create namespace t1" || bad "create namespace t1"

pod() { # name [label-value]
  cat <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $1
  namespace: t1
  labels: {custody-smoke: "${2:-allow}"}
spec:
  containers:
  - name: app
    image: registry.invalid/app@sha256:0000000000000000000000000000000000000000000000000000000000000000
EOF
}
pod p1 | "${K[@]}" apply -f - && ok "apply Pod t1/p1 (stored, no scheduler)" || bad "apply Pod t1/p1"
[[ "$("${K[@]}" -n t1 get pod p1 -o jsonpath='{.status.phase}')" == Pending ]] \
  && ok "Pod t1/p1 stored, phase Pending" || bad "Pod t1/p1 not found/Pending"

# ---------------------------------------------------------------- webhook
WH="$DIR/webhook"; mkdir -p "$WH"
WH_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
openssl req -newkey rsa:2048 -nodes -keyout "$WH/tls.key" -out "$WH/tls.csr" -subj "/CN=custody-smoke-webhook" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$WH/ext"
openssl x509 -req -in "$WH/tls.csr" -CA "$DIR/pki/ca.crt" -CAkey "$DIR/pki/ca.key" -CAcreateserial \
  -days 1 -sha256 -extfile "$WH/ext" -out "$WH/tls.crt" 2>/dev/null
cat > "$WH/webhook.py" <<'PY'
import http.server, json, ssl, sys
port, cert, key, logf = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        review = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        req = review["request"]
        labels = (req.get("object") or {}).get("metadata", {}).get("labels") or {}
        deny = labels.get("custody-smoke") == "deny"
        with open(logf, "a") as f:
            f.write("%s %s %s/%s -> %s\n" % (self.path, req["operation"], req.get("namespace"), req.get("name"), "deny" if deny else "allow"))
        resp = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                "response": {"uid": req["uid"], "allowed": not deny}}
        if deny:
            resp["response"]["status"] = {"code": 403, "message": "custody-smoke: denied by test webhook"}
        body = json.dumps(resp).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
srv = http.server.HTTPServer(("127.0.0.1", port), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PY
: > "$WH/calls.log"
python3 "$WH/webhook.py" "$WH_PORT" "$WH/tls.crt" "$WH/tls.key" "$WH/calls.log" >"$WH/webhook.out" 2>&1 &
WEBHOOK_PID=$!
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$WH_PORT") 2>/dev/null && break; sleep 0.1; done

"${K[@]}" label namespace t1 custody-smoke=on >/dev/null
cat > "$WH/vwc.yaml" <<EOF
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: custody-smoke
webhooks:
- name: smoke.custody.test
  clientConfig:
    url: https://127.0.0.1:$WH_PORT/validate
    caBundle: $(base64 < "$DIR/pki/ca.crt" | tr -d '\n')
  rules:
  - apiGroups: [""]
    apiVersions: ["v1"]
    operations: ["CREATE", "UPDATE"]
    resources: ["pods"]
  namespaceSelector:
    matchLabels: {custody-smoke: "on"}
  failurePolicy: Fail
  sideEffects: None
  admissionReviewVersions: ["v1"]
  timeoutSeconds: 5
EOF
"${K[@]}" apply -f "$WH/vwc.yaml" && ok "ValidatingWebhookConfiguration with url https://127.0.0.1:$WH_PORT/validate accepted" \
  || bad "ValidatingWebhookConfiguration rejected"
[[ "$("${K[@]}" get validatingwebhookconfiguration custody-smoke -o jsonpath='{.webhooks[0].clientConfig.url}')" == "https://127.0.0.1:$WH_PORT/validate" ]] \
  && ok "stored clientConfig.url round-trips" || bad "stored clientConfig.url differs"

# the webhook configuration takes effect asynchronously; retry the allowed Pod briefly
allowed=0
for _ in $(seq 1 20); do
  "${K[@]}" -n t1 delete pod p2 --ignore-not-found --wait=false >/dev/null 2>&1 || true
  pod p2 allow | "${K[@]}" apply -f - >/dev/null 2>&1 || true
  grep -q 't1/p2 -> allow' "$WH/calls.log" && { allowed=1; break; }
  sleep 0.5
done
[[ $allowed == 1 ]] && ok "apiserver called https://127.0.0.1:$WH_PORT/validate for Pod t1/p2 (allowed)" \
  || bad "webhook never called for t1/p2 (calls: $(cat "$WH/calls.log"))"

if out="$(pod p3 deny | "${K[@]}" apply -f - 2>&1)"; then
  bad "Pod t1/p3 labelled deny was admitted: $out"
else
  [[ "$out" == *"custody-smoke: denied by test webhook"* ]] \
    && ok "Pod t1/p3 denied by the webhook: ${out##*: }" || bad "unexpected error for t1/p3: $out"
fi
"${K[@]}" -n t1 get pod p3 >/dev/null 2>&1 && bad "denied Pod t1/p3 was stored" || ok "denied Pod t1/p3 not stored"
echo "webhook calls:"; sed 's/^/  /' "$WH/calls.log"

echo "control plane dir: $DIR"
echo "smoke: $PASS passed, $FAIL failed"
[[ $FAIL -eq 0 ]]
