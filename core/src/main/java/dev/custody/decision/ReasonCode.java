package dev.custody.decision;

/**
 * Stable reason codes. Tools and people match on these, never on message text; docs/reason-codes.md lists
 * them (a test keeps that file and this enum in step). Codes are never renamed or reused.
 */
public enum ReasonCode {
    // images.validReference
    IMAGE_MISSING(Outcome.FAIL, "The container has no image."),
    IMAGE_REFERENCE_INVALID(Outcome.FAIL, "The image reference does not follow the distribution reference grammar; the message says which part is wrong."),
    IMAGE_REFERENCE_VALID(Outcome.PASS, "The image reference is well formed."),

    // images.allowedRegistries
    REGISTRY_NOT_ALLOWED(Outcome.FAIL, "The image's registry and repository match none of the allowed patterns."),
    REGISTRY_ALLOWED(Outcome.PASS, "The image's registry and repository match an allowed pattern."),

    // images.requireDigest
    DIGEST_REQUIRED(Outcome.FAIL, "The image is referenced by a mutable tag (or none) instead of a digest."),
    DIGEST_PINNED(Outcome.PASS, "The image is pinned by digest."),

    // images.denyTags
    TAG_DENIED(Outcome.FAIL, "The image's tag is on the policy's list of denied tags (for example latest)."),
    IMPLICIT_LATEST_DENIED(Outcome.FAIL, "The image has neither tag nor digest, so the runtime pulls latest, which the policy denies."),
    TAG_ALLOWED(Outcome.PASS, "The image's tag is not denied, or a digest pins the content."),

    // images.requireSignature / images.requireProvenance before verification exists
    SIGNATURE_NOT_YET_VERIFIABLE(Outcome.ERROR, "The policy requires a verified signature, which this version of Custody cannot verify yet; never reported as pass."),
    PROVENANCE_NOT_YET_VERIFIABLE(Outcome.ERROR, "The policy requires verified provenance, which this version of Custody cannot verify yet; never reported as pass."),

    // trust.<name>
    SIGNATURE_VERIFIED(Outcome.PASS, "Enough of the trust rule's authorities signed the image's digest (and every required one did)."),
    SIGNATURE_VERIFIED_EARLIER(Outcome.WARN, "The registry could not be reached, but this digest verified within the grace period; admitted with a warning."),
    SIGNATURE_MISSING(Outcome.FAIL, "No signature was found for the image's digest."),
    SIGNATURE_INVALID(Outcome.FAIL, "Signatures were found but do not satisfy the trust rule: a bad signature, another signer, another digest, or too few authorities. Always denies under enforce, whatever the failure mode."),
    SIGNATURE_UNAVAILABLE(Outcome.ERROR, "The registry or the verifier did not answer in time (an outage, not a bad signature); the rule's failure mode decides."),
    SIGNATURE_NOT_CHECKED(Outcome.ERROR, "Signatures were not verified here: custody check does not contact registries (custody verify and admission do)."),
    PROVENANCE_VERIFIED(Outcome.PASS, "SLSA provenance attested by the trust rule's authorities names the image's digest, and its builder, repository, ref and commit satisfy the rule."),
    PROVENANCE_VERIFIED_EARLIER(Outcome.WARN, "The registry could not be reached, but this digest's provenance verified within the grace period; admitted with a warning."),
    PROVENANCE_MISSING(Outcome.FAIL, "No SLSA provenance attested by the rule's authorities was found for the image's digest."),
    PROVENANCE_INVALID(Outcome.FAIL, "Provenance was found but fails: a bad signature, another subject digest, or a builder, repository, ref or commit the rule does not allow."),
    PROVENANCE_UNAVAILABLE(Outcome.ERROR, "The registry or the verifier did not answer in time (an outage, not bad provenance); the rule's failure mode decides."),
    PROVENANCE_NOT_CHECKED(Outcome.ERROR, "Provenance was not verified here: custody check does not contact registries (custody verify and admission do)."),
    SBOM_ATTESTED(Outcome.PASS, "An SBOM (CycloneDX or SPDX) attested by the trust rule's authorities names the image's digest."),
    SBOM_ATTESTED_EARLIER(Outcome.WARN, "The registry could not be reached, but this digest's SBOM attestation verified within the grace period; admitted with a warning."),
    SBOM_ATTESTATION_MISSING(Outcome.FAIL, "No SBOM attested by the rule's authorities was found for the image's digest."),
    SBOM_ATTESTATION_INVALID(Outcome.FAIL, "Attestations were found but no SBOM among them verifies: a bad signature, an untrusted signer, another subject digest, or an SBOM that cannot be read."),
    SBOM_ATTESTATION_UNAVAILABLE(Outcome.ERROR, "The registry or the verifier did not answer in time (an outage, not a missing SBOM); the rule's failure mode decides."),
    SBOM_ATTESTATION_NOT_CHECKED(Outcome.ERROR, "SBOM attestations were not verified here: custody check does not contact registries (custody verify and admission do)."),
    SCAN_ATTESTED(Outcome.PASS, "A vulnerability scan attested by the trust rule's authorities names the image's digest and finished within the rule's maximum age."),
    SCAN_ATTESTED_EARLIER(Outcome.WARN, "The registry could not be reached, but this digest's scan attestation verified within the grace period; admitted with a warning."),
    SCAN_ATTESTATION_MISSING(Outcome.FAIL, "No vulnerability scan attested by the rule's authorities was found for the image's digest."),
    SCAN_ATTESTATION_INVALID(Outcome.FAIL, "Attestations were found but no vulnerability scan among them verifies: a bad signature, an untrusted signer, another subject digest, or a scan without a finish time."),
    SCAN_ATTESTATION_STALE(Outcome.FAIL, "The newest verified vulnerability scan of the digest finished longer ago than the rule's maxAge allows."),
    SCAN_ATTESTATION_UNAVAILABLE(Outcome.ERROR, "The registry or the verifier did not answer in time (an outage, not a missing scan); the rule's failure mode decides."),
    SCAN_ATTESTATION_NOT_CHECKED(Outcome.ERROR, "Scan attestations were not verified here: custody check does not contact registries (custody verify and admission do)."),
    TRUST_NOT_APPLICABLE(Outcome.SKIP, "None of the workload's images is covered by the trust rule."),

