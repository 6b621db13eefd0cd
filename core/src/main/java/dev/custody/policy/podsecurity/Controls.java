package dev.custody.policy.podsecurity;

import static dev.custody.policy.podsecurity.PodView.describe;
import static dev.custody.policy.podsecurity.PodView.isFalse;
import static dev.custody.policy.podsecurity.PodView.isTrue;
import static dev.custody.policy.podsecurity.PodView.present;
import static dev.custody.policy.podsecurity.PodView.sc;
import static dev.custody.policy.podsecurity.PodView.scPath;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.decision.ReasonCode;
import dev.custody.manifest.FieldPath;
import dev.custody.workload.Container;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The nineteen Pod Security Standards controls, version by version (see docs/pss-reference.md). */
final class Controls {

    private Controls() {}

    static final Set<String> BASELINE_CAPABILITIES = Set.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
            "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");
    static final Set<String> RESTRICTED_VOLUME_SOURCES = Set.of("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
            "persistentVolumeClaim", "projected", "secret");
    static final Set<String> SECCOMP_TYPES = Set.of("RuntimeDefault", "Localhost");
    static final Set<String> APPARMOR_TYPES = Set.of("RuntimeDefault", "Localhost");
    static final String APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";
    static final String SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
    static final String SECCOMP_CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/";

    /** Sysctls allowed by baseline, cumulative by the minor version that added them. */
    static final Map<Integer, List<String>> SYSCTLS = Map.of(
            0, List.of("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
                    "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"),
            27, List.of("net.ipv4.ip_local_reserved_ports"),
            29, List.of("net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                    "net.ipv4.tcp_keepalive_probes"),
            32, List.of("net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"),
            37, List.of("net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"));

    /** From v1.25 the standard exempts Windows pods from the Linux-only restricted controls. */
    static String windowsExempt(PodView p, PssVersion v) {
        return v.atLeast(25) && p.isWindows() ? "Windows pod" : null;
    }

    /** From v1.35 the standard relaxes some controls for pods in a user namespace (hostUsers: false). */
    static String userNamespaceExempt(PodView p, PssVersion v) {
        return v.atLeast(35) && p.userNamespace() ? "pod runs in a user namespace (hostUsers: false)" : null;
    }

    static boolean sysctlAllowed(String name, PssVersion v) {
        for (var e : SYSCTLS.entrySet()) {
            if (v.atLeast(e.getKey()) && e.getValue().contains(name)) {
                return true;
            }
        }
        return false;
    }

    static Set<String> seLinuxTypes(PssVersion v) {
        return v.atLeast(31) ? Set.of("", "container_t", "container_init_t", "container_kvm_t", "container_engine_t")
                : Set.of("", "container_t", "container_init_t", "container_kvm_t");
    }

    // ------------------------------------------------------------------ baseline

    static final Control HOST_NAMESPACES = new Control("hostNamespaces", Level.BASELINE, 0, ReasonCode.PSS_HOST_NAMESPACES,
            "host namespaces") {
        void check(PodView p, PssVersion v, Findings out) {
            for (String f : List.of("hostNetwork", "hostPID", "hostIPC")) {
                if (isTrue(p.spec.path(f))) {
                    out.add(p.specPath.child(f), f + "=true shares the node's namespace; remove it");
                }
            }
        }
    };

    static final Control PRIVILEGED = new Control("privileged", Level.BASELINE, 0, ReasonCode.PSS_PRIVILEGED, "privileged") {
        void check(PodView p, PssVersion v, Findings out) {
            for (Container c : p.containers) {
                if (isTrue(sc(c).path("privileged"))) {
                    out.add(scPath(c).child("privileged"), describe(c) + " must not set securityContext.privileged=true");
                }
            }
        }
    };

    static final Control CAPABILITIES_BASELINE = new Control("capabilities_baseline", Level.BASELINE, 0,
            ReasonCode.PSS_CAPABILITIES_BASELINE, "non-default capabilities") {
        void check(PodView p, PssVersion v, Findings out) {
            for (Container c : p.containers) {
                JsonNode add = sc(c).path("capabilities").path("add");
                for (int i = 0; i < add.size(); i++) {
                    String cap = add.get(i).asText();
                    if (!BASELINE_CAPABILITIES.contains(cap)) {
                        out.add(scPath(c).child("capabilities").child("add").index(i),
                                describe(c) + " must not add capability \"" + cap + "\" (baseline allows only the container runtime's defaults)");
                    }
                }
            }
        }
    };

    static final Control HOST_PATH_VOLUMES = new Control("hostPathVolumes", Level.BASELINE, 0, ReasonCode.PSS_HOST_PATH_VOLUMES,
            "hostPath volumes") {
        void check(PodView p, PssVersion v, Findings out) {
            JsonNode vols = p.spec.path("volumes");
            for (int i = 0; i < vols.size(); i++) {
                if (present(vols.get(i).get("hostPath"))) {
                    out.add(p.specPath.child("volumes").index(i).child("hostPath"),
                            "volume \"" + vols.get(i).path("name").asText() + "\" must not be a hostPath volume");
                }
            }
        }
    };

    static final Control HOST_PORTS = new Control("hostPorts", Level.BASELINE, 0, ReasonCode.PSS_HOST_PORTS, "hostPort") {
        void check(PodView p, PssVersion v, Findings out) {
            for (Container c : p.containers) {
                JsonNode ports = c.node().path("ports");
                for (int i = 0; i < ports.size(); i++) {
                    JsonNode hp = ports.get(i).path("hostPort");
                    if (present(hp) && hp.asLong(1) != 0) {
                        out.add(c.path().child("ports").index(i).child("hostPort"),
                                describe(c) + " must not use hostPort " + hp.asText());
                    }
                }
            }
        }
    };

    static final Control APPARMOR = new Control("appArmorProfile", Level.BASELINE, 0, ReasonCode.PSS_APPARMOR,
            "forbidden AppArmor profile") {
        void check(PodView p, PssVersion v, Findings out) {
            appArmorField(p.podSecurityContext(), p.podSecurityContextPath(), "the pod", out);
            for (Container c : p.containers) {
                appArmorField(sc(c), scPath(c), describe(c), out);
            }
            JsonNode annotations = p.metadata.path("annotations");
            for (Iterator<Map.Entry<String, JsonNode>> it = annotations.fields(); it.hasNext(); ) {
                var e = it.next();
                if (e.getKey().startsWith(APPARMOR_ANNOTATION)) {
                    String val = e.getValue().asText();
                    if (!(val.isEmpty() || val.equals("runtime/default") || val.startsWith("localhost/"))) {
                        out.add(p.metadataPath.child("annotations").child(e.getKey()),
                                "annotation " + e.getKey() + "=\"" + val + "\" must be runtime/default or localhost/*");
                    }
                }
            }
        }

        private void appArmorField(JsonNode securityContext, FieldPath path, String who, Findings out) {
            JsonNode prof = securityContext.path("appArmorProfile");
            if (present(prof)) {
                String type = prof.path("type").asText("");
                if (!APPARMOR_TYPES.contains(type)) {
                    out.add(path.child("appArmorProfile").child("type"),
                            who + " must not set appArmorProfile.type=\"" + type + "\" (use RuntimeDefault or Localhost)");
                }
            }
        }
    };

    static final Control SELINUX = new Control("seLinuxOptions", Level.BASELINE, 0, ReasonCode.PSS_SELINUX, "seLinuxOptions") {
        void check(PodView p, PssVersion v, Findings out) {
            seLinux(p.podSecurityContext(), p.podSecurityContextPath(), "the pod", v, out);
            for (Container c : p.containers) {
                seLinux(sc(c), scPath(c), describe(c), v, out);
            }
        }

        private void seLinux(JsonNode securityContext, FieldPath path, String who, PssVersion v, Findings out) {
            JsonNode opts = securityContext.path("seLinuxOptions");
            if (!present(opts)) {
                return;
            }
            FieldPath op = path.child("seLinuxOptions");
            String type = opts.path("type").asText("");
            if (!seLinuxTypes(v).contains(type)) {
                out.add(op.child("type"), who + " must not set seLinuxOptions.type=\"" + type + "\"");
            }
            for (String f : List.of("user", "role")) {
                if (!opts.path(f).asText("").isEmpty()) {
                    out.add(op.child(f), who + " must not set seLinuxOptions." + f);
                }
            }
        }
    };

    static final Control PROC_MOUNT = new Control("procMount", Level.BASELINE, 0, ReasonCode.PSS_PROC_MOUNT, "procMount") {
        String exemption(PodView p, PssVersion v) {
            return userNamespaceExempt(p, v);
        }

        void check(PodView p, PssVersion v, Findings out) {
            procMount(p, out);
        }
    };

    static void procMount(PodView p, Control.Findings out) {
        for (Container c : p.containers) {
            JsonNode pm = sc(c).path("procMount");
            if (present(pm) && !pm.asText().equals("Default")) {
                out.add(scPath(c).child("procMount"), describe(c) + " must not set procMount=" + pm.asText());
            }
        }
    }

    static final Control SECCOMP_BASELINE = new Control("seccompProfile_baseline", Level.BASELINE, 0,
            ReasonCode.PSS_SECCOMP_BASELINE, "seccompProfile") {
        void check(PodView p, PssVersion v, Findings out) {
            if (!v.atLeast(19)) {
                JsonNode ann = p.metadata.path("annotations");
                checkAnnotation(ann.get(SECCOMP_POD_ANNOTATION), SECCOMP_POD_ANNOTATION, p, out);
                for (Container c : p.containers) {
                    String key = SECCOMP_CONTAINER_ANNOTATION + c.name();
                    checkAnnotation(ann.get(key), key, p, out);
                }
                return;
            }
            seccompType(p.podSecurityContext(), p.podSecurityContextPath(), "the pod", out);
            for (Container c : p.containers) {
                seccompType(sc(c), scPath(c), describe(c), out);
            }
        }

        private void checkAnnotation(JsonNode val, String key, PodView p, Findings out) {
            if (val == null) {
                return;
            }
            String s = val.asText();
            if (!(s.equals("runtime/default") || s.equals("docker/default") || s.startsWith("localhost/"))) {
                out.add(p.metadataPath.child("annotations").child(key), "annotation " + key + "=\"" + s + "\" must be runtime/default or localhost/*");
            }
        }
    };

    static void seccompType(JsonNode securityContext, FieldPath path, String who, Control.Findings out) {
        JsonNode prof = securityContext.path("seccompProfile");
        if (present(prof)) {
            String type = prof.path("type").asText("");
            if (!SECCOMP_TYPES.contains(type)) {
                out.add(path.child("seccompProfile").child("type"),
                        who + " must not set seccompProfile.type=\"" + type + "\" (use RuntimeDefault or Localhost)");
            }
        }
    }

    static final Control SYSCTLS_CONTROL = new Control("sysctls", Level.BASELINE, 0, ReasonCode.PSS_SYSCTLS, "forbidden sysctls") {
        void check(PodView p, PssVersion v, Findings out) {
            JsonNode sysctls = p.podSecurityContext().path("sysctls");
            for (int i = 0; i < sysctls.size(); i++) {
                String name = sysctls.get(i).path("name").asText("");
                if (!sysctlAllowed(name, v)) {
                    out.add(p.podSecurityContextPath().child("sysctls").index(i).child("name"),
                            "sysctl \"" + name + "\" is not in the safe set of Pod Security Standards " + v);
                }
            }
        }
    };

    static final Control HOST_PROCESS = new Control("windowsHostProcess", Level.BASELINE, 0, ReasonCode.PSS_WINDOWS_HOST_PROCESS,
            "hostProcess") {
        void check(PodView p, PssVersion v, Findings out) {
            if (isTrue(p.podSecurityContext().path("windowsOptions").path("hostProcess"))) {
                out.add(p.podSecurityContextPath().child("windowsOptions").child("hostProcess"), "the pod must not set windowsOptions.hostProcess=true");
            }
            for (Container c : p.containers) {
                if (isTrue(sc(c).path("windowsOptions").path("hostProcess"))) {
                    out.add(scPath(c).child("windowsOptions").child("hostProcess"),
                            describe(c) + " must not set windowsOptions.hostProcess=true");
                }
            }
        }
    };

    static final Control HOST_PROBES = new Control("hostProbesAndHostLifecycle", Level.BASELINE, 34, ReasonCode.PSS_HOST_PROBES,
            "probe or lifecycle host") {
        void check(PodView p, PssVersion v, Findings out) {
            for (Container c : p.containers) {
                for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                    handler(c.node().path(probe), c.path().child(probe), c, out);
                }
                for (String hook : List.of("postStart", "preStop")) {
                    handler(c.node().path("lifecycle").path(hook), c.path().child("lifecycle").child(hook), c, out);
                }
            }
        }

        private void handler(JsonNode h, FieldPath path, Container c, Findings out) {
            for (String kind : List.of("httpGet", "tcpSocket")) {
                String host = h.path(kind).path("host").asText("");
                if (!host.isEmpty()) {
                    out.add(path.child(kind).child("host"), describe(c) + " must not set " + kind + ".host=\"" + host + "\"");
                }
            }
        }
    };

    // ------------------------------------------------------------------ restricted

    static final Control RESTRICTED_VOLUMES = new Control("restrictedVolumes", Level.RESTRICTED, 0, ReasonCode.PSS_RESTRICTED_VOLUMES,
            "restricted volume types") {
        void check(PodView p, PssVersion v, Findings out) {
            JsonNode vols = p.spec.path("volumes");
            for (int i = 0; i < vols.size(); i++) {
                JsonNode vol = vols.get(i);
                // No source at all is not a bad source: the API server defaults such a volume to emptyDir
                // before admission sees it, so Kubernetes admits it at every version.
                boolean ok = true;
                String type = null;
                for (Iterator<String> it = vol.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    if (f.equals("name") || !present(vol.get(f))) {
                        continue;
                    }
                    if (RESTRICTED_VOLUME_SOURCES.contains(f)) {
                        ok = true;
                        break;
                    }
                    // any other source fails, and so does a field not known as a source at all: upstream fails
                    // a source newer than its list the same way (the API server rejects or drops an unknown field)
                    ok = false;
                    type = f;
                }
                if (!ok) {
                    FieldPath vp = p.specPath.child("volumes").index(i);
                    out.add(vp.child(type),
                            "volume \"" + vol.path("name").asText() + "\" uses volume type " + type
                                    + "; restricted allows configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret");
                }
            }
        }
    };

    static final Control ALLOW_PRIVILEGE_ESCALATION = new Control("allowPrivilegeEscalation", Level.RESTRICTED, 8,
            ReasonCode.PSS_ALLOW_PRIVILEGE_ESCALATION, "allowPrivilegeEscalation != false") {
        String exemption(PodView p, PssVersion v) {
            return windowsExempt(p, v);
        }

        void check(PodView p, PssVersion v, Findings out) {
            for (Container c : p.containers) {
                if (!isFalse(sc(c).path("allowPrivilegeEscalation"))) {
                    out.add(scPath(c).child("allowPrivilegeEscalation"),
                            describe(c) + " must set securityContext.allowPrivilegeEscalation=false");
                }
            }
        }
    };

    static final Control SECCOMP_RESTRICTED = new Control("seccompProfile_restricted", Level.RESTRICTED, 19,
            ReasonCode.PSS_SECCOMP_RESTRICTED, "seccompProfile") {
        String exemption(PodView p, PssVersion v) {
            return windowsExempt(p, v);
        }

        void check(PodView p, PssVersion v, Findings out) {
            JsonNode podProf = p.podSecurityContext().path("seccompProfile");
            boolean podSet = false;
            if (present(podProf)) {
                if (SECCOMP_TYPES.contains(podProf.path("type").asText(""))) {
                    podSet = true;
                } else {
                    seccompType(p.podSecurityContext(), p.podSecurityContextPath(), "the pod", out);
                }
            }
            for (Container c : p.containers) {
                JsonNode prof = sc(c).path("seccompProfile");
                if (present(prof)) {
                    seccompType(sc(c), scPath(c), describe(c), out);
                } else if (!podSet) {
                    out.add(scPath(c).child("seccompProfile"),
                            describe(c) + " must set securityContext.seccompProfile.type to RuntimeDefault or Localhost (or the pod must)");
                }
            }
        }
    };

    static final Control CAPABILITIES_RESTRICTED = new Control("capabilities_restricted", Level.RESTRICTED, 22,
            ReasonCode.PSS_CAPABILITIES_RESTRICTED, "unrestricted capabilities") {
        String exemption(PodView p, PssVersion v) {
            return windowsExempt(p, v);
        }

        void check(PodView p, PssVersion v, Findings out) {
            for (Container c : p.containers) {
                JsonNode caps = sc(c).path("capabilities");
                FieldPath capsPath = scPath(c).child("capabilities");
                boolean dropsAll = false;
                for (JsonNode d : caps.path("drop")) {
                    if (d.asText().equals("ALL")) {
                        dropsAll = true;
                    }
                }
                if (!dropsAll) {
                    out.add(capsPath.child("drop"), describe(c) + " must set securityContext.capabilities.drop=[\"ALL\"]");
                }
                JsonNode add = caps.path("add");
                for (int i = 0; i < add.size(); i++) {
                    String cap = add.get(i).asText();
                    if (!cap.equals("NET_BIND_SERVICE")) {
                        out.add(capsPath.child("add").index(i),
                                describe(c) + " must not add capability \"" + cap + "\" (restricted allows only NET_BIND_SERVICE)");
                    }
                }
            }
        }
    };

    static final Control RUN_AS_NON_ROOT = new Control("runAsNonRoot", Level.RESTRICTED, 0, ReasonCode.PSS_RUN_AS_NON_ROOT,
            "runAsNonRoot != true") {
        String exemption(PodView p, PssVersion v) {
            return userNamespaceExempt(p, v);
        }

        void check(PodView p, PssVersion v, Findings out) {
            JsonNode pod = p.podSecurityContext().path("runAsNonRoot");
            if (isFalse(pod)) {
                out.add(p.podSecurityContextPath().child("runAsNonRoot"), "the pod must not set runAsNonRoot=false");
            }
            boolean podTrue = isTrue(pod);
            for (Container c : p.containers) {
                JsonNode cn = sc(c).path("runAsNonRoot");
                if (isFalse(cn)) {
                    out.add(scPath(c).child("runAsNonRoot"), describe(c) + " must not set runAsNonRoot=false");
                } else if (!present(cn) && !podTrue && !isFalse(pod)) {
                    out.add(scPath(c).child("runAsNonRoot"), describe(c) + ": the pod or the container must set runAsNonRoot=true");
                }
            }
        }
    };

    static final Control RUN_AS_USER = new Control("runAsUser", Level.RESTRICTED, 23, ReasonCode.PSS_RUN_AS_USER, "runAsUser=0") {
        String exemption(PodView p, PssVersion v) {
            return userNamespaceExempt(p, v);
        }

        void check(PodView p, PssVersion v, Findings out) {
            JsonNode pod = p.podSecurityContext().path("runAsUser");
            if (pod.isNumber() && pod.asLong() == 0) {
                out.add(p.podSecurityContextPath().child("runAsUser"), "the pod must not set runAsUser=0");
            }
            for (Container c : p.containers) {
                JsonNode u = sc(c).path("runAsUser");
                if (u.isNumber() && u.asLong() == 0) {
                    out.add(scPath(c).child("runAsUser"), describe(c) + " must not set runAsUser=0");
                }
            }
        }
    };

    static final Control PROC_MOUNT_RESTRICTED = new Control("procMount_restricted", Level.RESTRICTED, 35,
            ReasonCode.PSS_PROC_MOUNT, "procMount") {
        void check(PodView p, PssVersion v, Findings out) {
            procMount(p, out);
        }
    };

    static final List<Control> ALL = List.of(APPARMOR, CAPABILITIES_BASELINE, HOST_NAMESPACES, HOST_PATH_VOLUMES, HOST_PORTS,
            HOST_PROBES, PRIVILEGED, PROC_MOUNT, SELINUX, SECCOMP_BASELINE, SYSCTLS_CONTROL, HOST_PROCESS,
            ALLOW_PRIVILEGE_ESCALATION, CAPABILITIES_RESTRICTED, PROC_MOUNT_RESTRICTED, RESTRICTED_VOLUMES, RUN_AS_NON_ROOT,
            RUN_AS_USER, SECCOMP_RESTRICTED);

    /** The controls a level runs at a version: baseline minus those restricted overrides, plus restricted ones. */
    static List<Control> select(Level level, PssVersion v) {
        List<Control> out = new ArrayList<>();
        for (Control c : ALL) {
            if (!v.atLeast(c.since)) {
                continue;
            }
            if (c.level == Level.RESTRICTED && level == Level.BASELINE) {
                continue;
            }
            if (level == Level.RESTRICTED && overridden(c, v)) {
                continue;
            }
            out.add(c);
        }
        return out;
    }

    private static boolean overridden(Control c, PssVersion v) {
        return c == HOST_PATH_VOLUMES
                || (c == SECCOMP_BASELINE && v.atLeast(19))
                || (c == CAPABILITIES_BASELINE && v.atLeast(22))
                || (c == PROC_MOUNT && v.atLeast(35));
    }

    static Control byId(String id) {
        for (Control c : ALL) {
            if (c.id.equals(id)) {
                return c;
            }
        }
        return null;
    }
}
