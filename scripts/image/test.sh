#!/usr/bin/env bash
# End-to-end test of the Custody container image, without a Docker engine:
#   1. build cli/target/custody.jar if it is missing or older than the sources;
#   2. scripts/image/build-jre.sh: the jlinked JRE + glibc rootfs (cached under ~/.cache/custody/image);
#   3. scripts/image/registry.sh: a registry on a free 127.0.0.1 port, stopped by the exit trap;
#   4. jib (mvn -Pimage, FROM scratch) builds the image and pushes it as 127.0.0.1:PORT/custody:test;
#   5. checks the image through the registry's HTTP API: OCI manifest, config (user, entrypoint, port),
#      every layer's digest, size and diff_id;
#   6. proves that it runs: all layers are extracted into a root filesystem that is mounted read-only, with
#      /proc, /dev and a tmpfs /tmp (the emptyDir) mounted as a container runtime would, and the image's own
#      entrypoint and environment are run in it by chroot as 65532:65532: java -version, custody --version,
#      custody check (an admitted and a denied manifest), and custody serve answering over TLS.
# Prints one line per check and ends with "image: N passed, N failed"; exits 1 if any check failed.
# Runs in a private mount namespace (unshare), so no mount it makes can outlive it.
#
# Environment (optional): JAVA_HOME / CUSTODY_JAVA_HOME (a JDK 21+ with jlink), CUSTODY_CACHE,
# CUSTODY_IMAGE_KEEP=1 (keep the work directory), CUSTODY_REGISTRY_IMPL=crane (see registry.sh).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

[[ "$(id -u)" == 0 ]] || { echo "image: must run as root (chroot, mount)" >&2; exit 2; }
if [[ -z "${CUSTODY_IMAGE_NS:-}" ]]; then
  if unshare --mount --propagation private true 2>/dev/null; then
    CUSTODY_IMAGE_NS=1 exec unshare --mount --propagation private bash "${BASH_SOURCE[0]}" "$@"
  fi
  echo "image: unshare --mount is not available; mounts are undone by the exit trap" >&2
fi

source "$ROOT/scripts/lib/java.sh"
JAVA_HOME="$(custody_find_jdk)" || exit 2
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
if [[ "$(custody_jdk_major "$JAVA_HOME")" -ge 24 ]]; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
for tool in mvn curl jq python3 chroot tar sha256sum timeout; do
  command -v "$tool" >/dev/null 2>&1 || { echo "image: '$tool' is needed" >&2; exit 2; }
done
CHROOT="$(command -v chroot)"

T_START=$SECONDS
WORK="$(mktemp -d /tmp/custody-image.XXXXXX)"
R="$WORK/rootfs"
PASS=0
FAIL=0
SERVE_PID=""

ok()   { PASS=$((PASS + 1)); printf 'ok    %s\n' "$*"; }
bad()  { FAIL=$((FAIL + 1)); printf 'FAIL  %s\n' "$*"; }
check() { local what="$1"; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi; }
step() { printf '== %s (%ds)\n' "$*" "$((SECONDS - T_START))"; }
finish() {
  printf 'image: %d passed, %d failed\n' "$PASS" "$FAIL"
  [[ "$FAIL" == 0 ]]
  exit $?
}

