#!/usr/bin/env bash
# Build (or reuse) the runtime root filesystem that the Custody container image is made of, for
# `mvn -Pimage jib:build` (cli/pom.xml), which builds FROM scratch and adds this directory as-is:
#
#   <rootfs>/opt/java/...                  a jlinked JRE (only the modules the jar needs)
#   <rootfs>/lib64/ld-linux-x86-64.so.2    the dynamic loader the JVM's ELF files name (a real file)
#   <rootfs>/lib/x86_64-linux-gnu/*.so*    the few glibc libraries that the JRE's ELF files link to (ldd)
#   <rootfs>/etc/{passwd,group,nsswitch.conf,hosts}   root and nonroot (65532), files-only NSS
#   <rootfs>/tmp                           (an emptyDir in Kubernetes, where the root fs is read-only)
#
# Output: ${CUSTODY_CACHE:-~/.cache/custody}/image/jre-<key>/rootfs, where <key> hashes the JDK's version, the
# module list, the host's glibc version and this script; a finished build is reused at once (idempotent).
# ${CACHE}/image/current is pointed at the last one built (the image profile's default path). The rootfs
# path is the only thing printed on stdout.
#
# Usage: build-jre.sh [--jar JAR] [--print-modules]
# Environment (all optional):
#   JAVA_HOME / CUSTODY_IMAGE_JDK   the JDK whose jlink and jmods to use (default: JAVA_HOME)
#   CUSTODY_IMAGE_MODULES           comma-separated module list (default: jdeps on the jar + jdk.crypto.ec)
#   CUSTODY_CACHE                   cache dir (default ~/.cache/custody)
#   CUSTODY_FORCE_REBUILD=1         rebuild even if the keyed directory is complete
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${CUSTODY_CACHE:-$HOME/.cache/custody}"
JAR="$ROOT/cli/target/custody.jar"
PRINT_MODULES=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --jar) JAR="$2"; shift 2 ;;
    --print-modules) PRINT_MODULES=1; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "build-jre: unknown argument $1" >&2; exit 2 ;;
  esac
done

log() { printf '[custody/image/build-jre] %s\n' "$*" >&2; }
die() { printf '[custody/image/build-jre] ERROR: %s\n' "$*" >&2; exit 1; }

JDK="${CUSTODY_IMAGE_JDK:-${JAVA_HOME:-}}"
[[ -n "$JDK" && -x "$JDK/bin/jlink" ]] || die "set JAVA_HOME (or CUSTODY_IMAGE_JDK) to a JDK with jlink"
[[ "$(uname -m)" == x86_64 ]] || die "only x86_64 hosts are supported (the glibc layout is x86_64-linux-gnu)"
JDK_VERSION="$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"/\1/p' "$JDK/release")"
[[ -n "$JDK_VERSION" ]] || die "cannot read JAVA_RUNTIME_VERSION from $JDK/release"
GLIBC_VERSION="$(ldd --version 2>&1 | awk 'NR == 1 {print $NF}')"
NICE=(nice -n 10)

# ---------------------------------------------------------------- modules
# Native parts of java.desktop that a headless server never loads. java.desktop itself is needed only for
# java.beans (SnakeYAML's and Jackson's introspection); its AWT/X11/sound/font libraries would drag libX11
# and friends into the image, so they are left out of the JRE.
EXCLUDES='**/libawt_xawt.so,**/libjawt.so,**/libsplashscreen.so,**/libjsound.so,**/libfontmanager.so,**/libfreetype.so,**/liblcms.so,**/libjavajpeg.so,**/libmlib_image.so,**/libawt.so,**/libawt_headless.so,**/psfont*.properties*'

if [[ -n "${CUSTODY_IMAGE_MODULES:-}" ]]; then
  MODULES="$CUSTODY_IMAGE_MODULES"
else
  [[ -f "$JAR" ]] || die "no jar at $JAR (build it: mvn -q -B -DskipTests package -pl cli -am), or set CUSTODY_IMAGE_MODULES"
  SUM="$(sha256sum "$JAR" | cut -c1-16)"
  MODCACHE="$CACHE/image/modules-$SUM-$JDK_VERSION"
  if [[ ! -s "$MODCACHE" ]]; then
    mkdir -p "$CACHE/image"
    log "jdeps $JAR"
    deps="$("${NICE[@]}" "$JDK/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 21 "$JAR")" \
      || die "jdeps failed"
    # jdk.crypto.ec: the EC key exchange and signatures of TLS on JDK 21 (an empty module on 22+, kept for 21).
    printf '%s\n' "$deps,jdk.crypto.ec" | tr ',' '\n' | sed '/^$/d' | sort -u | paste -sd, > "$MODCACHE.tmp"
    mv "$MODCACHE.tmp" "$MODCACHE"
    find "$CACHE/image" -maxdepth 1 -name 'modules-*' ! -name "$(basename "$MODCACHE")" -delete
  fi
  MODULES="$(cat "$MODCACHE")"
fi
if [[ "$PRINT_MODULES" == 1 ]]; then echo "$MODULES"; exit 0; fi

