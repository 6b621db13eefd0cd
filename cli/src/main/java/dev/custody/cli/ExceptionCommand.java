package dev.custody.cli;

import dev.custody.evidence.Times;
import dev.custody.policy.Ages;
import dev.custody.policy.PolicySet;
import dev.custody.store.Exceptions;
import dev.custody.store.SbomStore;
import dev.custody.store.Store;
import dev.custody.store.StoreException;
import dev.custody.vuln.gate.VulnerabilityGate;
import dev.custody.vulns.ExceptionViews;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code custody exception}: accountable, time-limited vulnerability exceptions. A request names its scope, owner,
 * reason and expiry; another identity approves it; it is active until it expires or is revoked, and every step is a
 * record of the hash-chained decision log. The gate honours it in admission, background re-evaluation and
 * {@code custody check} alike, within the bounds its policy sets.
 */
@Command(name = "exception", mixinStandardHelpOptions = true, description = "Request, approve, revoke and list vulnerability exceptions.",
        subcommands = {ExceptionCommand.Request.class, ExceptionCommand.Approve.class, ExceptionCommand.Revoke.class, ExceptionCommand.ListCmd.class,
                ExceptionCommand.Show.class})
public final class ExceptionCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A subcommand on the store: refusals and usage errors exit 2 with a message, store errors exit 3. */
    abstract static class Sub implements Callable<Integer> {
        @Mixin
        StoreOption store;

        @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
        String output;

        @Option(names = "--as", paramLabel = "IDENTITY", description = {"Who acts (default: the OS user). Through the API, the token's name is the",
                "identity and cannot be chosen."})
        String as;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract int run(Store s, Exceptions ex, PrintWriter out, boolean json);

        String actor() {
            return as != null && !as.isBlank() ? as : System.getProperty("user.name", "");
        }

        @Override
        public Integer call() {
            if (!output.equals("text") && !output.equals("json")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--output must be text or json, found \"" + output + "\"");
            }
            try (Store s = store.open()) {
                return run(s, new Exceptions(s), spec.commandLine().getOut(), output.equals("json"));
            } catch (Exceptions.Refused e) {
                spec.commandLine().getErr().println("custody: " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            } catch (StoreException e) {
                spec.commandLine().getErr().println("custody: store error: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            }
        }

        void print(PrintWriter out, boolean json, Exceptions.VulnException e, List<Exceptions.Event> history) {
            long now = System.currentTimeMillis();
            if (json) {
                Json.print(out, ExceptionViews.view(e, now, history));
                return;
            }
            out.printf("%s  %s  %s%n", e.id(), e.state(now), e.scope());
            out.printf("  owner %s, requested by %s at %s, expires %s%n", e.owner(), e.requester(), Instant.ofEpochMilli(e.requestedAt()),
                    Instant.ofEpochMilli(e.expiresAt()));
            out.printf("  reason: %s%s%n", e.reason(), e.ticket() == null ? "" : " (" + e.ticket() + ")");
            if (e.approver() != null) {
                out.printf("  approved by %s at %s%n", e.approver(), Instant.ofEpochMilli(e.approvedAt()));
            }
            if (e.closedBy() != null) {
                out.printf("  %s by %s at %s: %s%n", e.storedState(), e.closedBy(), Instant.ofEpochMilli(e.closedAt()), e.closeReason());
            }
            if (history != null) {
                for (Exceptions.Event ev : history) {
                    out.printf("  %s  %-8s %s  %s  (decision log #%d)%n", Instant.ofEpochMilli(ev.at()), ev.action(), ev.actor(), ev.detail(), ev.auditSeq());
                }
            }
        }
    }

    @Command(name = "request", mixinStandardHelpOptions = true, description = {"Request an exception; prints its id. Another identity must approve it before it counts.",
            "A namespace left out, or any field given as *, covers any; the policy decides which may be *.",
            "With --break-glass USER, a break-glass grant instead: USER may write workloads in the namespace outside the GitOps",
            "controller (spec.delivery) until it expires."})
    static final class Request extends Sub {
        @Option(names = "--vulnerability", paramLabel = "ID", description = "The vulnerability id or an alias (CVE, GHSA, ...), or *.")
        String vulnerability;

        @Option(names = "--digest", paramLabel = "sha256:HEX", description = "The image digest it covers, or *.")
        String digest;

        @Option(names = "--break-glass", paramLabel = "USER", description = "Request a break-glass grant for this user name instead of a vulnerability exception.")
        String breakGlass;

        @Option(names = "--namespace", paramLabel = "NS", description = "The namespace it covers (default: any).")
        String namespace;

        @Option(names = "--rule", paramLabel = "RULE", description = "The rule it covers, or * (default: " + VulnerabilityGate.ID + ").")
        String rule;

        @Option(names = "--owner", required = true, paramLabel = "TEAM", description = "The team that owns the risk.")
        String owner;

        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why the risk is tolerated.")
        String reason;

        @Option(names = "--ticket", paramLabel = "URL", description = "The ticket that tracks the fix.")
        String ticket;

        @Option(names = "--expires", required = true, paramLabel = "WHEN", description = {"When it expires: an instant, a date, or a length from now",
                "(30d). Required; the policy bounds it."})
        String expires;

        @Option(names = {"-p", "--policy"}, paramLabel = "FILE|DIR", description = "Refuse now a request longer than these policies' gates allow.")
        List<String> policies = new ArrayList<>();

        @Override
        int run(Store s, Exceptions ex, PrintWriter out, boolean json) {
            if (breakGlass != null && (vulnerability != null || digest != null || rule != null)) {
                throw new IllegalArgumentException("--break-glass grants a person writes in a namespace; it takes no --vulnerability, --digest or --rule");
            }
            if (breakGlass == null && (vulnerability == null || digest == null)) {
                throw new IllegalArgumentException("an exception needs --vulnerability and --digest (or --break-glass USER for a break-glass grant)");
            }
            if (digest != null && !digest.equals("*") && !SbomStore.DIGEST.matcher(digest).matches()) {
                throw new IllegalArgumentException("--digest must be sha256:<64 lower-case hex> or *, found \"" + digest + "\"");
            }
            long now = System.currentTimeMillis();
            long until;
            try {
                until = Times.until(expires, Instant.ofEpochMilli(now));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--expires: " + e.getMessage());
            }
            if (!policies.isEmpty() && breakGlass == null) {
                PolicySet set = Policies.loadOrReport(policies, spec.commandLine().getErr());
                if (set == null) {
                    return ExitCodes.INPUT_ERROR;
                }
                Duration longest = null;
                for (var p : set.policies()) {
                    for (var r : p.rules()) {
                        if (r instanceof VulnerabilityGate g && (longest == null || g.bounds().maxLength().compareTo(longest) > 0)) {
                            longest = g.bounds().maxLength();
                        }
                    }
                }
                if (longest != null && until - now > longest.toMillis()) {
                    throw new Exceptions.Refused("--expires " + expires + " is longer than the policies allow (" + longest.toDays() + " days)");
                }
            }
            Exceptions.VulnException e = ex.request(breakGlass != null ? Exceptions.Request.breakGlass(breakGlass, namespace, owner, reason, ticket, until)
                    : new Exceptions.Request(digest, namespace, rule, vulnerability, owner, reason, ticket, until), actor(), now);
            if (json) {
                print(out, true, e, null);
            } else {
                out.println(e.id());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, description = "Approve a requested exception (not by its requester): it is active from now until its expiry.")
    static final class Approve extends Sub {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--note", paramLabel = "TEXT", description = "What the approver checked.")
        String note;

        @Override
        int run(Store s, Exceptions ex, PrintWriter out, boolean json) {
            Exceptions.VulnException e = ex.approve(id, actor(), note, System.currentTimeMillis());
            print(out, json, e, null);
            return ExitCodes.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a requested or active exception: the gate applies again from now.")
    static final class Revoke extends Sub {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--reason", required = true, paramLabel = "TEXT")
        String reason;

        @Override
        int run(Store s, Exceptions ex, PrintWriter out, boolean json) {
            Exceptions.VulnException e = ex.revoke(id, actor(), reason, System.currentTimeMillis());
            print(out, json, e, null);
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Exceptions, newest first; --expiring shows active ones that expire soon.")
    static final class ListCmd extends Sub {
        @Option(names = "--state", paramLabel = "STATE", description = "requested, active, expired or revoked.")
        String state;

        @Option(names = "--expiring", paramLabel = "AGE", description = "Only active exceptions that expire within this (7d).")
        String expiring;

        @Option(names = "--limit", defaultValue = "500", paramLabel = "N")
        int limit;

        @Override
        int run(Store s, Exceptions ex, PrintWriter out, boolean json) {
            if (state != null && !List.of("requested", "active", "expired", "revoked").contains(state)) {
                throw new IllegalArgumentException("--state must be requested, active, expired or revoked, found \"" + state + "\"");
            }
            long within = expiring == null ? -1 : Ages.parse(expiring).toMillis();
            long now = System.currentTimeMillis();
            List<Exceptions.VulnException> shown = new ArrayList<>();
            for (Exceptions.VulnException e : ex.list(Math.max(1, Math.min(limit, 10_000)))) {
                if ((state == null || e.state(now).equals(state)) && (within < 0 || ExceptionViews.expiringWithin(e, now, within))) {
                    shown.add(e);
                }
            }
            if (json) {
                Json.print(out, Map.of("exceptions", shown.stream().map(e -> ExceptionViews.view(e, now, null)).toList()));
            } else {
                for (Exceptions.VulnException e : shown) {
                    out.printf("%s  %-9s %-20s %s  ns %s  owner %s  expires %s%n", e.id(), e.state(now),
                            e.breakGlass() ? "break-glass" : e.vulnerability(), e.breakGlass() ? "for " + e.subject() : e.digest(), e.namespace(),
                            e.owner(), Instant.ofEpochMilli(e.expiresAt()));
                }
                out.printf("%d exceptions%n", shown.size());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One exception with its history.")
    static final class Show extends Sub {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        int run(Store s, Exceptions ex, PrintWriter out, boolean json) {
            Exceptions.VulnException e = ex.find(id).orElseThrow(() -> new Exceptions.Refused("no exception " + id
                    + " (custody exception list shows them)"));
            print(out, json, e, ex.history(id));
            return ExitCodes.OK;
        }
    }
}