    // generic skips
    SKIPPED_INVALID_REFERENCE(Outcome.SKIP, "The rule was not evaluated for this image because its reference is malformed (reported under images.validReference)."),
    SKIPPED_NO_IMAGE(Outcome.SKIP, "The rule was not evaluated for this container because it has no image (reported under images.validReference)."),
    NO_CONTAINERS(Outcome.SKIP, "The workload has no containers, so the rule has nothing to check."),

    // cel.<name>
    CEL_PASSED(Outcome.PASS, "The custom CEL rule's expression is true for this workload."),
    CEL_FAILED(Outcome.FAIL, "The custom CEL rule's expression is false; the message (or messageExpression) says why."),
    CEL_EVALUATION_ERROR(Outcome.ERROR, "The CEL expression could not be evaluated (for example a missing field without has(), or a non-boolean result)."),
    CEL_COST_LIMIT_EXCEEDED(Outcome.ERROR, "The CEL expression was stopped when it exceeded its cost limit (evaluation steps or comprehension iterations)."),

    // podSecurity.<control>: one code per Pod Security Standards control
    PSS_SATISFIED(Outcome.PASS, "The Pod Security Standards control holds for this pod template."),
    PSS_EXEMPT(Outcome.SKIP, "The control does not apply to this pod (a Windows pod, or a pod in a user namespace, as the standard says)."),
    PSS_HOST_NAMESPACES(Outcome.FAIL, "hostNetwork, hostPID or hostIPC is true (baseline)."),
    PSS_PRIVILEGED(Outcome.FAIL, "A container sets securityContext.privileged=true (baseline)."),
    PSS_CAPABILITIES_BASELINE(Outcome.FAIL, "A container adds a capability beyond the runtime's default set (baseline)."),
    PSS_HOST_PATH_VOLUMES(Outcome.FAIL, "The pod mounts a hostPath volume (baseline)."),
    PSS_HOST_PORTS(Outcome.FAIL, "A container uses a non-zero hostPort (baseline)."),
    PSS_APPARMOR(Outcome.FAIL, "An AppArmor profile field or annotation is unconfined or unknown (baseline)."),
    PSS_SELINUX(Outcome.FAIL, "seLinuxOptions sets a forbidden type, or sets user or role (baseline)."),
    PSS_PROC_MOUNT(Outcome.FAIL, "A container sets procMount to something other than Default (baseline; restricted from v1.35 even in user namespaces)."),
    PSS_SECCOMP_BASELINE(Outcome.FAIL, "A seccomp profile is Unconfined or unknown (baseline)."),
    PSS_SYSCTLS(Outcome.FAIL, "The pod sets a sysctl outside the standard's safe set for its version (baseline)."),
    PSS_WINDOWS_HOST_PROCESS(Outcome.FAIL, "The pod or a container sets windowsOptions.hostProcess=true (baseline)."),
    PSS_HOST_PROBES(Outcome.FAIL, "A probe or lifecycle handler sets a host (baseline from v1.34)."),
    PSS_RESTRICTED_VOLUMES(Outcome.FAIL, "A volume has a source restricted does not allow (one without a source is an emptyDir, as the API server makes it)."),
    PSS_ALLOW_PRIVILEGE_ESCALATION(Outcome.FAIL, "A container does not set allowPrivilegeEscalation=false (restricted)."),
    PSS_SECCOMP_RESTRICTED(Outcome.FAIL, "Neither the pod nor every container sets seccompProfile RuntimeDefault or Localhost (restricted)."),
    PSS_CAPABILITIES_RESTRICTED(Outcome.FAIL, "A container does not drop ALL capabilities, or adds one other than NET_BIND_SERVICE (restricted)."),
    PSS_RUN_AS_NON_ROOT(Outcome.FAIL, "runAsNonRoot is false, or neither the pod nor the container sets it to true (restricted)."),
    PSS_RUN_AS_USER(Outcome.FAIL, "The pod or a container sets runAsUser=0 (restricted)."),