KEY="$( { echo "jdk=$JDK_VERSION"; echo "modules=$MODULES"; echo "glibc=$GLIBC_VERSION"; echo "excludes=$EXCLUDES";
          cat "${BASH_SOURCE[0]}"; } | sha256sum | cut -c1-16)"
OUT="$CACHE/image/jre-$KEY"
ROOTFS="$OUT/rootfs"
STAMP="$OUT/DONE"

point_current() { ln -sfn "jre-$KEY" "$CACHE/image/current.tmp" && mv -T "$CACHE/image/current.tmp" "$CACHE/image/current"; }

if [[ "${CUSTODY_FORCE_REBUILD:-0}" != 1 && -f "$STAMP" && -x "$ROOTFS/opt/java/bin/java" ]]; then
  log "up to date: $ROOTFS (JDK $JDK_VERSION; $MODULES)"
  point_current
  echo "$ROOTFS"
  exit 0
fi

T0=$SECONDS
rm -rf "$OUT" "$OUT.tmp"
mkdir -p "$OUT.tmp/rootfs/opt"
R="$OUT.tmp/rootfs"

# ---------------------------------------------------------------- jlink
log "jlink JDK $JDK_VERSION: $MODULES"
"${NICE[@]}" "$JDK/bin/jlink" --add-modules "$MODULES" \
  --strip-debug --no-man-pages --no-header-files --compress=zip-9 \
  --exclude-files="$EXCLUDES" \
  --output "$R/opt/java" >&2 || die "jlink failed"
# The legal notices of most modules are symlinks into legal/java.base; make them real files so that no
# image layer tool has to care about links.
find "$R/opt/java" -type l | while read -r l; do cp --remove-destination -L "$l" "$l.tmp" && mv "$l.tmp" "$l"; done
# A headless server never runs these; keytool et al. stay out of the image.
find "$R/opt/java/bin" -type f ! -name java -delete

# ---------------------------------------------------------------- glibc
mkdir -p "$R/lib/x86_64-linux-gnu" "$R/lib64" "$R/etc" "$R/tmp"
mapfile -t elfs < <(find "$R/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' -o -name jspawnhelper -o -name jexec \))
declare -A seen=()
for f in "${elfs[@]}"; do
  [[ "$(head -c4 "$f" | od -An -c | tr -d ' ')" == '177ELF' ]] || continue
  while read -r line; do
    # "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    name="$(awk '{print $1}' <<<"$line")"
    path="$(awk '$2 == "=>" {print $3; next} {print $1}' <<<"$line")"
    case "$name" in linux-vdso.so.*|linux-gate.so.*) continue ;; esac
    [[ "$path" == "not" || "$path" == "$R"* ]] && continue
    [[ "$path" == /* ]] || die "ldd could not resolve $name for $f: $line"
    seen["$name"]="$path"
  done < <(LD_LIBRARY_PATH="$R/opt/java/lib:$R/opt/java/lib/server" ldd "$f" | sed 's/^[[:space:]]*//')
done
# Nothing else is dlopen()ed on this path: glibc 2.34+ carries NSS files/dns inside libc.so.6.
for n in "${!seen[@]}"; do
  src="$(readlink -f "${seen[$n]}")"
  if [[ "$n" == */ld-linux-x86-64.so.2 || "$n" == ld-linux-x86-64.so.2 ]]; then
    cp "$src" "$R/lib64/ld-linux-x86-64.so.2"
  else
    cp "$src" "$R/lib/x86_64-linux-gnu/$(basename "$n")"
  fi
done
[[ -f "$R/lib64/ld-linux-x86-64.so.2" ]] || die "ldd named no dynamic loader"
log "glibc $GLIBC_VERSION pieces: $(cd "$R" && find lib lib64 -type f | sort | tr '\n' ' ')"

# ---------------------------------------------------------------- /etc
cat > "$R/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin
EOF
cat > "$R/etc/group" <<'EOF'
root:x:0:
nonroot:x:65532:
EOF
cat > "$R/etc/nsswitch.conf" <<'EOF'
passwd: files
group:  files
hosts:  files dns
EOF
# Kubernetes mounts its own /etc/hosts (and /etc/resolv.conf) over these.
cat > "$R/etc/hosts" <<'EOF'
127.0.0.1 localhost
::1       localhost ip6-localhost ip6-loopback
EOF
chmod 1777 "$R/tmp"

# ---------------------------------------------------------------- smoke + finish
if ! "$R/lib64/ld-linux-x86-64.so.2" --library-path "$R/lib/x86_64-linux-gnu" "$R/opt/java/bin/java" -version >/dev/null 2>&1; then
  die "the jlinked JRE does not start with its own loader and libraries"
fi
{ echo "jdk=$JDK_VERSION"; echo "modules=$MODULES"; echo "glibc=$GLIBC_VERSION"; } > "$OUT.tmp/KEY"
mv "$OUT.tmp" "$OUT"
date -u +%FT%TZ > "$STAMP"
point_current
# Older keyed builds are never used again (the key changed): drop them.
find "$CACHE/image" -mindepth 1 -maxdepth 1 -name 'jre-*' ! -name "jre-$KEY" -exec rm -rf {} +
log "built $ROOTFS ($(du -sh "$ROOTFS" | cut -f1)) in $((SECONDS - T0))s"
echo "$ROOTFS"
