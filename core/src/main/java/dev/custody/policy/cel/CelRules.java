package dev.custody.policy.cel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.custody.decision.Action;
import dev.custody.decision.FailureMode;
import dev.custody.manifest.FieldPath;
import dev.custody.manifest.Position;
import dev.custody.policy.Fields;
import dev.custody.policy.Rule;
import dev.custody.policy.RuleFamily;
import dev.custody.policy.RuleSettings;
import dev.custody.policy.Tier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code spec.cel} section: custom rules in CEL, compiled and type-checked when the policy loads.
 *
 * <pre>
 * cel:
 *   - name: team-label
 *     expression: "has(object.metadata.labels) &amp;&amp; 'team' in object.metadata.labels"
 *     message: every workload names its team
 *     messageExpression: "'workload ' + object.metadata.name + ' has no team label'"
 *     action: warn
 * </pre>
 */
public final class CelRules implements RuleFamily {

    /** Comprehension iterations one evaluation of an expression may spend (nested loops count together). */
    public static final long DEFAULT_COST_LIMIT = 100_000;
    public static final long MAX_COST_LIMIT = 10_000_000;
    static final int MAX_EXPRESSION_LENGTH = 5_000;
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Set<String> ENTRY = Set.of("name", "expression", "message", "messageExpression", "action",
            "failureMode", "costLimit");

    /**
     * {@code matches} with compiled patterns kept: the runtime compiles the pattern on every call, which for a
     * rule over every container of every admission is most of the rule's cost. Same semantics as the standard
     * function (RE2 via re2j, partial match as the options say, the program size limit).
     */
    static final class Regexes {
        private static final int MAX_CACHED = 512;
        private static final java.util.concurrent.ConcurrentHashMap<String, com.google.re2j.Pattern> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

        static final java.util.List<dev.cel.runtime.CelFunctionBinding> BINDINGS = java.util.List.of(
                dev.cel.runtime.CelFunctionBinding.from("matches", String.class, String.class, Regexes::matches),
                dev.cel.runtime.CelFunctionBinding.from("matches_string", String.class, String.class, Regexes::matches));

        static Boolean matches(String text, String regex) {
            com.google.re2j.Pattern p = CACHE.get(regex);
            if (p == null) {
                p = com.google.re2j.Pattern.compile(regex);
                int max = Env.OPTIONS.maxRegexProgramSize();
                if (max >= 0 && p.programSize() > max) {
                    throw new IllegalArgumentException("regular expression program size " + p.programSize() + " exceeds " + max);
                }
                if (CACHE.size() >= MAX_CACHED) {
                    CACHE.clear();
                }
                CACHE.put(regex, p);
            }
            com.google.re2j.Matcher m = p.matcher(text);
            return Env.OPTIONS.enableRegexPartialMatch() ? m.find() : m.matches();
        }
    }

    /** Built on first use, so policies without CEL rules never pay for loading the CEL runtime. */
    private static final class Env {
        static final CelOptions OPTIONS = CelOptions.current()
                .enableHeterogeneousNumericComparisons(true)
                .enableUnknownTracking(false)
                .comprehensionMaxIterations((int) DEFAULT_COST_LIMIT)
                .maxParseRecursionDepth(64)
                .maxParseExpressionNodeCount(10_000)
                .build();

        private static final java.util.concurrent.ConcurrentHashMap<Long, CelRuntime> BY_LIMIT = new java.util.concurrent.ConcurrentHashMap<>();

        /**
         * A runtime whose comprehension iteration budget is {@code limit}. cel-java counts iterations per
         * evaluation across nested comprehensions, so the budget bounds the whole expression; expressions
         * without comprehensions are linear in their (bounded) size.
         */
        static CelRuntime runtime(long limit) {
            // the planner runtime: programs planned once into a tree of evaluators; with the JSON views as CEL map
            // values it is about 2.5x faster than the legacy interpreter and allocates a quarter as much
            return BY_LIMIT.computeIfAbsent(limit, l -> (Boolean.getBoolean("custody.celLegacyRuntime") ? CelRuntimeFactory.legacyCelRuntimeBuilder()
                    : CelRuntimeFactory.plannerRuntimeBuilder())
                    .setOptions(OPTIONS.toBuilder().comprehensionMaxIterations((int) (long) l).build())
                    .addLibraries(CelExtensions.strings(), CelExtensions.lists(), CelExtensions.sets(OPTIONS))
                    .setStandardFunctions(dev.cel.runtime.CelStandardFunctions.newBuilder()
                            .excludeFunctions(dev.cel.runtime.CelStandardFunctions.StandardFunction.MATCHES).build())
                    .addFunctionBindings(Regexes.BINDINGS)
                    .build());
        }

        static final CelCompiler BOOL_COMPILER = compiler(SimpleType.BOOL);

        /** For conditions over an attestation's predicate: {@code predicate} (the JSON object) and {@code predicateType}. */
        static final CelCompiler PREDICATE_COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addLibraries(CelExtensions.strings(), CelExtensions.lists(), CelExtensions.sets(OPTIONS))
                .addVar("predicate", SimpleType.DYN)
                .addVar("predicateType", SimpleType.STRING)
                .setResultType(SimpleType.BOOL)
                .build();
        static final CelCompiler STRING_COMPILER = compiler(SimpleType.STRING);

