# Finds a JDK of 21 or newer. Sourced by bin/custody, scripts/test.sh and .ci/run.
# Order: $CUSTODY_JAVA_HOME, $JAVA_HOME, the java on PATH, then /usr/lib/jvm/* and /opt/java/* (newest first).

custody_jdk_major() {
  local home="$1" v
  [[ -x "$home/bin/java" && -x "$home/bin/javac" ]] || return 1
  if [[ -f "$home/release" ]]; then
    v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")"
  else
    v="$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)"
  fi
  [[ -n "$v" ]] && echo "$v"
}

custody_find_jdk() {
  local candidates=() c major
  [[ -n "${CUSTODY_JAVA_HOME:-}" ]] && candidates+=("$CUSTODY_JAVA_HOME")
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for c in $(ls -d /usr/lib/jvm/* /opt/java/* 2>/dev/null | sort -rV); do candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    major="$(custody_jdk_major "$c" 2>/dev/null)" || continue
    if [[ -n "$major" && "$major" -ge 21 ]]; then
      echo "$c"
      return 0
    fi
  done
  echo "custody: no JDK of 21 or newer found (looked at \$CUSTODY_JAVA_HOME, \$JAVA_HOME, java on PATH, /usr/lib/jvm, /opt/java)." >&2
  echo "custody: install one (for example Temurin 21 or 25) and set JAVA_HOME to it." >&2
  return 1
}