cleanup() {
  if [[ -n "$SERVE_PID" ]] && kill -0 "$SERVE_PID" 2>/dev/null; then kill -9 "$SERVE_PID" 2>/dev/null; fi
  bash "$HERE/registry.sh" stop "$WORK/registry" >/dev/null 2>&1
  local m
  for m in tmp dev proc ""; do
    mountpoint -q "$R/$m" 2>/dev/null && { umount "$R/$m" 2>/dev/null || umount -l "$R/$m" 2>/dev/null; }
  done
  if grep -q " $WORK" /proc/mounts; then
    echo "image: something is still mounted under $WORK; leaving it in place" >&2
  elif [[ "${CUSTODY_IMAGE_KEEP:-0}" == 1 ]]; then
    echo "image: kept $WORK" >&2
  else
    rm -rf --one-file-system "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

run_logged() {  # run_logged LOG cmd...: run quietly, show the log's tail when it fails
  local log="$1"; shift
  if ! nice -n 10 "$@" >"$log" 2>&1; then
    tail -40 "$log" | sed 's/^/    /'
    return 1
  fi
}

# ---------------------------------------------------------------- 1. the jar
JAR="$ROOT/cli/target/custody.jar"
step "jar"
if [[ ! -f "$JAR" ]] || [[ -n "$(find "$ROOT/pom.xml" "$ROOT"/{core,server,cli}/pom.xml "$ROOT"/{core,server,cli}/src/main \
      -newer "$JAR" -type f -print -quit 2>/dev/null)" ]]; then
  echo "building $JAR"
  (cd "$ROOT" && run_logged "$WORK/jar.log" mvn -q -B -DskipTests package -pl cli -am) || { bad "mvn package builds the jar"; finish; }
fi
check "the shaded jar exists" test -s "$JAR"

# ---------------------------------------------------------------- 2. the runtime rootfs
step "runtime rootfs (build-jre.sh)"
RUNTIME="$(bash "$HERE/build-jre.sh" --jar "$JAR" 2>"$WORK/jre.log")" || { sed 's/^/    /' "$WORK/jre.log"; bad "build-jre.sh"; finish; }
sed 's/^/    /' "$WORK/jre.log"
check "runtime rootfs has /opt/java/bin/java and the loader" test -x "$RUNTIME/opt/java/bin/java" -a -f "$RUNTIME/lib64/ld-linux-x86-64.so.2"

# ---------------------------------------------------------------- 3. the registry
step "registry"
REG="$(bash "$HERE/registry.sh" start "$WORK/registry")" || { bad "registry starts"; finish; }
ok "registry answers on $REG"
IMAGE="$REG/custody:test"

# ---------------------------------------------------------------- 4. jib
# The profile binds jib:build to package, so this one reactor command works on a fresh checkout (the sibling
# modules need not be installed); the jar is re-shaded, which takes a few seconds.
step "jib: build and push $IMAGE"
T_JIB=$SECONDS
if (cd "$ROOT" && run_logged "$WORK/jib.log" mvn -B -Pimage -pl cli -am -DskipTests package \
      -Dimage="$IMAGE" -Djib.allowInsecureRegistries=true -Dcustody.image.rootfs="$RUNTIME"); then
  ok "mvn -Pimage (jib, FROM scratch) pushed $IMAGE in $((SECONDS - T_JIB))s"
else
  bad "mvn -Pimage (jib) pushed $IMAGE"; finish
fi

# ---------------------------------------------------------------- 5. the registry's view
step "image in the registry"
OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
curl -fsS -D "$WORK/manifest.headers" -H "Accept: $OCI_MANIFEST" -o "$WORK/manifest.json" \
  "http://$REG/v2/custody/manifests/test" || { bad "GET /v2/custody/manifests/test"; finish; }
ok "GET /v2/custody/manifests/test"
check "manifest is an OCI image manifest" \
  test "$(jq -r .mediaType "$WORK/manifest.json")" == "$OCI_MANIFEST"
check "registry serves it as $OCI_MANIFEST" grep -qi "^content-type: *$OCI_MANIFEST" "$WORK/manifest.headers"
CONFIG_DIGEST="$(jq -r .config.digest "$WORK/manifest.json")"
curl -fsS -o "$WORK/config.json" "http://$REG/v2/custody/blobs/$CONFIG_DIGEST" || { bad "GET config blob"; finish; }
check "config blob matches its digest" test "sha256:$(sha256sum < "$WORK/config.json" | cut -d' ' -f1)" == "$CONFIG_DIGEST"
check "config media type is OCI" test "$(jq -r .config.mediaType "$WORK/manifest.json")" == application/vnd.oci.image.config.v1+json
check "config: linux/amd64" test "$(jq -r '.os + "/" + .architecture' "$WORK/config.json")" == linux/amd64
check "config: user is 65532:65532" test "$(jq -r .config.User "$WORK/config.json")" == 65532:65532
check "config: entrypoint is /opt/java/bin/java ... -jar /app/custody.jar" \
  test "$(jq -r '.config.Entrypoint | (.[0] + " " + .[-2] + " " + .[-1])' "$WORK/config.json")" == "/opt/java/bin/java -jar /app/custody.jar"
check "config: exposes 8443/tcp" jq -e '.config.ExposedPorts | has("8443/tcp")' "$WORK/config.json"
check "config: org.opencontainers.image labels" jq -e '.config.Labels["org.opencontainers.image.title"] == "custody"' "$WORK/config.json"
mapfile -t ENTRY < <(jq -r '.config.Entrypoint[]' "$WORK/config.json")
mapfile -t ENVS < <(jq -r '.config.Env[]?' "$WORK/config.json")
USERSPEC="$(jq -r .config.User "$WORK/config.json")"

mapfile -t LAYERS < <(jq -r '.layers[].digest' "$WORK/manifest.json")
mapfile -t DIFF_IDS < <(jq -r '.rootfs.diff_ids[]' "$WORK/config.json")
check "manifest has ${#LAYERS[@]} layers and config as many diff_ids" test "${#LAYERS[@]}" -gt 0 -a "${#LAYERS[@]}" == "${#DIFF_IDS[@]}"
mkdir -p "$R"
TOTAL=0
layer_ok=1
for i in "${!LAYERS[@]}"; do
  d="${LAYERS[$i]}"
  f="$WORK/layer-$i.tar.gz"
  curl -fsS -o "$f" "http://$REG/v2/custody/blobs/$d" || { layer_ok=0; echo "    cannot fetch $d"; continue; }
  size="$(stat -c %s "$f")"
  TOTAL=$((TOTAL + size))
  [[ "sha256:$(sha256sum < "$f" | cut -d' ' -f1)" == "$d" ]] || { layer_ok=0; echo "    layer $i: digest mismatch"; }
  [[ "$size" == "$(jq -r ".layers[$i].size" "$WORK/manifest.json")" ]] || { layer_ok=0; echo "    layer $i: size mismatch"; }
  [[ "sha256:$(gzip -dc "$f" | sha256sum | cut -d' ' -f1)" == "${DIFF_IDS[$i]:-}" ]] || { layer_ok=0; echo "    layer $i: diff_id mismatch"; }
  # As a runtime would: in order, owners and modes as stored (we are root).
  tar -xzf "$f" -C "$R" --same-owner --same-permissions --warning=no-unknown-keyword || { layer_ok=0; echo "    layer $i: cannot extract"; }
  printf '    layer %d: %s  %s bytes  %s\n' "$i" "${d:7:12}" "$size" "$(jq -r ".history[$i].comment // \"\"" "$WORK/config.json")"
done
check "all layers fetched; digests, sizes and diff_ids match" test "$layer_ok" == 1
printf '    image: %d layers, %s MiB compressed, %s MiB on disk\n' "${#LAYERS[@]}" \
  "$(awk "BEGIN{printf \"%.1f\", $TOTAL/1048576}")" "$(du -sm "$R" | cut -f1)"

# ---------------------------------------------------------------- 6. it runs
step "run the image (chroot as $USERSPEC, read-only root, tmpfs /tmp)"
check "no shell in the image" test ! -e "$R/bin/sh"
check "no setuid/setgid files" test -z "$(find "$R" -perm /6000 -type f -print -quit)"
check "/etc/passwd has nonroot 65532" grep -q '^nonroot:x:65532:65532:' "$R/etc/passwd"
# What a container runtime provides: /proc (the loader needs /proc/self/exe for $ORIGIN), /dev, an emptyDir /tmp.
mkdir -p "$R/proc" "$R/dev" "$R/tmp"
mounted=1
mount --bind "$R" "$R" && mount -o remount,bind,ro "$R" \
  && mount --bind /proc "$R/proc" && mount --bind /dev "$R/dev" \
  && mount -t tmpfs -o mode=1777,size=256m tmpfs "$R/tmp" || mounted=0
check "rootfs mounted read-only, with /proc, /dev and a tmpfs /tmp" test "$mounted" == 1
if [[ "$mounted" == 1 ]]; then
  check "the root filesystem is read-only" bash -c "! touch '$R/probe' 2>/dev/null"
fi

# run_in TIMEOUT ARGS...: the image's entrypoint with ARGS, its environment only, as its user
run_in() {
  local t="$1"; shift
  timeout "$t" env -i "${ENVS[@]}" "$CHROOT" --userspec="$USERSPEC" "$R" "${ENTRY[@]}" "$@"
}

mkdir -p "$R/tmp/in"
cat > "$R/tmp/in/policy.yaml" <<'EOF'
apiVersion: custody.dev/v1alpha1
kind: Policy
metadata:
  name: no-latest
spec:
  tier: dev
  images:
    denyTags:
      tags: [latest]
EOF
cat > "$R/tmp/in/admitted.yaml" <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default}
spec:
  serviceAccountName: web
  automountServiceAccountToken: false
  containers:
    - name: web
      image: localhost/web:1.2.3@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