        private static CelCompiler compiler(dev.cel.common.types.CelType result) {
            MapType object = MapType.create(SimpleType.STRING, SimpleType.DYN);
            return CelCompilerFactory.standardCelCompilerBuilder()
                    .setOptions(OPTIONS)
                    .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                    .addLibraries(CelExtensions.strings(), CelExtensions.lists(), CelExtensions.sets(OPTIONS))
                    .addVar("object", SimpleType.DYN)
                    .addVar("oldObject", SimpleType.DYN)
                    .addVar("request", SimpleType.DYN)
                    .addVar("namespaceObject", SimpleType.DYN)
                    .addVar("params", SimpleType.DYN)
                    .addVar("podSpec", SimpleType.DYN)
                    .addVar("podMetadata", SimpleType.DYN)
                    .addVar("containers", ListType.create(object))
                    .addVar("images", ListType.create(object))
                    .setResultType(result)
                    .build();
        }
    }

    @Override
    public String field() {
        return "cel";
    }

    @Override
    public int order() {
        return 500;
    }

    @Override
    public List<Rule> read(Fields spec, Tier tier, Action defaultAction) {
        JsonNode list = spec.raw("cel");
        FieldPath path = spec.path().child("cel");
        List<Rule> rules = new ArrayList<>();
        if (list == null || list.isNull()) {
            return rules;
        }
        if (!list.isArray()) {
            spec.error(path, "must be a list of rules, found " + Fields.kind(list));
            return rules;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            FieldPath at = path.index(i);
            Fields e = Fields.of(spec.document(), spec.errors(), list.get(i), at, ENTRY);
            if (e == null) {
                continue;
            }
            String name = e.string("name", true);
            String expression = e.string("expression", true);
            String message = e.string("message", false);
            String messageExpression = e.string("messageExpression", false);
            Action action = Action.parse(e.choice("action", RuleSettings.ACTIONS, defaultAction.label()));
            FailureMode mode = e.choice("failureMode", RuleSettings.FAILURE_MODES, "closed").equals("open") ? FailureMode.OPEN : FailureMode.CLOSED;
            Long cost = e.integer("costLimit");
            if (name != null && !NAME.matcher(name).matches()) {
                e.error(at.child("name"), "\"" + name + "\" must be lowercase letters, digits and '-'");
            } else if (name != null && !names.add(name)) {
                e.error(at.child("name"), "rule name \"" + name + "\" is used twice in this policy");
            }
            if (cost != null && (cost < 1 || cost > MAX_COST_LIMIT)) {
                e.error(at.child("costLimit"), "must be between 1 and " + MAX_COST_LIMIT);
                cost = null;
            }
            long limit = cost != null ? cost : DEFAULT_COST_LIMIT;
            CelRuntime.Program program = expression == null ? null
                    : compile(Env.BOOL_COMPILER, Env.runtime(limit), expression, e, at.child("expression"));
            CelRuntime.Program messageProgram = messageExpression == null ? null
                    : compile(Env.STRING_COMPILER, Env.runtime(limit), messageExpression, e, at.child("messageExpression"));
            if (program != null && name != null && (messageExpression == null || messageProgram != null)) {
                String msg = message != null ? message : "CEL rule " + name + " failed: " + expression;
                rules.add(new CelRule(name, action, mode, program, messageProgram, msg,
                        limit, FieldPath.root()));
            }
        }
        return rules;
    }

    /**
     * A boolean CEL condition over an attestation's predicate, compiled and type-checked now; errors go to the
     * policy's errors with their position. Null when it does not compile.
     */
    public static PredicateCondition predicateCondition(String expression, Fields e, FieldPath at) {
        CelRuntime.Program program = compile(Env.PREDICATE_COMPILER, Env.runtime(DEFAULT_COST_LIMIT), expression, e, at);
        return program == null ? null : new PredicateCondition(expression, program);
    }

    /** A compiled condition over an attestation's predicate (a verified statement's, never an unverified one's). */
    public static final class PredicateCondition {
        private final String expression;
        private final CelRuntime.Program program;

        PredicateCondition(String expression, CelRuntime.Program program) {
            this.expression = expression;
            this.program = program;
        }

        public String expression() {
            return expression;
        }

        /** Null when the condition holds for the predicate, else why not (false, an evaluation error, the cost limit). */
        public String problem(JsonNode predicate, String predicateType) {
            Object predicateView = JsonViews.of(predicate);
            java.util.Map<String, Object> vars = java.util.Map.of("predicate", predicateView, "predicateType", predicateType);
            try {
                Object r = program.eval(name -> java.util.Optional.ofNullable(vars.get(name)));
                return Boolean.TRUE.equals(r) ? null : "the condition " + abbreviate(expression) + " is false for this predicate";
            } catch (CelEvaluationException ex) {
                return "the condition " + abbreviate(expression) + " could not be evaluated: " + ex.getMessage();
            }
        }

        @Override
        public String toString() {
            return expression;
        }
    }

    private static CelRuntime.Program compile(CelCompiler compiler, CelRuntime runtime, String expression, Fields e, FieldPath at) {
        if (expression.length() > MAX_EXPRESSION_LENGTH) {
            e.error(at, "expression is longer than " + MAX_EXPRESSION_LENGTH + " characters");
            return null;
        }
        CelValidationResult result = compiler.compile(expression);
        if (result.hasError()) {
            Position base = e.document().locate(at);
            for (CelIssue issue : result.getErrors()) {
                var loc = issue.getSourceLocation();
                int line = loc.getLine();
                int col = loc.getColumn();
                e.errors().add(new dev.custody.policy.PolicyError(
                        new Position(base.source(), base.line() + Math.max(0, line - 1), line <= 1 ? base.column() : 0),
                        at.toString(), "invalid CEL at " + line + ":" + (col + 1) + ": " + issue.getMessage()
                                + " (in \"" + abbreviate(expression) + "\")"));
            }
            return null;
        }
        try {
            return runtime.createProgram(result.getAst());
        } catch (CelValidationException | CelEvaluationException ex) {
            e.error(at, "cannot plan CEL program: " + ex.getMessage());
            return null;
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