    // serviceAccount.*
    SERVICE_ACCOUNT_OK(Outcome.PASS, "The workload's ServiceAccount use is within its boundary."),
    SERVICE_ACCOUNT_DEFAULT(Outcome.FAIL, "The workload runs as its namespace's default ServiceAccount."),
    SERVICE_ACCOUNT_TOKEN_MOUNTED(Outcome.FAIL, "The workload mounts an API token (automountServiceAccountToken is not false) and its ServiceAccount is not allowed to talk to the API."),
    SERVICE_ACCOUNT_TOKEN_AUDIENCE(Outcome.FAIL, "A projected service account token has no audience or an unexpected one."),
    SERVICE_ACCOUNT_NO_PROJECTED_TOKEN(Outcome.SKIP, "The workload has no projected service account token to check."),

    // ownership.*
    OWNERSHIP_OK(Outcome.PASS, "The required ownership label or annotation is present and matches."),
    OWNERSHIP_LABEL_MISSING(Outcome.FAIL, "The workload lacks a required ownership label."),
    OWNERSHIP_ANNOTATION_MISSING(Outcome.FAIL, "The workload lacks a required ownership annotation."),
    OWNERSHIP_NAMESPACE_LABEL_MISSING(Outcome.FAIL, "The workload's namespace lacks a required ownership label."),
    OWNERSHIP_VALUE_MISMATCH(Outcome.FAIL, "An ownership label or annotation is present but its value does not match the required pattern."),

    // engine
    RULE_EVALUATION_FAILED(Outcome.ERROR, "The rule threw while evaluating this workload (a bug); the rule's failure mode decides the verdict."),

    // denylist (the emergency denylist, checked before every policy)
    DENYLISTED(Outcome.FAIL, "The image's digest or repository is on the emergency denylist; the message gives the entry and its reason. Denies in every namespace, whatever the policies select."),

    // trust.<name>.promotion (a recorded promotion from an earlier tier)
    PROMOTION_RECORDED(Outcome.PASS, "The digest was promoted to the tier the trust rule names (custody promote)."),
    PROMOTION_MISSING(Outcome.FAIL, "The digest has no recorded promotion to the tier the trust rule names, or the reference pins no digest."),
    PROMOTION_NOT_CHECKED(Outcome.SKIP, "Promotions were not checked: no evidence store is read here (custody check without --store)."),