EOF
sed -e 's#image: .*#image: localhost/web:latest#' \
  "$R/tmp/in/admitted.yaml" > "$R/tmp/in/denied.yaml"
chmod -R a+rX "$R/tmp/in"

out="$(timeout 60 env -i "$CHROOT" --userspec="$USERSPEC" "$R" /opt/java/bin/java -version 2>&1)"; rc=$?
printf '%s\n' "$out" | head -3 | sed 's/^/    /'
check "java -version as $USERSPEC exits 0" test "$rc" == 0

out="$(run_in 60 --version 2>&1)"; rc=$?
printf '%s\n' "$out" | sed 's/^/    /'
check "custody --version exits 0" test "$rc" == 0
check "custody --version names the build version" grep -q '^custody [0-9]' <<<"$out"

out="$(run_in 60 check --policy /tmp/in/policy.yaml /tmp/in/admitted.yaml 2>&1)"; rc=$?
printf '%s\n' "$out" | sed '/^$/d; s/^/    /'
check "custody check: admitted manifest exits 0" test "$rc" == 0
check "custody check: reports ADMITTED" grep -q '^ADMITTED' <<<"$out"

out="$(run_in 60 check --policy /tmp/in/policy.yaml /tmp/in/denied.yaml 2>&1)"; rc=$?
printf '%s\n' "$out" | sed '/^$/d; s/^/    /'
check "custody check: denied manifest exits 1" test "$rc" == 1
check "custody check: reports TAG_DENIED" grep -q 'TAG_DENIED' <<<"$out"

