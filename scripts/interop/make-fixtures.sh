#!/usr/bin/env bash
# Make signed-image fixtures with the real cosign, in a registry on loopback, for Custody's interop tests.
#
#   make-fixtures.sh REGISTRY OUTDIR
#
# REGISTRY is host:port of a plain-HTTP registry on the loopback interface (for example what
# `scripts/image/registry.sh start DIR` prints). OUTDIR receives the keys, the certificates, the logs of every
# cosign verification and OUTDIR/fixtures.json, which describes it all for the Java tests. See README.md here.
#
# Only crane and cosign touch the registry, and cosign works offline: --tlog-upload=false (no Rekor), keys and a
# home-made certificate chain standing in for Fulcio (openssl), no TUF (see SIGSTORE_ROOT_FILE below).
#
# Environment knobs (all optional):
#   CUSTODY_CACHE         cache dir (default ~/.cache/custody)
#   CUSTODY_COSIGN        cosign binary (default $CACHE/bin/cosign, from scripts/tools/build-cosign.sh)
#   CUSTODY_CRANE         crane binary  (default $CACHE/bin/crane,  also from build-cosign.sh)
#   CUSTODY_FIXTURE_REPO  repository in the registry (default custody/app)
#
# Exit status: 0 when every case got the verdict it expects from `cosign verify`/`verify-attestation`,
# 1 otherwise (the table on stdout says which), 2 on a usage error.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

CACHE="${CUSTODY_CACHE:-$HOME/.cache/custody}"
COSIGN="${CUSTODY_COSIGN:-$CACHE/bin/cosign}"
CRANE="${CUSTODY_CRANE:-$CACHE/bin/crane}"
REPO="${CUSTODY_FIXTURE_REPO:-custody/app}"
# The password of every encrypted cosign private key made here (recorded in fixtures.json: these are test keys).
PASSWORD="custody-fixtures"
ISSUER="https://issuer.example"                       # the OIDC issuer named in every fixture certificate
SIGNER="signer@custody.example"                       # the identity (email SAN) of the trusted leaf
OTHER_ID="https://ci.other.example/workflows/release.yml@refs/heads/main"   # URI SAN of the other leaf
WRONG_ISSUER="https://other-issuer.example"

log() { printf '[custody/interop/fixtures] %s\n' "$*" >&2; }
die() { printf '[custody/interop/fixtures] ERROR: %s\n' "$*" >&2; exit "${2:-1}"; }