    // delivery.writer, delivery.source, delivery.chart
    DELIVERY_NOT_IN_ADMISSION(Outcome.SKIP, "Who writes an object, and with which GitOps tracking, is known in admission only; custody check skips these rules."),
    DELIVERY_WRITER_OK(Outcome.PASS, "The object is written by an identity spec.delivery.writers names (the GitOps controller)."),
    DELIVERY_CONTROLLER_OWNED(Outcome.PASS, "The object is owned by another (a ReplicaSet of a Deployment) and written by a cluster controller; its owner's write was judged."),
    DELIVERY_BREAK_GLASS(Outcome.WARN, "A person wrote the object under an approved, unexpired break-glass grant; admitted with a warning and recorded."),
    DELIVERY_WRITER_UNAPPROVED(Outcome.FAIL, "The object is written by an identity that is not an approved writer, without an active break-glass grant (the message names an expired one)."),
    DELIVERY_UNTRACKED(Outcome.FAIL, "The GitOps controller wrote an object that carries no tracking (Argo CD annotation or Flux labels), so its source cannot be traced."),
    DELIVERY_TRACKING_INVALID(Outcome.FAIL, "The object's tracking metadata is malformed or names another object (copied), and is not believed."),
    DELIVERY_SOURCE_OK(Outcome.PASS, "The object was applied from a GitOps resource, repository and path that spec.delivery.sources approves."),
    DELIVERY_SOURCE_UNAPPROVED(Outcome.FAIL, "The object was applied from a GitOps resource, repository, path or revision that spec.delivery.sources does not approve."),
    DELIVERY_SOURCE_UNKNOWN(Outcome.FAIL, "The object's GitOps resource is not known to the API server (or not read yet), so its repository and path cannot be checked; fails closed."),
    DELIVERY_CHART_OK(Outcome.PASS, "The object comes from a Helm chart at a pinned version that spec.delivery.charts allows."),
    DELIVERY_CHART_UNPINNED(Outcome.FAIL, "The object comes from a Helm chart asked for by a range, by no version, or with no exact version in its helm.sh/chart label."),
    DELIVERY_CHART_UNAPPROVED(Outcome.FAIL, "The object comes from a Helm chart or chart version that spec.delivery.charts.allowed does not name."),
    DELIVERY_CHART_NONE(Outcome.SKIP, "The object does not come from a Helm chart."),

    // vulnerabilities.gate (spec.vulnerabilities: stored findings judged by the environment's gate table)
    VULN_GATE_PASSED(Outcome.PASS, "The digest's stored findings hold nothing the tier's gate stops (findings the table records are counted in the message)."),
    VULN_BLOCKED(Outcome.FAIL, "A finding the table blocks in this tier (by default a critical known to be exploited, in staging and production); no exception admits it, only a fix or a VEX not_affected statement."),
    VULN_EXCEPTION_REQUIRED(Outcome.FAIL, "A finding that needs an approved, unexpired exception in this tier and has none (an expired, too long or too wide exception is named as not honoured)."),
    VULN_EXCEPTION_APPLIED(Outcome.PASS, "An approved exception admits findings that would otherwise deny; the message names it, and admission puts its id in the audit annotations."),
    VULN_SLA_RUNNING(Outcome.WARN, "A finding whose fix deadline (its severity's SLA, counted from first seen) has not passed yet; the message gives the date."),
    VULN_SLA_EXCEEDED(Outcome.FAIL, "A finding past its fix deadline (SLA) with no exception that covers it."),
    VULN_WARNED(Outcome.WARN, "A finding the table warns about in this tier."),
    VULN_RISK_REVIEW(Outcome.WARN, "A critical or high finding with no fix available: it needs a risk review."),
    VULN_TICKET(Outcome.WARN, "A base-image finding (a distribution package with a fix): a ticket is due."),
    VULN_REBUILD_BASE(Outcome.WARN, "A base-image finding (a distribution package with a fix): rebuild the image on a fixed base."),
    VULN_NOT_SCANNED(Outcome.SKIP, "No SBOM of the digest is stored, so its vulnerabilities are unknown; spec.vulnerabilities.unscanned decides (record, warn or block)."),
    VULN_NO_DIGEST(Outcome.SKIP, "The reference pins no digest and no running digest is known; evidence is kept by digest (images.requireDigest reports the tag)."),
    VULN_NOT_CHECKED(Outcome.SKIP, "No evidence store is read here (custody check without --store), so the gate did not look.");

    private final Outcome typical;
    private final String description;

    ReasonCode(Outcome typical, String description) {
        this.typical = typical;
        this.description = description;
    }

    /** The outcome this code normally accompanies (FAIL codes become WARN under warn or audit actions). */
    public Outcome typicalOutcome() {
        return typical;
    }

    public String description() {
        return description;
    }
}
