package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.deque.html.axecore.results.Results;
import com.deque.html.axecore.results.Rule;
import com.deque.html.axecore.selenium.AxeBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.server.TlsMaterial;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.Store;
import dev.custody.store.Verifications;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in Debian's headless Chromium, driven through chromedriver (Selenium), against {@code custody serve} run as
 * a process with the API port and tokens. The store holds what serve itself decided (AdmissionReviews sent to its
 * webhook), SBOMs and advisories imported with the CLI, a verified signature and provenance, and a runtime inventory of
 * five pods in three namespaces. The browser logs in, finds the artifact by digest, follows it to a running pod,
 * requests an exception and is refused approving it, approves it as a second user, opens an incident and watches its
 * burn-down reach zero as the pods are replaced; a viewer cannot approve; a post without the session or the CSRF token
 * is refused. Every page passes axe-core with no serious or critical violation, and is photographed at 1280 and 360 px
 * (target/ui-screenshots/). The certificate is serve's own self-signed one on loopback, so Chromium is told to accept it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiBrowserTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String BAD = "sha256:" + "b7".repeat(32);
    static final String FIXED = "sha256:" + "f1".repeat(32);
    static final String REPO = "registry.example/shop/web";
    static final String COMMIT = "8d2f1c0a9b7e6d5c4b3a29180f7e6d5c4b3a2918";
    static final Path SHOTS = Path.of("target/ui-screenshots");
    static final String[][] PODS = {{"payments", "web-a"}, {"payments", "web-b"}, {"checkout", "web-c"}, {"checkout", "web-d"},
            {"search", "web-e"}};

    Path tmp;
    String store;
    Process serve;
    String base;
    HttpClient http;
    WebDriver driver;
    Map<String, String> tokens = new java.util.HashMap<>();
    List<String> axeReport = new ArrayList<>();
    String exceptionId;
    String incidentId;

    @BeforeAll
    void start() throws Exception {
        String chromium = System.getenv("CUSTODY_CHROMIUM");
        String chromedriver = System.getenv("CUSTODY_CHROMEDRIVER");
        assumeTrue(chromium != null && chromedriver != null && new File(chromium).canExecute() && new File(chromedriver).canExecute(),
                "CUSTODY_CHROMIUM and CUSTODY_CHROMEDRIVER name Debian's chromium and chromedriver (scripts/test.sh sets them when installed)");
        tmp = Files.createTempDirectory("custody-ui");
        store = tmp.resolve("ui.db").toString();
        Files.createDirectories(SHOTS);
        // tokens: two operators and a viewer
        StringBuilder file = new StringBuilder("tokens:\n");
        for (String[] who : new String[][] {{"alice", "operator"}, {"bob", "operator"}, {"victor", "viewer"}}) {
            String t = dev.custody.api.ApiTokens.generate();
            tokens.put(who[0], t);
            file.append("  - {name: ").append(who[0]).append(", role: ").append(who[1]).append(", sha256: ").append(dev.custody.api.ApiTokens.sha256(t))
                    .append("}\n");
        }
        Path tokenFile = tmp.resolve("tokens.yaml");
        Files.writeString(tokenFile, file);
        Path policies = Files.createDirectories(tmp.resolve("policies"));
        Files.writeString(policies.resolve("shop.yaml"), """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: shop}
                spec:
                  tier: production
                  images: {allowedRegistries: [registry.example]}
                """);
        // the evidence the CLI imports: advisories (htmlunit 2.37.0 has CVE-2023-26119) and the image's SBOM
        assertThat(CliResult.run("vuln", "db", "import", VulnCommandTest.OSV.resolve("ghsa-maven-zeppelin").toString(), "--store", store).code()).isZero();
        Path sbom = tmp.resolve("sbom.json");
        Files.writeString(sbom, """
                {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
                  {"type": "library", "name": "htmlunit", "version": "2.37.0", "purl": "pkg:maven/net.sourceforge.htmlunit/htmlunit@2.37.0"},
                  {"type": "library", "name": "commons-io", "version": "2.11.0", "purl": "pkg:maven/commons-io/commons-io@2.11.0", "licenses": [{"license": {"id": "Apache-2.0"}}]}]}
                """);
        assertThat(CliResult.run("sbom", "ingest", sbom.toString(), "--digest", BAD, "--store", store).code()).isZero();
        Path fixedSbom = tmp.resolve("fixed.json");
        Files.writeString(fixedSbom, """
                {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
                  {"type": "library", "name": "htmlunit", "version": "2.70.0", "purl": "pkg:maven/net.sourceforge.htmlunit/htmlunit@2.70.0"}]}
                """);
        assertThat(CliResult.run("sbom", "ingest", fixedSbom.toString(), "--digest", FIXED, "--store", store).code()).isZero();
        int apiPort;
        try (ServerSocket s = new ServerSocket(0)) {
            apiPort = s.getLocalPort();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path tls = tmp.resolve("tls");
        serve = new ProcessBuilder(java, "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "dev.custody.cli.Main", "serve", "--policy", policies.toString(), "--port", "0",
                "--self-signed", "--tls-dir", tls.toString(), "--store", store, "--api-port", String.valueOf(apiPort), "--api-tokens",
                tokenFile.toString(), "--incident-interval", "500ms").redirectErrorStream(true).start();
        int port = ServeProcess.awaitPort(serve);
        http = HttpClient.newBuilder().sslContext(TlsMaterial.trusting(tls.resolve("ca.crt"))).connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        base = "https://127.0.0.1:" + apiPort;
        long now = System.currentTimeMillis();
        // serve decides each pod (its decisions are the log the pages show), then the inventory sees them run
        try (Store s = Store.open(store)) {
            RuntimeInventory inv = new RuntimeInventory(s);
            inv.namespaces("prod-eu", Map.of("payments", Map.of("team", "payments"), "checkout", Map.of("team", "checkout"), "search",
                    Map.of("custody.dev/team", "discovery")), true, now);
            List<RuntimeInventory.PodObservation> pods = new ArrayList<>();
            for (int i = 0; i < PODS.length; i++) {
                JsonNode r = review(port, PODS[i][0], PODS[i][1], REPO + "@" + BAD, "uid-" + i);
                assertThat(r.path("allowed").asBoolean()).as(r.toString()).isTrue();
                pods.add(pod(PODS[i][0], PODS[i][1], BAD, "pod-uid-" + i, now));
            }
            JsonNode denied = review(port, "payments", "web-tagged", "docker.io/library/nginx:latest", "uid-denied");
            assertThat(denied.path("allowed").asBoolean()).isFalse();
            inv.replaceAll("prod-eu", pods, now);
            Verifications v = new Verifications(s);
            v.record(new Verifications.Verified(BAD, "signature", null, "https://github.com/shop/web/.github/workflows/release.yml@refs/tags/v1.4.2",
                    "https://token.actions.githubusercontent.com", "trust/release-signing", now, "test fixture"));
            v.record(new Verifications.Verified(BAD, "attestation", "https://slsa.dev/provenance/v1", "https://github.com/shop/web/.github/workflows/release.yml@refs/tags/v1.4.2",
                    "https://token.actions.githubusercontent.com", "trust/release-provenance", now, "test fixture"),
                    new Verifications.Provenance("https://github.com/actions/runner/github-hosted", "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
                            "git+https://github.com/shop/web", "refs/tags/v1.4.2", COMMIT));
        }
        waitForDecisions(6);
        ChromeOptions o = new ChromeOptions();
        o.setBinary(chromium);
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--ignore-certificate-errors", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--window-size=1280,900",
                "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium")));
        driver = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File(chromedriver)).usingAnyFreePort().build(), o);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    void stop() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        if (serve != null) {
            serve.destroy();
            serve.waitFor(10, TimeUnit.SECONDS);
        }
        if (!axeReport.isEmpty()) {
            Files.write(SHOTS.resolve("axe-report.txt"), axeReport);
        }
    }

    // ------------------------------------------------------------------ the journeys

    @Test
    @Order(1)
    void aUserLogsInFindsTheArtifactByDigestAndFollowsItToARunningPod() throws Exception {
        driver.get(base + "/ui/inventory");
        assertThat(driver.getCurrentUrl()).as("an anonymous visit goes to the login page").startsWith(base + "/ui/login");
        page("login");
        login("alice");
        assertThat(driver.getCurrentUrl()).isEqualTo(base + "/ui/inventory");
        assertThat(driver.findElement(By.tagName("main")).getText()).contains("5 running containers match");
        assertThat(driver.findElements(By.cssSelector("tbody tr"))).hasSize(5);
        page("inventory");
        // the team filter reads namespace labels
        driver.get(base + "/ui/inventory?team=checkout");
        assertThat(driver.findElements(By.cssSelector("tbody tr"))).hasSize(2);

        WebElement box = driver.findElement(By.id("q"));
        box.sendKeys(BAD, Keys.ENTER);
        wait(d -> d.getCurrentUrl().equals(base + "/ui/artifacts/" + BAD));
        String text = driver.findElement(By.tagName("main")).getText();
        assertThat(text).contains(BAD).contains("git+https://github.com/shop/web").contains(COMMIT).contains("https://github.com/actions/runner/github-hosted")
                .contains("release.yml@refs/tags/v1.4.2").contains("2 components").contains("CVE-2023-26119").contains("payments").contains("web-e");
        assertThat(text).as("release state").contains("running");
        page("artifact");
        // from the artifact to a pod that runs it: the inventory row of that container
        driver.findElement(By.linkText("web-c")).click();
        wait(d -> d.getCurrentUrl().contains("/ui/inventory?cluster=prod-eu&namespace=checkout"));
        assertThat(driver.findElement(By.id("c-checkout-web-c-app")).getText()).contains("web-c").contains("signed").contains("SBOM");

        // decisions: serve's own, explained rule by rule, the chain recomputed
        driver.get(base + "/ui/decisions?since=all");
        String decisions = driver.findElement(By.tagName("main")).getText();
        assertThat(decisions).contains("6 of 6 records recompute to their stored hash").contains("denied");
        driver.findElements(By.cssSelector("details.decision summary")).getFirst().click();
        page("decisions");

        // search by purl (as a scanner prints it), by package name, by CVE and by commit
        for (String q : new String[] {"pkg:maven/net.sourceforge.htmlunit/htmlunit@2.37.0", "htmlunit", "CVE-2023-26119", COMMIT.substring(0, 10)}) {
            driver.get(base + "/ui/search?q=" + java.net.URLEncoder.encode(q, java.nio.charset.StandardCharsets.UTF_8));
            assertThat(driver.findElement(By.cssSelector("ul.hits")).getText()).as(q).contains(BAD);
        }
        page("search");
    }

    @Test
    @Order(2)
    void anExceptionIsRefusedToItsRequesterAndApprovedByASecondUser() throws Exception {
        driver.get(base + "/ui/exceptions");
        driver.findElement(By.id("e-digest")).sendKeys(BAD);
        driver.findElement(By.id("e-vuln")).sendKeys("CVE-2023-26119");
        driver.findElement(By.id("e-ns")).sendKeys("payments");
        driver.findElement(By.id("e-owner")).sendKeys("team-payments");
        driver.findElement(By.id("e-reason")).sendKeys("not reachable: the HTML parser is never given untrusted pages");
        driver.findElement(By.id("e-exp")).clear();
        driver.findElement(By.id("e-exp")).sendKeys("7d");
        driver.findElement(By.cssSelector("form.stack button[type=submit]")).click();
        wait(d -> !d.findElements(By.cssSelector("#exceptions tbody tr, p.error")).isEmpty());
        assertThat(driver.findElements(By.cssSelector("p.error"))).as(driver.findElement(By.tagName("main")).getText()).isEmpty();
        WebElement row = driver.findElement(By.cssSelector("#exceptions tbody tr"));
        exceptionId = row.getAttribute("id").substring("row-".length());
        assertThat(row.getText()).contains("requested").contains("alice").contains("in 6d 23h");
        assertThat(row.getText()).contains("you requested it");
        driver.findElement(By.id("approve-" + exceptionId)).click();
        wait(d -> !d.findElements(By.cssSelector("p.error")).isEmpty());
        String refused = driver.findElement(By.cssSelector("p.error")).getText();
        assertThat(refused).as("the requester cannot approve").contains("alice");
        assertThat(driver.findElement(By.cssSelector("#row-" + exceptionId + " .state")).getText()).isEqualTo("requested");
        shot("exceptions-refused");

        logout();
        login("bob");
        driver.get(base + "/ui/exceptions");
        driver.findElement(By.id("approve-" + exceptionId)).click();
        wait(d -> d.findElement(By.cssSelector("#row-" + exceptionId + " .state")).getText().equals("active"));
        assertThat(driver.findElement(By.id("row-" + exceptionId)).getText()).contains("bob");
        page("exceptions");
        // the artifact page names the active exception on the finding it covers
        driver.get(base + "/ui/artifacts/" + BAD);
        assertThat(driver.findElement(By.id("h-vuln")).findElement(By.xpath("..")).getText()).contains(exceptionId);
    }

    @Test
    @Order(3)
    void aViewerCannotApproveAndFormsWithoutSessionOrCsrfTokenAreRefused() throws Exception {
        logout();
        login("victor");
        driver.get(base + "/ui/exceptions");
        assertThat(driver.findElements(By.cssSelector("#exceptions button"))).as("a viewer sees no buttons").isEmpty();
        // a viewer who builds the form by hand (with a valid CSRF token) is still refused
        ((JavascriptExecutor) driver).executeScript("""
                var f = document.createElement('form'); f.method = 'post'; f.action = '/ui/exceptions/' + arguments[0] + '/revoke';
                var c = document.createElement('input'); c.name = 'csrf'; c.value = document.querySelector('form.who input[name=csrf]').value;
                var r = document.createElement('input'); r.name = 'reason'; r.value = 'viewer tries'; f.appendChild(c); f.appendChild(r);
                document.body.appendChild(f); f.submit();""", exceptionId);
        wait(d -> d.findElements(By.cssSelector("p.error")).size() == 1);
        assertThat(driver.findElement(By.cssSelector("p.error")).getText()).contains("viewer role");
        Cookie session = driver.manage().getCookieNamed("custody_session");
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.isSecure()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Strict");

        // outside the browser: bob's session without the CSRF token, and the right form without any session
        logout();
        login("bob");
        String bob = driver.manage().getCookieNamed("custody_session").getValue();
        HttpResponse<String> noCsrf = post("/ui/exceptions/" + exceptionId + "/revoke", "reason=no+token", bob);
        assertThat(noCsrf.statusCode()).isEqualTo(403);
        assertThat(noCsrf.body()).contains("CSRF token");
        String csrf = (String) ((JavascriptExecutor) driver).executeScript("return document.querySelector('form.who input[name=csrf]').value");
        HttpResponse<String> noSession = post("/ui/exceptions/" + exceptionId + "/revoke", "reason=no+session&csrf=" + csrf, null);
        assertThat(noSession.statusCode()).isEqualTo(401);
        HttpResponse<String> otherOrigin = fresh().send(HttpRequest.newBuilder(URI.create(base + "/ui/exceptions/" + exceptionId + "/revoke"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", "custody_session=" + bob)
                .header("Origin", "https://evil.example").POST(HttpRequest.BodyPublishers.ofString("reason=x&csrf=" + csrf)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(otherOrigin.statusCode()).isEqualTo(403);
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/ui/exceptions")).header("Cookie", "custody_session=" + bob).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'none'").contains("script-src 'self'")
                .contains("frame-ancestors 'none'");
        assertThat(page.body()).as("the exception stays active: none of those posts did anything").contains(">active<");
        // the pages read without JavaScript: the data is in the HTML the server sent
        HttpResponse<String> artifact = http.send(HttpRequest.newBuilder(URI.create(base + "/ui/artifacts/" + BAD))
                .header("Cookie", "custody_session=" + bob).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(artifact.body()).contains(COMMIT).contains("CVE-2023-26119").contains("web-a");
        assertThat(artifact.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThan(200 * 1024);
    }

    @Test
    @Order(4)
    void anIncidentIsOpenedFromThePageAndItsBurnDownReachesZeroAsPodsAreReplaced() throws Exception {
        logout();
        login("alice");
        driver.get(base + "/ui/incidents");
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("i-kind"))).selectByValue("digest");
        driver.findElement(By.id("i-target")).sendKeys(BAD);
        driver.findElement(By.id("i-title")).sendKeys("htmlunit RCE in shop/web");
        driver.findElement(By.id("i-owner")).sendKeys("team-payments");
        driver.findElement(By.id("i-block")).click();
        driver.findElement(By.cssSelector("form.stack button[type=submit]")).click();
        wait(d -> d.getCurrentUrl().matches(".*/ui/incidents/[^/]+$"));
        incidentId = driver.getCurrentUrl().replaceAll(".*/ui/incidents/", "");
        String text = driver.findElement(By.tagName("main")).getText();
        assertThat(text).contains("htmlunit RCE in shop/web").contains("Blocked").contains("yes: the denylist refuses it");
        assertThat(text).contains("1 clusters, 3 namespaces, 3 workloads, 5 pods").contains("checkout").contains("discovery");
        wait(d -> svg(driver).contains("5 running"));
        page("incident");
        String firstSrc = driver.findElement(By.id("burndown")).getAttribute("src");

        // a patch forward: the five pods are replaced by pods of the fixed digest
        try (Store s = Store.open(store)) {
            List<RuntimeInventory.PodObservation> pods = new ArrayList<>();
            for (int i = 0; i < PODS.length; i++) {
                pods.add(pod(PODS[i][0], PODS[i][1] + "-2", FIXED, "pod-uid-fixed-" + i, System.currentTimeMillis()));
            }
            new RuntimeInventory(s).replaceAll("prod-eu", pods, System.currentTimeMillis());
        }
        long replaced = System.nanoTime();
        // the page is not reloaded: its script reloads the chart, which the tracker's next pass brings to zero
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> !d.findElement(By.id("burndown")).getAttribute("src").equals(firstSrc)
                && svg(driver).contains(">0 running<"));
        System.out.printf("burn-down on the open page showed 0 running %d ms after the pods were replaced%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - replaced));
        assertThat(driver.findElement(By.id("burndown")).getAttribute("src")).contains("?t=");
        shot("incident-zero");
        driver.navigate().refresh();
        wait(d -> d.findElement(By.tagName("main")).getText().contains("no-longer-running"));
        String closed = driver.findElement(By.tagName("main")).getText();
        assertThat(closed).contains("closed").contains("opened").contains("blocked");
        driver.get(base + "/ui/incidents?state=all");
        assertThat(driver.findElement(By.tagName("main")).getText()).contains(incidentId).contains("closed");
        page("incidents");
    }

    @Test
    @Order(5)
    void theAssessmentPageShowsTheLevelAndTheGateWithTheirEvidence() throws Exception {
        driver.get(base + "/ui/assessment");
        String text = driver.findElement(By.tagName("main")).getText();
        assertThat(text).contains("Maturity level").contains("Production gate").contains("Design review questions");
        assertThat(driver.findElements(By.cssSelector(".checklist > li"))).hasSize(16);
        assertThat(text).contains("missing:");
        page("assessment");
    }

    @Test
    @Order(6)
    void everyPageIsKeyboardNavigableFromItsSkipLink() {
        driver.get(base + "/ui/inventory");
        driver.findElement(By.tagName("body")).sendKeys(Keys.TAB);
        WebElement first = driver.switchTo().activeElement();
        assertThat(first.getText()).isEqualTo("Skip to content");
        first.sendKeys(Keys.ENTER);
        assertThat(driver.getCurrentUrl()).endsWith("#main");
        // the sections are links in tab order after the brand
        driver.findElement(By.tagName("body")).sendKeys(Keys.TAB);
        List<String> order = new ArrayList<>();
        driver.get(base + "/ui/inventory");
        WebElement body = driver.findElement(By.tagName("body"));
        body.sendKeys(Keys.TAB);
        for (int i = 0; i < 8; i++) {
            order.add(driver.switchTo().activeElement().getText());
            driver.switchTo().activeElement().sendKeys(Keys.TAB);
        }
        assertThat(order).containsSubsequence("Skip to content", "Custody", "Inventory", "Decisions", "Incidents", "Exceptions", "Assessment");
    }

    // ------------------------------------------------------------------ helpers

    /** Checks the page with axe-core (WCAG 2.1 A and AA) and photographs it at 1280 and 360 px. */
    private void page(String name) throws Exception {
        Results r = new AxeBuilder().withTags(List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")).analyze(driver);
        List<String> bad = new ArrayList<>();
        for (Rule v : r.getViolations()) {
            axeReport.add(name + ": " + v.getImpact() + " " + v.getId() + " (" + v.getNodes().size() + " nodes): " + v.getHelp());
            if ("serious".equals(v.getImpact()) || "critical".equals(v.getImpact())) {
                bad.add(v.getId() + " " + v.getNodes().stream().limit(3).map(n -> n.getHtml()).toList());
            }
        }
        System.out.printf("axe %s: %d violations (%d serious or critical), %d passes%n", name, r.getViolations().size(), bad.size(), r.getPasses().size());
        assertThat(bad).as("axe-core serious or critical violations on " + name).isEmpty();
        shot(name);
    }

    private void shot(String name) throws Exception {
        for (int width : new int[] {1280, 360}) {
            driver.manage().window().setSize(new Dimension(width, 900));
            byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
            Files.write(SHOTS.resolve(name + "-" + width + ".png"), png);
        }
        driver.manage().window().setSize(new Dimension(1280, 900));
    }

    private void login(String who) {
        driver.get(base + "/ui/login");
        driver.findElement(By.id("token")).sendKeys(tokens.get(who), Keys.ENTER);
        wait(d -> !d.getCurrentUrl().contains("/ui/login"));
        assertThat(driver.findElement(By.cssSelector("form.who")).getText()).contains(who);
    }

    private void logout() {
        driver.findElement(By.cssSelector("form.who button")).click();
        wait(d -> d.getCurrentUrl().contains("/ui/login"));
    }

    private void wait(java.util.function.Function<WebDriver, Boolean> condition) {
        // a form's answer replaces the page: an element read from the page before it is stale, not a failure
        new WebDriverWait(driver, Duration.ofSeconds(10)).ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(condition::apply);
    }

    /** The burn-down image as the browser would load it now (its current src, with the session). */
    private static String svg(WebDriver driver) {
        Object s = ((JavascriptExecutor) driver).executeAsyncScript("""
                var done = arguments[arguments.length - 1];
                fetch(document.getElementById('burndown').src).then(r => r.text()).then(done, e => done('error ' + e));""");
        return String.valueOf(s);
    }

    private HttpResponse<String> post(String path, String form, String session) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (session != null) {
            b.header("Cookie", "custody_session=" + session);
        }
        return fresh().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A client of its own for a refused form post: the server may close a connection after refusing a request whose
     * body it did not read, and the JDK client does not retry a POST on a pooled connection found closed.
     */
    private HttpClient fresh() {
        return HttpClient.newBuilder().sslContext(http.sslContext()).connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    private void waitForDecisions(int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            try (Store s = Store.open(store)) {
                if (new dev.custody.store.Evidence(s).decisionCounts().total() >= n) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("serve did not record " + n + " decisions");
    }

    private JsonNode review(int port, String namespace, String name, String image, String uid) throws Exception {
        String pod = """
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "%s", "namespace": "%s", "labels": {"app": "web"}},
                 "spec": {"serviceAccountName": "web", "automountServiceAccountToken": false, "containers": [{"name": "app", "image": "%s", "securityContext": {"runAsNonRoot": true, "allowPrivilegeEscalation": false,
                   "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}}]}}""".formatted(name, namespace, image);
        String review = """
                {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "%s",
                 "kind": {"group": "", "version": "v1", "kind": "Pod"}, "resource": {"group": "", "version": "v1", "resource": "pods"},
                 "namespace": "%s", "operation": "CREATE", "userInfo": {"username": "system:serviceaccount:kube-system:replicaset-controller"},
                 "object": %s}}""".formatted(uid, namespace, pod);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/validate")).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(review)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body()).path("response");
    }

    private static RuntimeInventory.PodObservation pod(String namespace, String name, String digest, String uid, long now) {
        String image = REPO + "@" + digest;
        return new RuntimeInventory.PodObservation("prod-eu", uid, namespace, name, new RuntimeInventory.WorkloadRef("Deployment", "web-" + namespace),
                "Deployment/web-" + namespace + " > Pod/" + name, "node-1", "web", "Running", now,
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + namespace + "\"},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\""
                        + image + "\"}]}}",
                List.of(new RuntimeInventory.ContainerObservation("app", "containers", image, digest, "docker-pullable://" + image, digest, true, 0, now, null)));
    }
}