[[ $# -eq 2 ]] || die "usage: make-fixtures.sh REGISTRY(host:port) OUTDIR" 2
REG="$1"
[[ "$REG" =~ ^(127\.[0-9]+\.[0-9]+\.[0-9]+|localhost|\[::1\]):[0-9]+$ ]] \
  || die "REGISTRY must be a loopback host:port (127.x.x.x, localhost or [::1]), got '$REG'" 2
[[ "$REPO" =~ ^[a-z0-9]+([._/-][a-z0-9]+)*$ ]] || die "CUSTODY_FIXTURE_REPO is not a repository name: '$REPO'" 2
mkdir -p "$2"
OUT="$(cd "$2" && pwd)"

[[ -x "$COSIGN" ]] || die "no cosign at $COSIGN (run scripts/tools/build-cosign.sh or set CUSTODY_COSIGN)"
[[ -x "$CRANE" ]] || die "no crane at $CRANE (run scripts/tools/build-cosign.sh or set CUSTODY_CRANE)"
command -v openssl >/dev/null 2>&1 || die "openssl not found on PATH"
COSIGN_VER="$("$COSIGN" version --json 2>/dev/null | sed -n 's/.*"gitVersion":[[:space:]]*"\([^"]*\)".*/\1/p' | head -1)"
CRANE_VER="$("$CRANE" version 2>/dev/null || true)"
OPENSSL_VER="$(openssl version)"
[[ "$COSIGN_VER" == v2.* ]] \
  || log "WARNING: cosign reports version '$COSIGN_VER'; these fixtures expect v2 (the .sig/.att tag scheme)"

# ---------------------------------------------------------------- environment
# Everything cosign might read or write stays in OUTDIR. SIGSTORE_ROOT_FILE points at the fixture root CA: any
# value there keeps `cosign verify --key` from fetching the public-good trusted root over TUF (which it tries
# even for key verification); certificate cases pass --certificate-chain, which takes precedence anyway.
export COSIGN_PASSWORD="$PASSWORD" COSIGN_YES=true
export TUF_ROOT="$OUT/work/tuf" SIGSTORE_ROOT_FILE="$OUT/pki/root.pem"
export DOCKER_CONFIG="$OUT/work/docker"            # anonymous registry access, no user credentials read
unset COSIGN_EXPERIMENTAL COSIGN_REPOSITORY SIGSTORE_REKOR_PUBLIC_KEY SIGSTORE_CT_LOG_PUBLIC_KEY_FILE 2>/dev/null || true
REGFLAGS=(--allow-http-registry=true --allow-insecure-registry=true)
CR=("$CRANE" --insecure)

rm -rf "$OUT/keys" "$OUT/pki" "$OUT/work" "$OUT/logs" "$OUT/fixtures.json" "$OUT/predicate-slsa-v0.2.json"
mkdir -p "$OUT/keys" "$OUT/pki" "$OUT/work/docker" "$OUT/work/layers" "$OUT/work/ca" "$OUT/logs"
cd "$OUT"
log "cosign $COSIGN_VER, crane $CRANE_VER, $OPENSSL_VER; registry $REG, repository $REPO, out $OUT"
T0=$SECONDS

"${CR[@]}" catalog "$REG" >/dev/null 2>&1 || curl -fsS -o /dev/null "http://$REG/v2/" 2>/dev/null \
  || die "no registry answers at http://$REG/v2/"

# ---------------------------------------------------------------- a) images
# One small single-layer image per case, from scratch, with OCI media types; their content is fixed, so their
# digests are the same on every run. Each case gets its own image so that its .sig holds only what it says.
IMAGES=(v1 v2 wrong-key digest-mismatch bad-signature expired-cert other-identity rogue-ca unsigned stale-scan bundled)
declare -A DIGEST
for name in "${IMAGES[@]}"; do
  d="$OUT/work/layers/$name"
  mkdir -p "$d/custody"
  printf 'custody interop fixture image "%s"\n' "$name" > "$d/custody/fixture.txt"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$d" -cf "$d.tar" custody
  "${CR[@]}" append --oci-empty-base -f "$d.tar" -t "$REG/$REPO:$name" >"$OUT/logs/push-$name.log" 2>&1 \
    || { cat "$OUT/logs/push-$name.log" >&2; die "crane append of $REPO:$name failed"; }
  DIGEST[$name]="$("${CR[@]}" digest "$REG/$REPO:$name")"
  [[ "${DIGEST[$name]}" =~ ^sha256:[0-9a-f]{64}$ ]] || die "bad digest for $REPO:$name: '${DIGEST[$name]}'"
done
ref()     { printf '%s/%s@%s' "$REG" "$REPO" "${DIGEST[$1]}"; }
sigtag()  { printf 'sha256-%s.sig' "${DIGEST[$1]#sha256:}"; }
atttag()  { printf 'sha256-%s.att' "${DIGEST[$1]#sha256:}"; }
log "pushed ${#IMAGES[@]} images: $(for n in "${IMAGES[@]}"; do printf '%s=%s ' "$n" "${DIGEST[$n]:7:12}"; done)"

# The same registry and repository may hold signatures from an earlier run (made with other keys): cosign
# would add to them, so drop them first (the registry must allow deletes; scripts/image/registry.sh's does).
# By digest (distribution removes the tags with it); then by tag, for registries that keep tags apart (crane's
# keeps the tag of a copied .sig after its digest went with the original's).
for name in "${IMAGES[@]}"; do
  for tag in "$(sigtag "$name")" "$(atttag "$name")"; do
    if old="$("${CR[@]}" digest "$REG/$REPO:$tag" 2>/dev/null)"; then
      "${CR[@]}" delete "$REG/$REPO@$old" >/dev/null 2>&1 || true
      if "${CR[@]}" digest "$REG/$REPO:$tag" >/dev/null 2>&1; then
        "${CR[@]}" delete "$REG/$REPO:$tag" >/dev/null 2>&1 || true
      fi
      if "${CR[@]}" digest "$REG/$REPO:$tag" >/dev/null 2>&1; then
        die "$REPO:$tag exists from an earlier run and the registry refused to delete it; use a fresh registry or CUSTODY_FIXTURE_REPO"
      fi
      log "deleted $REPO:$tag left by an earlier run"
    fi
  done
done

# ---------------------------------------------------------------- b) key pairs
for k in key1 key2; do
  "$COSIGN" generate-key-pair --output-key-prefix "keys/$k" >"logs/genkey-$k.log" 2>&1 \
    || { cat "logs/genkey-$k.log" >&2; die "cosign generate-key-pair failed"; }
  [[ -s "keys/$k.key" && -s "keys/$k.pub" ]] || die "cosign generate-key-pair wrote no keys/$k.{key,pub}"
done

cosign_sign() {   # LOGNAME COSIGN-SIGN-ARGS... IMAGE-REF
  local logname="$1"; shift
  "$COSIGN" sign --tlog-upload=false "${REGFLAGS[@]}" "$@" >"logs/$logname.log" 2>&1 \
    || { cat "logs/$logname.log" >&2; die "cosign sign ($logname) failed"; }
}

# ---------------------------------------------------------------- c) a certificate chain standing in for Fulcio
# openssl `ca` (not `x509 -req`) because it sets explicit validity dates in OpenSSL 3.0 (-startdate/-enddate),
# which the expired leaf needs; its CA certificates start in 2020 so that chain building at the expired leaf's
# notBefore (cosign checks the chain at that time) works.
CA_START=200101000000Z
CA_END=491231235959Z
NOW_START="$(date -u -d '-1 hour' +%y%m%d%H%M%SZ)"
NOW_END="$(date -u -d '+3650 days' +%y%m%d%H%M%SZ)"
EXP_START=210101000000Z
EXP_END=210102000000Z
# Fulcio's issuer extensions: .1.1 (deprecated) holds the raw URL bytes, .1.8 a DER UTF8String.
issuer_raw_hex() { printf '%s' "$1" | od -An -v -tx1 | tr -s ' \n' ':' | sed 's/^://; s/:$//'; }

cat > work/ca/openssl.cnf <<'EOF'
[ ca ]
default_ca = fixture_ca
[ fixture_ca ]
dir            = ${ENV::FX_CADIR}
database       = $dir/index.txt
new_certs_dir  = $dir/new
serial         = $dir/serial
default_md     = sha256
policy         = policy_any
unique_subject = no
copy_extensions = none
email_in_dn    = no
preserve       = yes
[ policy_any ]
organizationName = optional
commonName       = optional
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused
[ v3_root ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ v3_intermediate ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
extendedKeyUsage       = codeSigning
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
EOF

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null || die "openssl genpkey $1 failed"; }

# issue CA-NAME KEY-OF-SUBJECT SUBJECT START END EXTSECTION OUT.pem [EXTFILE]   (CA-NAME "self" = self-signed)
issue() {
  local ca="$1" key="$2" subj="$3" start="$4" end="$5" ext="$6" out="$7" extfile="${8:-}" cadir
  cadir="$OUT/work/ca/$(basename "$out" .pem)"
  mkdir -p "$cadir/new"; : > "$cadir/index.txt"; openssl rand -hex 16 > "$cadir/serial"
  FX_CADIR="$cadir" openssl req -new -config work/ca/openssl.cnf -key "$key" -subj "$subj" -out "$cadir/req.csr" 2>"$cadir/req.err" \
    || { cat "$cadir/req.err" >&2; die "openssl req for $out failed"; }
  local args=(-batch -config work/ca/openssl.cnf -notext -md sha256 -startdate "$start" -enddate "$end"
              -in "$cadir/req.csr" -out "$out")
  if [[ -n "$extfile" ]]; then args+=(-extfile "$extfile" -extensions "$ext"); else args+=(-extensions "$ext"); fi
  if [[ "$ca" == self ]]; then args+=(-selfsign -keyfile "$key"); else args+=(-cert "pki/$ca.pem" -keyfile "pki/$ca.key"); fi
  FX_CADIR="$cadir" openssl ca "${args[@]}" >"$cadir/ca.log" 2>&1 || { cat "$cadir/ca.log" >&2; die "openssl ca for $out failed"; }
}

# leaf NAME ISSUER-CA SAN START END: a Fulcio-like code-signing leaf, its key as PEM (NAME.key) and imported
# into cosign's encrypted format (NAME.cosign.key, for `cosign sign --key`: cosign does not read plain PEM keys)
leaf() {
  local name="$1" ca="$2" san="$3" start="$4" end="$5"
  new_key "pki/$name.key"
  cat > "work/ca/$name.ext" <<EOF
[ v3_leaf ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = codeSigning
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = $san
1.3.6.1.4.1.57264.1.1  = DER:$(issuer_raw_hex "$ISSUER")
1.3.6.1.4.1.57264.1.8  = ASN1:UTF8String:$ISSUER
EOF
  issue "$ca" "pki/$name.key" "/O=custody-fixtures/CN=$name" "$start" "$end" v3_leaf "pki/$name.pem" "work/ca/$name.ext"
  "$COSIGN" import-key-pair --key "pki/$name.key" --output-key-prefix "pki/$name.cosign" >"logs/import-$name.log" 2>&1 \
    || { cat "logs/import-$name.log" >&2; die "cosign import-key-pair of pki/$name.key failed"; }
}

new_key pki/root.key
issue self pki/root.key "/O=custody-fixtures/CN=Custody fixture root CA" "$CA_START" "$CA_END" v3_root pki/root.pem
new_key pki/intermediate.key
issue root pki/intermediate.key "/O=custody-fixtures/CN=Custody fixture intermediate CA" "$CA_START" "$CA_END" \
  v3_intermediate pki/intermediate.pem
cat pki/intermediate.pem pki/root.pem > pki/chain.pem          # cosign's order: parent first, root last
new_key pki/rogue-root.key
issue self pki/rogue-root.key "/O=custody-fixtures/CN=Custody fixture ROGUE root CA" "$CA_START" "$CA_END" \
  v3_root pki/rogue-root.pem
cp pki/rogue-root.pem pki/rogue-chain.pem

leaf leaf          intermediate "email:$SIGNER"  "$NOW_START" "$NOW_END"
leaf leaf-expired  intermediate "email:$SIGNER"  "$EXP_START" "$EXP_END"
leaf leaf-other    intermediate "URI:$OTHER_ID"  "$NOW_START" "$NOW_END"
leaf leaf-rogue    rogue-root   "email:$SIGNER"  "$NOW_START" "$NOW_END"
openssl verify -CAfile pki/root.pem -untrusted pki/intermediate.pem pki/leaf.pem >/dev/null \
  || die "openssl does not verify pki/leaf.pem against the fixture chain"
cert_date() { openssl x509 -in "$1" -noout "-$2" | sed 's/^[^=]*=//'; }

# ---------------------------------------------------------------- signatures
# b) key1 signs v1 by digest
cosign_sign sign-v1 --key keys/key1.key "$(ref v1)"
# c) the leaf (with its chain) signs v2
cosign_sign sign-v2 --key pki/leaf.cosign.key --certificate pki/leaf.pem --certificate-chain pki/chain.pem "$(ref v2)"
# d) tampered variants
cosign_sign sign-wrong-key --key keys/key2.key "$(ref wrong-key)"
#    v1's signature manifest (its payload names v1's digest) copied to digest-mismatch's .sig tag
"${CR[@]}" copy "$REG/$REPO:$(sigtag v1)" "$REG/$REPO:$(sigtag digest-mismatch)" >logs/copy-digest-mismatch.log 2>&1 \
  || { cat logs/copy-digest-mismatch.log >&2; die "crane copy of v1's .sig failed"; }
#    bad-signature: signed by key1, then its signature annotation replaced by v1's (a real signature by the
#    same key, over another payload)
cosign_sign sign-bad-signature --key keys/key1.key "$(ref bad-signature)"
sig_of() { "${CR[@]}" manifest "$REG/$REPO:$1" | sed -n 's/.*"dev\.cosignproject\.cosign\/signature":"\([^"]*\)".*/\1/p'; }
V1SIG="$(sig_of "$(sigtag v1)")"; BADSIG="$(sig_of "$(sigtag bad-signature)")"
[[ -n "$V1SIG" && -n "$BADSIG" && "$V1SIG" != "$BADSIG" ]] || die "could not read the signature annotations"
"${CR[@]}" manifest "$REG/$REPO:$(sigtag bad-signature)" | sed "s#$BADSIG#$V1SIG#" \
  | "${CR[@]}" edit manifest "$REG/$REPO:$(sigtag bad-signature)" >logs/edit-bad-signature.log 2>&1 \
  || { cat logs/edit-bad-signature.log >&2; die "crane edit manifest of bad-signature's .sig failed"; }
[[ "$(sig_of "$(sigtag bad-signature)")" == "$V1SIG" ]] || die "bad-signature's .sig was not replaced"
cosign_sign sign-expired-cert --key pki/leaf-expired.cosign.key --certificate pki/leaf-expired.pem \
  --certificate-chain pki/chain.pem "$(ref expired-cert)"
cosign_sign sign-other-identity --key pki/leaf-other.cosign.key --certificate pki/leaf-other.pem \
  --certificate-chain pki/chain.pem "$(ref other-identity)"
cosign_sign sign-rogue-ca --key pki/leaf-rogue.cosign.key --certificate pki/leaf-rogue.pem \
  --certificate-chain pki/rogue-chain.pem "$(ref rogue-ca)"

# ---------------------------------------------------------------- e) attestation
GIT_SHA=4f1c2b0e9d8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b
cat > predicate-slsa-v0.2.json <<EOF
{
  "builder": { "id": "https://ci.custody.example/builders/fixture@v1" },
  "buildType": "https://custody.example/fixture-build@v1",
  "invocation": {
    "configSource": {
      "uri": "git+https://git.custody.example/custody/app@refs/heads/main",
      "digest": { "sha1": "$GIT_SHA" },
      "entryPoint": "build.sh"
    },
    "parameters": {},
    "environment": {}
  },
  "metadata": {
    "buildInvocationID": "custody-fixture-1",
    "buildStartedOn": "2026-01-01T00:00:00Z",
    "buildFinishedOn": "2026-01-01T00:01:00Z",
    "completeness": { "parameters": true, "environment": false, "materials": true },
    "reproducible": false
  },
  "materials": [
    { "uri": "git+https://git.custody.example/custody/app@refs/heads/main", "digest": { "sha1": "$GIT_SHA" } }
  ]
}
EOF
"$COSIGN" attest --tlog-upload=false "${REGFLAGS[@]}" --key keys/key1.key --type slsaprovenance \
  --predicate predicate-slsa-v0.2.json "$(ref v1)" >logs/attest-v1.log 2>&1 \
  || { cat logs/attest-v1.log >&2; die "cosign attest failed"; }
#    a CycloneDX SBOM attestation on v1 too (a real SBOM from the shared corpus as the predicate)
SBOM_SRC="$REPO_ROOT/../shared/corpora/sbom/guac-exampledata/internal/testing/testdata/exampledata/alpine-cyclonedx.json"
[[ -f "$SBOM_SRC" ]] || die "the corpus SBOM $SBOM_SRC is missing"
cp "$SBOM_SRC" predicate-cyclonedx.json
"$COSIGN" attest --tlog-upload=false "${REGFLAGS[@]}" --key keys/key1.key --type cyclonedx \
  --predicate predicate-cyclonedx.json "$(ref v1)" >logs/attest-sbom-v1.log 2>&1 \
  || { cat logs/attest-sbom-v1.log >&2; die "cosign attest (cyclonedx) failed"; }
#    vulnerability scans (cosign's vuln predicate, a Trivy report inside): v1's finished an hour ago, stale-scan's on 2026-01-01
scan_predicate() {   # FILE FINISHED-ON
  cat > "$1" <<EOF2
{
  "invocation": { "parameters": null, "uri": "https://ci.custody.example/scan/1", "event_id": "1", "builder.id": "fixture" },
  "scanner": {
    "uri": "pkg:github/aquasecurity/trivy@0.58.0", "version": "0.58.0",
    "db": { "uri": "pkg:oci/trivy-db", "version": "2" },
    "result": { "SchemaVersion": 2, "ArtifactName": "fixture", "ArtifactType": "container_image", "Results": [
      { "Target": "app/pom.xml", "Class": "lang-pkgs", "Type": "pom", "Vulnerabilities": [
        { "VulnerabilityID": "CVE-2023-26119", "PkgName": "net.sourceforge.htmlunit:htmlunit", "InstalledVersion": "2.37.0",
          "PkgIdentifier": { "PURL": "pkg:maven/net.sourceforge.htmlunit/htmlunit@2.37.0" },
          "FixedVersion": "3.0.0", "Status": "fixed", "Severity": "CRITICAL" } ] } ] }
  },
  "metadata": { "scanStartedOn": "$2", "scanFinishedOn": "$2" }
}
EOF2
}
scan_predicate predicate-vuln-fresh.json "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)"
scan_predicate predicate-vuln-stale.json "2026-01-01T00:00:00Z"
"$COSIGN" attest --tlog-upload=false "${REGFLAGS[@]}" --key keys/key1.key --type vuln \
  --predicate predicate-vuln-fresh.json "$(ref v1)" >logs/attest-vuln-v1.log 2>&1 \
  || { cat logs/attest-vuln-v1.log >&2; die "cosign attest (vuln) failed"; }
"$COSIGN" sign --tlog-upload=false "${REGFLAGS[@]}" --key keys/key1.key "$(ref stale-scan)" >logs/sign-stale-scan.log 2>&1 \
  || { cat logs/sign-stale-scan.log >&2; die "cosign sign (stale-scan) failed"; }
"$COSIGN" attest --tlog-upload=false "${REGFLAGS[@]}" --key keys/key1.key --type vuln \
  --predicate predicate-vuln-stale.json "$(ref stale-scan)" >logs/attest-vuln-stale.log 2>&1 \
  || { cat logs/attest-vuln-stale.log >&2; die "cosign attest (vuln, stale) failed"; }
#    provenance attested by the certificate leaf (own CA standing in for Fulcio) on v2
"$COSIGN" attest --tlog-upload=false "${REGFLAGS[@]}" --key pki/leaf.cosign.key --certificate pki/leaf.pem \
  --certificate-chain pki/chain.pem --type slsaprovenance --predicate predicate-slsa-v0.2.json "$(ref v2)" \
  >logs/attest-cert-v2.log 2>&1 || { cat logs/attest-cert-v2.log >&2; die "cosign attest (certificate) failed"; }
#    cosign's new bundle format (the default of cosign v3): a Sigstore bundle as an OCI 1.1 referrer (through the
#    referrers tag schema where the registry has no referrers API), for a signature and for SLSA provenance
"$COSIGN" sign --new-bundle-format --tlog-upload=false "${REGFLAGS[@]}" --key keys/key1.key "$(ref bundled)" \
  >logs/sign-bundled.log 2>&1 || { cat logs/sign-bundled.log >&2; die "cosign sign --new-bundle-format failed"; }
"$COSIGN" attest --new-bundle-format --tlog-upload=false "${REGFLAGS[@]}" --key keys/key1.key --type slsaprovenance \
  --predicate predicate-slsa-v0.2.json "$(ref bundled)" >logs/attest-bundled.log 2>&1 \
  || { cat logs/attest-bundled.log >&2; die "cosign attest --new-bundle-format failed"; }
#    v1's attestation copied to digest-mismatch's .att tag: its in-toto subject names v1's digest
"${CR[@]}" copy "$REG/$REPO:$(atttag v1)" "$REG/$REPO:$(atttag digest-mismatch)" >logs/copy-att-digest-mismatch.log 2>&1 \
  || { cat logs/copy-att-digest-mismatch.log >&2; die "crane copy of v1's .att failed"; }

# ---------------------------------------------------------------- an SBOM that the real syft generated
# With CUSTODY_SYFT (scripts/tools/build-syft.sh): an image built here from this machine's Debian package
# database and os-release, plus a real jar from the Maven cache, pushed to the registry; syft scans it there
# and writes CycloneDX 1.6 JSON (syft's default is 1.7, which cyclonedx-core-java cannot validate yet), which the
# real cosign attests (and key1 signs the image).
SYFT_DIGEST=""; SYFT_VER=""
if [[ -n "${CUSTODY_SYFT:-}" ]]; then
  [[ -x "$CUSTODY_SYFT" ]] || die "CUSTODY_SYFT=$CUSTODY_SYFT is not executable"
  d="$OUT/work/layers/syft-app"
  mkdir -p "$d/etc" "$d/var/lib/dpkg" "$d/app/lib"
  cp /etc/os-release "$d/etc/os-release"
  [[ -f /var/lib/dpkg/status ]] || die "/var/lib/dpkg/status is missing: the syft fixture wants a Debian package database"
  cp /var/lib/dpkg/status "$d/var/lib/dpkg/status"
  JAR="$(find "${HOME}/.m2/repository/info/picocli/picocli" -name 'picocli-4*.jar' 2>/dev/null | sort | tail -1 || true)"
  [[ -n "$JAR" ]] && cp "$JAR" "$d/app/lib/"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$d" -cf "$d.tar" etc var app
  "${CR[@]}" append --oci-empty-base -f "$d.tar" -t "$REG/$REPO:syft-app" >logs/push-syft-app.log 2>&1 \
    || { cat logs/push-syft-app.log >&2; die "crane append of $REPO:syft-app failed"; }
  SYFT_DIGEST="$("${CR[@]}" digest "$REG/$REPO:syft-app")"
  SYFT_VER="$("$CUSTODY_SYFT" version 2>/dev/null | sed -n 's/^Version:[[:space:]]*//p' | head -1)"
  SYFT_REGISTRY_INSECURE_USE_HTTP=true SYFT_CHECK_FOR_APP_UPDATE=false "$CUSTODY_SYFT" scan -q \
    "registry:$REG/$REPO@$SYFT_DIGEST" -o "cyclonedx-json@1.6=sbom-syft.json" >logs/syft.log 2>&1 \
    || { cat logs/syft.log >&2; die "syft scan failed"; }
  "$COSIGN" sign --tlog-upload=false "${REGFLAGS[@]}" --key keys/key1.key "$REG/$REPO@$SYFT_DIGEST" >logs/sign-syft-app.log 2>&1 \
    || { cat logs/sign-syft-app.log >&2; die "cosign sign (syft-app) failed"; }
  "$COSIGN" attest --tlog-upload=false "${REGFLAGS[@]}" --key keys/key1.key --type cyclonedx --predicate sbom-syft.json \
    "$REG/$REPO@$SYFT_DIGEST" >logs/attest-syft-app.log 2>&1 || { cat logs/attest-syft-app.log >&2; die "cosign attest (syft SBOM) failed"; }
  log "syft $SYFT_VER: $(grep -o '"purl"' sbom-syft.json | wc -l) purls in the SBOM of $REPO@${SYFT_DIGEST:7:12}, attested with key1"
fi

# ---------------------------------------------------------------- referrers API probe
REFERRERS=false
if ct="$(curl -fsS -o /dev/null -w '%{content_type}' "http://$REG/v2/$REPO/referrers/${DIGEST[v1]}" 2>/dev/null)" \
   && [[ "$ct" == application/vnd.oci.image.index.v1+json* ]]; then
  REFERRERS=true
fi
log "OCI 1.1 referrers API at $REG: $REFERRERS (these fixtures use the .sig/.att tag scheme either way)"

# ---------------------------------------------------------------- f) verify every case with cosign itself
# case NAME KIND IMAGE EXPECTED WHY VERIFIER-KIND VERIFIER-ARGS...
#   KIND signature|attestation; VERIFIER-KIND key|cert
CASES=()
declare -A C_KIND C_IMAGE C_EXPECT C_WHY C_VKIND C_KEY C_CHAIN C_ID C_ISS C_COSIGN C_REASON C_ATYPE C_NB
case_() {
  local n="$1"; CASES+=("$n")
  C_KIND[$n]="$2"; C_IMAGE[$n]="$3"; C_EXPECT[$n]="$4"; C_WHY[$n]="$5"; C_VKIND[$n]="$6"
  C_KEY[$n]=""; C_CHAIN[$n]=""; C_ID[$n]=""; C_ISS[$n]=""; C_ATYPE[$n]=slsaprovenance; C_NB[$n]=false
  if [[ "$6" == key ]]; then C_KEY[$n]="$7"; else C_CHAIN[$n]="$7"; C_ID[$n]="$8"; C_ISS[$n]="$9"; fi
}
case_ key-signed               signature   v1              pass "signed by key1" key keys/key1.pub
case_ key-wrong-key            signature   wrong-key       fail "signed by key2, verified with key1" key keys/key1.pub
case_ key-wrong-key-own-key    signature   wrong-key       pass "signed by key2, verified with key2 (control)" key keys/key2.pub
case_ key-digest-mismatch      signature   digest-mismatch fail "v1's signature copied here: payload names v1's digest" key keys/key1.pub
case_ key-bad-signature        signature   bad-signature   fail "signature annotation replaced by v1's (another payload)" key keys/key1.pub
case_ key-unsigned             signature   unsigned        fail "no signature at all" key keys/key1.pub
case_ key-on-cert-signed       signature   v2              fail "signed by the leaf certificate, verified with key1" key keys/key1.pub
case_ cert-signed              signature   v2              pass "leaf <- intermediate <- root, identity and issuer match" \
      cert pki/chain.pem "$SIGNER" "$ISSUER"
case_ cert-wrong-identity      signature   v2              fail "expects another identity than the leaf's" \
      cert pki/chain.pem "$OTHER_ID" "$ISSUER"
case_ cert-wrong-issuer        signature   v2              fail "expects another OIDC issuer than the leaf's" \
      cert pki/chain.pem "$SIGNER" "$WRONG_ISSUER"
case_ cert-expired             signature   expired-cert    fail "leaf expired in 2021 (no tlog or timestamp to vouch for signing time)" \
      cert pki/chain.pem "$SIGNER" "$ISSUER"
case_ cert-other-identity      signature   other-identity  fail "leaf with URI identity $OTHER_ID" \
      cert pki/chain.pem "$SIGNER" "$ISSUER"
case_ cert-other-identity-own  signature   other-identity  pass "same, verified expecting its URI identity (control)" \
      cert pki/chain.pem "$OTHER_ID" "$ISSUER"
case_ cert-rogue-ca            signature   rogue-ca        fail "leaf issued by another root, verified against the fixture chain" \
      cert pki/chain.pem "$SIGNER" "$ISSUER"
case_ cert-rogue-ca-own-chain  signature   rogue-ca        pass "same, verified against its own (rogue) root (control)" \
      cert pki/rogue-chain.pem "$SIGNER" "$ISSUER"
case_ att-slsa                 attestation v1              pass "SLSA v0.2 provenance attested with key1" key keys/key1.pub
case_ att-wrong-key            attestation v1              fail "verified with key2" key keys/key2.pub
case_ att-digest-mismatch      attestation digest-mismatch fail "v1's attestation copied here: in-toto subject names v1's digest" \
      key keys/key1.pub
case_ att-sbom                 attestation v1              pass "CycloneDX SBOM (a corpus SBOM as predicate) attested with key1" key keys/key1.pub
C_ATYPE[att-sbom]=cyclonedx
case_ att-vuln                 attestation v1              pass "vulnerability scan (cosign vuln predicate) attested with key1" key keys/key1.pub
C_ATYPE[att-vuln]=vuln
case_ bundle-signed            signature   bundled         pass "signed with key1 in the Sigstore bundle format (OCI referrer)" key keys/key1.pub
C_NB[bundle-signed]=true
case_ bundle-wrong-key         signature   bundled         fail "same, verified with key2" key keys/key2.pub
C_NB[bundle-wrong-key]=true
case_ att-bundle-slsa          attestation bundled         pass "SLSA provenance attested with key1 in the Sigstore bundle format" key keys/key1.pub
C_NB[att-bundle-slsa]=true
case_ att-cert-slsa            attestation v2              pass "SLSA provenance attested by the leaf certificate (own CA)" \
      cert pki/chain.pem "$SIGNER" "$ISSUER"

FAILED=0
for n in "${CASES[@]}"; do
  args=("${REGFLAGS[@]}" --insecure-ignore-tlog=true)
  if [[ "${C_VKIND[$n]}" == key ]]; then
    args+=(--key "${C_KEY[$n]}")
  else
    # the fixture leaves carry no SCT (no CT log stands in for Fulcio's)
    args+=(--certificate-chain "${C_CHAIN[$n]}" --certificate-identity "${C_ID[$n]}"
           --certificate-oidc-issuer "${C_ISS[$n]}" --insecure-ignore-sct=true)
  fi
  if [[ "${C_NB[$n]}" == true ]]; then
    # the new bundle format wants a trusted root even for keys; the public-good one serves (no tlog is checked)
    args+=(--new-bundle-format --trusted-root "$REPO_ROOT/../shared/corpora/sigstore/trust-roots/production/trusted_root.json")
  fi
  if [[ "${C_KIND[$n]}" == attestation ]]; then
    cmd=(verify-attestation --type "${C_ATYPE[$n]}" "${args[@]}")
  else
    cmd=(verify "${args[@]}")
  fi
  if "$COSIGN" "${cmd[@]}" "$(ref "${C_IMAGE[$n]}")" >"logs/verify-$n.log" 2>&1; then
    C_COSIGN[$n]=pass; C_REASON[$n]=""
  else
    C_COSIGN[$n]=fail
    C_REASON[$n]="$(grep -m1 '^Error: ' "logs/verify-$n.log" | sed 's/^Error: //' | cut -c1-160 || true)"
  fi
  printf '%s\n' "$COSIGN ${cmd[*]} $(ref "${C_IMAGE[$n]}")" > "logs/verify-$n.cmd"
  [[ "${C_COSIGN[$n]}" == "${C_EXPECT[$n]}" ]] || FAILED=$((FAILED + 1))
done

# ---------------------------------------------------------------- fixtures.json
js() { local s="$1"; s="${s//\\/\\\\}"; s="${s//\"/\\\"}"; s="${s//$'\t'/ }"; s="${s//$'\n'/ }"; printf '"%s"' "$s"; }
{
  printf '{\n'
  printf '  "schema": 1,\n'
  printf '  "generated_by": "scripts/interop/make-fixtures.sh",\n'
  printf '  "generated_at": %s,\n' "$(js "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
  printf '  "cosign_version": %s,\n  "crane_version": %s,\n  "openssl_version": %s,\n' \
    "$(js "$COSIGN_VER")" "$(js "$CRANE_VER")" "$(js "$OPENSSL_VER")"
  printf '  "base_dir": %s,\n' "$(js "$OUT")"
  printf '  "paths_note": "every file path below is relative to base_dir",\n'
  printf '  "registry": %s,\n  "plain_http": true,\n  "repository": %s,\n' "$(js "$REG")" "$(js "$REPO")"
  printf '  "referrers_api": %s,\n' "$REFERRERS"
  if [[ -n "$SYFT_DIGEST" ]]; then
    printf '  "syft": { "version": %s, "image": %s, "digest": %s, "sbom": "sbom-syft.json", "by": "key1" },\n' \
      "$(js "$SYFT_VER")" "$(js "$REG/$REPO:syft-app")" "$(js "$SYFT_DIGEST")"
  fi
  printf '  "signature_scheme": "cosign tags: <repo>:sha256-<hex>.sig (simple signing), <repo>:sha256-<hex>.att (DSSE in-toto)",\n'
  printf '  "tlog": "none: signed with --tlog-upload=false, verified with --insecure-ignore-tlog=true",\n'
  printf '  "cosign_password": %s,\n' "$(js "$PASSWORD")"
  printf '  "images": {\n'
  i=0
  for name in "${IMAGES[@]}"; do
    i=$((i + 1))
    printf '    %s: { "tag": %s, "digest": %s, "ref": %s, "sig_tag": %s, "att_tag": %s }%s\n' \
      "$(js "$name")" "$(js "$name")" "$(js "${DIGEST[$name]}")" "$(js "$(ref "$name")")" \
      "$(js "$(sigtag "$name")")" "$(js "$(atttag "$name")")" "$([[ $i -lt ${#IMAGES[@]} ]] && echo ,)"
  done
  printf '  },\n'
  printf '  "keys": {\n'
  printf '    "key1": { "public": "keys/key1.pub", "private": "keys/key1.key", "algorithm": "ECDSA P-256" },\n'
  printf '    "key2": { "public": "keys/key2.pub", "private": "keys/key2.key", "algorithm": "ECDSA P-256" }\n'
  printf '  },\n'
  printf '  "pki": {\n'
  printf '    "root": "pki/root.pem",\n    "intermediate": "pki/intermediate.pem",\n'
  printf '    "chain": "pki/chain.pem",\n    "chain_note": "chain.pem is intermediate then root, as cosign --certificate-chain wants",\n'
  printf '    "rogue_root": "pki/rogue-root.pem",\n'
  printf '    "issuer_extension_oids": ["1.3.6.1.4.1.57264.1.1", "1.3.6.1.4.1.57264.1.8"],\n'
  printf '    "certificates": {\n'
  LEAVES=(leaf leaf-expired leaf-other leaf-rogue)
  declare -A L_ID=([leaf]="$SIGNER" [leaf-expired]="$SIGNER" [leaf-other]="$OTHER_ID" [leaf-rogue]="$SIGNER")
  declare -A L_IDT=([leaf]=email [leaf-expired]=email [leaf-other]=uri [leaf-rogue]=email)
  declare -A L_CA=([leaf]=intermediate [leaf-expired]=intermediate [leaf-other]=intermediate [leaf-rogue]=rogue-root)
  i=0
  for l in "${LEAVES[@]}"; do
    i=$((i + 1))
    printf '      %s: { "pem": "pki/%s.pem", "key": "pki/%s.key", "cosign_key": "pki/%s.cosign.key", "identity": %s, "identity_type": "%s", "issuer": %s, "issued_by": "pki/%s.pem", "not_before": %s, "not_after": %s }%s\n' \
      "$(js "$l")" "$l" "$l" "$l" "$(js "${L_ID[$l]}")" "${L_IDT[$l]}" "$(js "$ISSUER")" "${L_CA[$l]}" \
      "$(js "$(cert_date "pki/$l.pem" startdate)")" "$(js "$(cert_date "pki/$l.pem" enddate)")" \
      "$([[ $i -lt ${#LEAVES[@]} ]] && echo ,)"
  done
  printf '    }\n  },\n'
  printf '  "signed": [\n'
  printf '    { "image": "v1", "what": "signature", "by": "key1" },\n'
  printf '    { "image": "v1", "what": "attestation", "predicate_type": "https://slsa.dev/provenance/v0.2", "predicate": "predicate-slsa-v0.2.json", "by": "key1" },\n'
  printf '    { "image": "v2", "what": "signature", "by": "leaf", "certificate_chain": "pki/chain.pem" },\n'
  printf '    { "image": "wrong-key", "what": "signature", "by": "key2" },\n'
  printf '    { "image": "digest-mismatch", "what": "signature", "by": "key1", "note": "copy of v1 signature manifest" },\n'
  printf '    { "image": "digest-mismatch", "what": "attestation", "by": "key1", "note": "copy of v1 attestation manifest" },\n'
  printf '    { "image": "bad-signature", "what": "signature", "by": "key1", "note": "signature annotation replaced with the one of v1" },\n'
  printf '    { "image": "expired-cert", "what": "signature", "by": "leaf-expired", "certificate_chain": "pki/chain.pem" },\n'
  printf '    { "image": "other-identity", "what": "signature", "by": "leaf-other", "certificate_chain": "pki/chain.pem" },\n'
  printf '    { "image": "rogue-ca", "what": "signature", "by": "leaf-rogue", "certificate_chain": "pki/rogue-chain.pem" },\n'
  printf '    { "image": "v1", "what": "attestation", "predicate_type": "https://cosign.sigstore.dev/attestation/vuln/v1", "predicate": "predicate-vuln-fresh.json", "by": "key1" },\n'
  printf '    { "image": "v2", "what": "attestation", "predicate_type": "https://slsa.dev/provenance/v0.2", "by": "leaf", "certificate_chain": "pki/chain.pem" },\n'
  printf '    { "image": "stale-scan", "what": "signature", "by": "key1" },\n'
  printf '    { "image": "stale-scan", "what": "attestation", "predicate_type": "https://cosign.sigstore.dev/attestation/vuln/v1", "predicate": "predicate-vuln-stale.json", "by": "key1" },\n'
  printf '    { "image": "bundled", "what": "signature", "by": "key1", "format": "Sigstore bundle v0.3, OCI referrer" },\n'
  printf '    { "image": "bundled", "what": "attestation", "predicate_type": "https://slsa.dev/provenance/v0.2", "by": "key1", "format": "Sigstore bundle v0.3, OCI referrer" },\n'
  printf '    { "image": "unsigned", "what": "nothing" }\n'
  printf '  ],\n'
  printf '  "cases": [\n'
  i=0
  for n in "${CASES[@]}"; do
    i=$((i + 1))
    if [[ "${C_VKIND[$n]}" == key ]]; then
      v="\"key\": $(js "${C_KEY[$n]}")"
    else
      v="\"certificate_chain\": $(js "${C_CHAIN[$n]}"), \"certificate_identity\": $(js "${C_ID[$n]}"), \"certificate_oidc_issuer\": $(js "${C_ISS[$n]}")"
    fi
    if [[ "${C_KIND[$n]}" == attestation ]]; then
      ptype="https://slsa.dev/provenance/v0.2"; [[ "${C_ATYPE[$n]}" == cyclonedx ]] && ptype="https://cyclonedx.org/bom"
      [[ "${C_ATYPE[$n]}" == vuln ]] && ptype="https://cosign.sigstore.dev/attestation/vuln/v1"
      v+=", \"attestation_type\": \"${C_ATYPE[$n]}\", \"predicate_type\": \"$ptype\""
    fi
    v+=", \"new_bundle_format\": ${C_NB[$n]}"
    printf '    { "name": %s, "kind": "%s", "image": %s, "digest": %s, "ref": %s, "verify": { %s }, "expected": "%s", "cosign": "%s", "cosign_error": %s, "why": %s, "log": "logs/verify-%s.log" }%s\n' \
      "$(js "$n")" "${C_KIND[$n]}" "$(js "${C_IMAGE[$n]}")" "$(js "${DIGEST[${C_IMAGE[$n]}]}")" \
      "$(js "$(ref "${C_IMAGE[$n]}")")" "$v" "${C_EXPECT[$n]}" "${C_COSIGN[$n]}" "$(js "${C_REASON[$n]}")" \
      "$(js "${C_WHY[$n]}")" "$n" "$([[ $i -lt ${#CASES[@]} ]] && echo ,)"
  done
  printf '  ]\n}\n'
} > fixtures.json.tmp
mv -f fixtures.json.tmp fixtures.json

# ---------------------------------------------------------------- table
{
  printf '%-24s %-11s %-15s %-8s %-6s %s\n' CASE KIND IMAGE EXPECTED COSIGN "COSIGN SAYS (on failure)"
  for n in "${CASES[@]}"; do
    mark=""; [[ "${C_COSIGN[$n]}" == "${C_EXPECT[$n]}" ]] || mark="  <-- UNEXPECTED"
    printf '%-24s %-11s %-15s %-8s %-6s %s%s\n' "$n" "${C_KIND[$n]}" "${C_IMAGE[$n]}" "${C_EXPECT[$n]}" \
      "${C_COSIGN[$n]}" "$(cut -c1-110 <<<"${C_REASON[$n]}")" "$mark"
  done
}
log "wrote $OUT/fixtures.json (${#CASES[@]} cases) in $((SECONDS - T0)) s"
[[ $FAILED -eq 0 ]] || die "$FAILED case(s) did not get the expected verdict from cosign (see $OUT/logs)"
log "every case got the expected verdict from cosign $COSIGN_VER"
