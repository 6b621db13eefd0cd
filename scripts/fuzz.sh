#!/usr/bin/env bash
# Fuzzes every parser of untrusted input with Jazzer for a bounded time per target, each target in its own JVM
# (surefire with reuseForks=false), seeded from the real third-party data in ../shared/corpora.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [MODULES]     (defaults 20 and core,sbom,verify,oci)
# Each target's @Timeout (10 s) becomes libFuzzer's per-input timeout, so a hang is a finding too; JUnit's own timeout
# handling is disabled here, as it would otherwise time the whole run (Jazzer issue 930).
# A finding fails the run: Jazzer writes the input that caused it beside the test (src/test/resources/<package>/
# <Class>Inputs/<method>/crash-*), where it stays as a regression test that every `mvn test` replays.
# The inputs each target found interesting are kept in <module>/.cifuzz-corpus, so later runs start from them.
# .ci/run calls this with a short time; run it with a long one (e.g. 600) to search deeper.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_TARGET="${1:-20}"
MODULES="${2:-core,sbom,verify,oci}"
CORPORA="$ROOT/../shared/corpora"
source "$ROOT/scripts/lib/java.sh"
JAVA_HOME="$(custody_find_jdk)" || exit 2
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
cd "$ROOT"

# seed TARGET_DIR FIND_ARGS...: copies up to 200 corpus files under 256 KiB into the target's corpus directory
seed() {
  local dir="$1"; shift
  mkdir -p "$dir"
  (cd "$CORPORA" && find . "$@" -type f -size -256k 2>/dev/null | sort | awk 'NR <= 200') | while read -r f; do
    cp "$CORPORA/$f" "$dir/$(echo "$f" | tr '/' '_' | sed 's/^\._//')"
  done
}
c() { echo "$ROOT/$1/.cifuzz-corpus/$2/$3"; }
seed "$(c core dev.custody.fuzz.AdmissionReviewFuzzTest admissionReview)" -path './admission-review/*' -name '*.json'
seed "$(c core dev.custody.fuzz.ManifestYamlFuzzTest manifestYaml)" -path './kyverno-policies/*' -name 'resource*.yaml'
seed "$(c core dev.custody.fuzz.ManifestJsonFuzzTest manifestJson)" -path './admission-review/k8s-api-roundtrip-fixtures/*' -name '*.json'
seed "$(c core dev.custody.fuzz.OsvRecordFuzzTest osvRecord)" -path './osv/*' -name '*.json'
seed "$(c core dev.custody.fuzz.VexFuzzTest vex)" \( -path './sbom/cyclonedx-bom-examples/VEX/*' -o -name '*vex*' \) -name '*.json'
seed "$(c sbom dev.custody.sbom.CycloneDxJsonFuzzTest cyclonedxJson)" \( -path './sbom/cyclonedx-bom-examples/SBOM/*' -o -path './sbom/cyclonedx-spec-testvectors/*' \) -name '*.json'
seed "$(c sbom dev.custody.sbom.SpdxJsonFuzzTest spdxJson)" -path '*spdx*' -name '*.json'
seed "$(c sbom dev.custody.sbom.SpdxTagValueFuzzTest spdxTagValue)" -name '*.spdx'
seed "$(c verify dev.custody.verify.SigstoreBundleFuzzTest sigstoreBundle)" \( -name '*.sigstore.json' -o -name '*.sigstore' \)
seed "$(c verify dev.custody.verify.DsseEnvelopeFuzzTest dsseEnvelope)" \( -path './in-toto-attestation/*' -o -name '*dsse*' \) -name '*.json'
seed "$(c verify dev.custody.verify.CertificateFuzzTest certificate)" -name '*.pem'
seed "$(c oci dev.custody.oci.OciManifestFuzzTest ociManifest)" -path './sigstore/connaisseur-cosign-legacy/*' -path '*manifests*' -name '*.json'
mkdir -p "$(c core dev.custody.fuzz.PolicyFuzzTest policy)" "$(c oci dev.custody.oci.DockerConfigFuzzTest dockerConfig)"
cp examples/policies/*.yaml "$(c core dev.custody.fuzz.PolicyFuzzTest policy)/"
printf '{"auths":{"registry.example":{"auth":"YWxpY2U6czNjcjN0"},"https://index.docker.io/v1/":{"username":"bob","password":"x"}},"credHelpers":{"gcr.io":"gcloud"}}' \
  > "$(c oci dev.custody.oci.DockerConfigFuzzTest dockerConfig)/seed-auths.json"

echo "fuzz: ${SECONDS_PER_TARGET} s per target in modules $MODULES (JDK at $JAVA_HOME)"
start=$(date +%s)
set +e
JAZZER_FUZZ=1 mvn -B -ntp test -pl "$MODULES" -Dtest='*FuzzTest' -Dsurefire.failIfNoSpecifiedTests=false -DreuseForks=false \
  -DargLine="-Djazzer.max_duration=${SECONDS_PER_TARGET}s -Djunit.jupiter.execution.timeout.mode=disabled -Xmx1g" > "$ROOT/target-fuzz.log" 2>&1
rc=$?
set -e
grep -h "^#[0-9]*.*DONE" "$ROOT/target-fuzz.log" | sed 's/^/fuzz: /' || true
for m in ${MODULES//,/ }; do
  for r in "$m"/target/surefire-reports/*FuzzTest.txt; do
    [[ -f "$r" ]] && sed -n 's/^Tests run: \(.*\) -- in \(.*\)$/fuzz: \2: \1/p' "$r"
  done
done
found=$(git -C "$ROOT" ls-files --others --exclude-standard '*/src/test/resources/*Inputs/*' | grep -c . || true)
echo "fuzz: took $(( $(date +%s) - start )) s; new reproducers: $found (log: target-fuzz.log)"
if [[ $rc -ne 0 ]]; then
  git -C "$ROOT" ls-files --others --exclude-standard '*/src/test/resources/*Inputs/*' | sed 's/^/fuzz: finding: /'
  grep -h -B2 -A12 "== Java Exception\|FuzzerSecurityIssue\|<<< FAIL\|<<< ERR" "$ROOT/target-fuzz.log" | head -80
fi
exit $rc
