#!/usr/bin/env bash
# Start a minimal Kubernetes control plane (etcd + kube-apiserver, nothing
# else) on 127.0.0.1 for end-to-end admission-webhook tests.
#
#   scripts/kube/start.sh DIR
#
# Writes into DIR:
#   pki/            CA, apiserver serving cert (SAN 127.0.0.1, localhost),
#                   service-account key pair, admin client cert (O=system:masters)
#   kubeconfig      admin kubeconfig (certs embedded)
#   env             shell-sourceable KUBECONFIG / CUSTODY_KUBE_* variables
#   pids            "name pid" per line (etcd, kube-apiserver); stop.sh reads it
#   etcd-data/, etcd.log, kube-apiserver.log
#
# No scheduler, controller-manager or kubelet: objects are only stored. So
#  - the ServiceAccount admission plugin is disabled (no controller creates
#    the 'default' ServiceAccount, and Pods would be rejected without it);
#  - namespace deletion stays in Terminating (no namespace controller).
# ValidatingAdmissionWebhook / MutatingAdmissionWebhook are on (defaults).
#
# Environment knobs (optional):
#   CUSTODY_CACHE                 binaries from $CUSTODY_CACHE/bin (default ~/.cache/custody)
#   CUSTODY_KUBE_START_TIMEOUT    seconds to wait for /readyz (default 60)
#   CUSTODY_KUBE_AUTHZ            --authorization-mode (default RBAC)
#   CUSTODY_APISERVER_EXTRA_ARGS  extra kube-apiserver flags (word-split)
#   CUSTODY_KUBE_SKIP_BUILD       1 = don't call build.sh, just use the binaries
set -euo pipefail