out="$(run_in 60 check --policy /tmp/in/missing.yaml /tmp/in/admitted.yaml 2>&1)"; rc=$?
check "custody check: missing policy exits 2" test "$rc" == 2

# serve: TLS (self-signed, written to /tmp), health, and a real AdmissionReview each way.
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
run_in 120 serve --policy /tmp/in/policy.yaml --self-signed --tls-dir /tmp/tls --host 127.0.0.1 --port "$PORT" \
  --shutdown-grace 1s > "$WORK/serve.log" 2>&1 &
SERVE_PID=$!
up=0
for _ in $(seq 1 300); do
  if [[ -f "$R/tmp/tls/ca.crt" ]] && curl -fsS --cacert "$R/tmp/tls/ca.crt" -o /dev/null "https://127.0.0.1:$PORT/healthz" 2>/dev/null; then
    up=1; break
  fi
  kill -0 "$SERVE_PID" 2>/dev/null || break
  sleep 0.1
done
check "custody serve answers /healthz over TLS (CA it minted, as $USERSPEC)" test "$up" == 1
if [[ "$up" == 1 ]]; then
  check "custody serve /readyz" curl -fsS --cacert "$R/tmp/tls/ca.crt" -o /dev/null "https://127.0.0.1:$PORT/readyz"
  review() {
    printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"%s","kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"default","operation":"CREATE","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default"},"spec":{"serviceAccountName":"web","automountServiceAccountToken":false,"containers":[{"name":"web","image":"%s"}]}}}}' "$1" "$2" \
      | curl -fsS --cacert "$R/tmp/tls/ca.crt" -H 'Content-Type: application/json' --data-binary @- \
          "https://127.0.0.1:$PORT/validate"
  }
  a="$(review u-ok 'localhost/web:1.2.3@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef')"
  check "POST /validate: pinned image is allowed" jq -e '.response.uid == "u-ok" and .response.allowed == true' <<<"$a"
  d="$(review u-latest 'localhost/web:latest')"
  check "POST /validate: :latest is denied" jq -e '.response.uid == "u-latest" and .response.allowed == false' <<<"$d"
fi
kill -TERM "$SERVE_PID" 2>/dev/null
wait "$SERVE_PID"; rc=$?
SERVE_PID=""
check "custody serve stops on SIGTERM (exit $rc)" test "$rc" == 0 -o "$rc" == 143
if [[ "$FAIL" != 0 ]]; then sed 's/^/    serve: /' "$WORK/serve.log" | tail -20; fi

step "done"
finish