log() { printf '[custody/kube/start] %s\n' "$*" >&2; }
die() { printf '[custody/kube/start] ERROR: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 1 && -n "$1" ]] || die "usage: $0 DIR"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${CUSTODY_CACHE:-$HOME/.cache/custody}"
BIN="$CACHE/bin"
TIMEOUT="${CUSTODY_KUBE_START_TIMEOUT:-60}"
AUTHZ="${CUSTODY_KUBE_AUTHZ:-RBAC}"

mkdir -p "$1"
DIR="$(cd "$1" && pwd)"
PKI="$DIR/pki"

command -v openssl >/dev/null 2>&1 || die "openssl not found (apt-get install openssl)"

if [[ "${CUSTODY_KUBE_SKIP_BUILD:-0}" != 1 ]]; then
  "$HERE/build.sh" || die "build.sh failed"
fi
for b in etcd kube-apiserver kubectl; do
  [[ -x "$BIN/$b" ]] || die "$BIN/$b missing: run $HERE/build.sh"
done

# refuse to start twice into the same DIR
if [[ -f "$DIR/pids" ]]; then
  while read -r name pid; do
    st="$(awk '{print $3}' "/proc/${pid:-x}/stat" 2>/dev/null || true)"
    if [[ -n "$st" && "$st" != Z ]]; then
      die "$name (pid $pid) from $DIR/pids is still running: run $HERE/stop.sh $DIR first"
    fi
  done < "$DIR/pids"
  rm -f "$DIR/pids"
fi

# ---------------------------------------------------------------- ports
# Ask the kernel for free loopback ports (bind to port 0), all at once so
# they differ; small race until etcd/apiserver bind them, good enough for tests.
free_ports() {
  local n=$1
  if command -v python3 >/dev/null 2>&1; then
    python3 - "$n" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
  else
    # fallback: random high ports that nothing answers on
    local ports=() p
    while [[ ${#ports[@]} -lt $n ]]; do
      p=$(( 20000 + RANDOM % 40000 ))
      if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && [[ " ${ports[*]} " != *" $p "* ]]; then
        ports+=("$p")
      fi
    done
    echo "${ports[*]}"
  fi
}
read -r ETCD_CLIENT_PORT ETCD_PEER_PORT API_PORT < <(free_ports 3)
log "ports: etcd client $ETCD_CLIENT_PORT, etcd peer $ETCD_PEER_PORT, kube-apiserver $API_PORT"

# ---------------------------------------------------------------- PKI
mkdir -p "$PKI"
(
  cd "$PKI"
  umask 077
  exec 3>openssl.log
  # CA
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -keyout ca.key -out ca.crt -subj "/CN=custody-test-ca" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>&3
  # apiserver serving cert
  openssl req -newkey rsa:2048 -nodes -sha256 -keyout apiserver.key -out apiserver.csr \
    -subj "/CN=kube-apiserver" 2>&3
  cat > apiserver.ext <<'EOF'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
EOF
  openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
    -days 3650 -sha256 -extfile apiserver.ext -out apiserver.crt 2>&3
  # service-account signing key pair
  openssl genrsa -out sa.key 2048 2>&3
  openssl rsa -in sa.key -pubout -out sa.pub 2>&3
  # admin client cert
  openssl req -newkey rsa:2048 -nodes -sha256 -keyout admin.key -out admin.csr \
    -subj "/O=system:masters/CN=custody-admin" 2>&3
  cat > admin.ext <<'EOF'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth
EOF
  openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
    -days 3650 -sha256 -extfile admin.ext -out admin.crt 2>&3
  rm -f ./*.csr
) || die "openssl failed, see $PKI/openssl.log"
log "PKI written to $PKI"

b64() { base64 < "$1" | tr -d '\n'; }
SERVER="https://127.0.0.1:$API_PORT"
umask 077
cat > "$DIR/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: custody
  cluster:
    server: $SERVER
    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: custody-admin
  user:
    client-certificate-data: $(b64 "$PKI/admin.crt")
    client-key-data: $(b64 "$PKI/admin.key")
contexts:
- name: custody
  context:
    cluster: custody
    user: custody-admin
current-context: custody
EOF
umask 022

# ---------------------------------------------------------------- start
# Loopback webhooks must never go through a proxy.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
export no_proxy="$NO_PROXY"

PIDS_TMP="$DIR/pids.tmp"; : > "$PIDS_TMP"
cleanup_on_fail() {
  local rc=$?
  if [[ $rc -ne 0 ]]; then
    log "start failed (rc $rc); stopping what was started"
    while read -r _ pid; do kill "$pid" 2>/dev/null || true; done < <(tac "$PIDS_TMP")
    sleep 1; rm -f "$PIDS_TMP"
    for f in etcd.log kube-apiserver.log; do
      [[ -f "$DIR/$f" ]] && { log "---- last lines of $DIR/$f"; tail -n 25 "$DIR/$f" >&2; }
    done
  fi
}
trap cleanup_on_fail EXIT

mkdir -p "$DIR/etcd-data"
ETCD_URL="http://127.0.0.1:$ETCD_CLIENT_PORT"
PEER_URL="http://127.0.0.1:$ETCD_PEER_PORT"
setsid "$BIN/etcd" \
  --name custody \
  --data-dir "$DIR/etcd-data" \
  --listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
  --listen-peer-urls "$PEER_URL" --initial-advertise-peer-urls "$PEER_URL" \
  --initial-cluster "custody=$PEER_URL" --initial-cluster-state new \
  --unsafe-no-fsync \
  --log-level warn \
  </dev/null >"$DIR/etcd.log" 2>&1 &
ETCD_PID=$!
echo "etcd $ETCD_PID" >> "$PIDS_TMP"
log "etcd pid $ETCD_PID on $ETCD_URL"

deadline=$((SECONDS + TIMEOUT))
until (exec 3<>"/dev/tcp/127.0.0.1/$ETCD_CLIENT_PORT") 2>/dev/null; do
  kill -0 "$ETCD_PID" 2>/dev/null || die "etcd exited, see $DIR/etcd.log"
  (( SECONDS < deadline )) || die "etcd did not listen on $ETCD_CLIENT_PORT within ${TIMEOUT}s"
  sleep 0.2
done

# shellcheck disable=SC2206
EXTRA=(${CUSTODY_APISERVER_EXTRA_ARGS:-})
setsid "$BIN/kube-apiserver" \
  --bind-address=127.0.0.1 \
  --advertise-address=127.0.0.1 \
  --secure-port="$API_PORT" \
  --etcd-servers="$ETCD_URL" \
  --cert-dir="$PKI" \
  --tls-cert-file="$PKI/apiserver.crt" \
  --tls-private-key-file="$PKI/apiserver.key" \
  --client-ca-file="$PKI/ca.crt" \
  --service-account-issuer="https://kubernetes.default.svc.cluster.local" \
  --service-account-key-file="$PKI/sa.pub" \
  --service-account-signing-key-file="$PKI/sa.key" \
  --service-cluster-ip-range=10.96.0.0/24 \
  --authorization-mode="$AUTHZ" \
  --enable-admission-plugins=ValidatingAdmissionWebhook,MutatingAdmissionWebhook \
  --disable-admission-plugins=ServiceAccount \
  --allow-privileged=true \
  --profiling=false \
  --v=1 \
  "${EXTRA[@]}" \
  </dev/null >"$DIR/kube-apiserver.log" 2>&1 &
API_PID=$!
echo "kube-apiserver $API_PID" >> "$PIDS_TMP"
log "kube-apiserver pid $API_PID on $SERVER"

log "waiting up to ${TIMEOUT}s for /readyz"
until out="$("$BIN/kubectl" --kubeconfig "$DIR/kubeconfig" --request-timeout=5s get --raw /readyz 2>&1)" && [[ "$out" == ok ]]; do
  kill -0 "$ETCD_PID" 2>/dev/null || die "etcd exited, see $DIR/etcd.log"
  kill -0 "$API_PID" 2>/dev/null || die "kube-apiserver exited, see $DIR/kube-apiserver.log"
  (( SECONDS < deadline )) || die "kube-apiserver not ready within ${TIMEOUT}s (last answer: ${out:0:300})"
  sleep 0.5
done

mv "$PIDS_TMP" "$DIR/pids"
cat > "$DIR/env" <<EOF
# source me: control plane started by scripts/kube/start.sh
export KUBECONFIG='$DIR/kubeconfig'
export CUSTODY_KUBE_BIN='$BIN'
export CUSTODY_KUBE_SERVER='$SERVER'
export CUSTODY_KUBE_CA='$PKI/ca.crt'
export CUSTODY_KUBE_ETCD='$ETCD_URL'
export CUSTODY_KUBE_DIR='$DIR'
EOF
trap - EXIT
log "ready after ${SECONDS}s: $SERVER  (KUBECONFIG=$DIR/kubeconfig; source $DIR/env)"
