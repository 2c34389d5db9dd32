package dev.agentwire.chat;

import static dev.agentwire.it.ModelServer.finish;
import static dev.agentwire.it.ModelServer.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import dev.agentwire.it.Chromium;
import dev.agentwire.it.ConnectionDrops;
import dev.agentwire.it.ModelServer;
import dev.agentwire.it.PayaraProcess;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The chat page in a real Chromium, used as a person uses it: by role and label, with the mouse
 * and the keyboard. One agentwire with the OpenAI-compatible backend, against a model server in
 * this test that answers "what is X?" with a calculator call and then streams the answer in
 * pieces, and "tell me a story" with 40 words streamed one by one over 4 s (long enough to cancel
 * or to drop the connection in the middle). Development tokens live 20 s without clock skew, so
 * every session refreshes its token during the test. The allow-list names another origin only:
 * the page connects because agentwire serves it itself. Screenshots go to target/screenshots/.
 */
class ChatPageIT {

    static final int STORY_WORDS = 40;
    /** Whether the model server already failed "fail once": it answers the next time. */
    static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();
    /** A Markdown answer in three pieces: formatting, then what a hostile prompt could make a model write. */
    static final List<String> MARKDOWN = List.of(
            "Some **bold** text and a list:\n\n- first item\n- second item\n\n",
            "```js\nconst x = 1 * 2;\n```\n\n| name | value |\n|------|------:|\n| pi | 3.14 |\n\nSee [the docs](https://example.com/docs).\n\n",
            "<script>window.pwnedByScript = true</script>\n\n<img src=x onerror=\"window.pwnedByImage = true\">\n\n"
                    + "Inline <b onmouseover=\"window.pwnedByHandler = true\" onclick=\"window.pwnedByHandler = true\">hover me</b> and "
                    + "[click me](javascript:window.pwnedByLink=true) and ![a cat](https://example.com/cat.png) and "
                    + "![x](x\" onerror=\"window.pwnedByPicture=true).\n");
    static final String STORY = IntStream.rangeClosed(1, STORY_WORDS).mapToObj(i -> "word" + i + " ").collect(Collectors.joining());

    @TempDir
    static Path workDir;

    static ModelServer model;
    static PayaraProcess payara;
    static URI page;

    Chromium browser;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Chromium.installed(), "Chromium is not installed: apt-get install chromium chromium-driver");
        model = ModelServer.start(ChatPageIT::answer);
        // the WAR plus the test-only resource that lets the test drop a user's connections
        Path war = workDir.resolve("agentwire-with-drops.war");
        ShrinkWrap.create(ZipImporter.class, "agentwire.war").importFrom(Path.of(System.getProperty("agentwire.war")).toFile())
                .as(WebArchive.class).addClass(ConnectionDrops.class).as(ZipExporter.class).exportTo(war.toFile(), true);
        payara = PayaraProcess.start(workDir, war, Map.of(), List.of(), model.backendOptions(
                "-Dagentwire.dev-issuer.token-lifetime-seconds=20",
                "-Dagentwire.dev-issuer.tokens-per-minute=600",
                "-Dmp.jwt.verify.clock.skew=0",
                "-Dagentwire.websocket.allowed-origins=https://app.agentwire.test")).awaitReady();
        page = payara.server().http();
    }

    @AfterAll
    static void stop() throws Exception {
        if (payara != null) {
            payara.close();
        }
        if (model != null) {
            model.close();
        }
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void signInChatWatchTheRunAndReadItBackAfterAReload() throws Exception {
        browser = Chromium.start(1280, 800);
        signInWithADevelopmentToken("ada");
        assertEquals("Live", connection().getText());

        send("what is 12*(3+4)?");
        WebElement run = browser.byRole("article", "Agent");
        // the answer streams in: a part of it shows before the rest arrives
        browser.await("a part of the answer", d -> answerOf(run).getText().startsWith("The answer")
                && !answerOf(run).getText().contains("84."));
        browser.await("the whole answer", d -> "completed".equals(run.getDomAttribute("data-status")));
        assertRunOfTheCalculator(run, "12*(3+4)", "84", "The answer is 84.");
        assertEquals(List.of("what is 12*(3+4)?"), threadTitles());
        assertEquals("polite", browser.byRole("region", "Conversation").getDomAttribute("aria-live"), "the run is a live region");
        browser.screenshot("chat-desktop");

        browser.driver().navigate().refresh();
        browser.await("the history after the reload", d -> browser.all("article", "Agent").size() == 1
                && answerOf(browser.all("article", "Agent").get(0)).getText().equals("The answer is 84."));
        assertRunOfTheCalculator(browser.byRole("article", "Agent"), "12*(3+4)", "84", "The answer is 84.");
        assertEquals(List.of("what is 12*(3+4)?"), browser.all("article", "You").stream().map(WebElement::getText).toList());
        assertEquals("Live", browser.await("live again", d -> connection().getText().equals("Live") ? connection() : null).getText());
        browser.screenshot("history-after-reload");

        browser.byRole("button", "New thread").click();
        send("what is 1+1?");
        browser.await("the second thread's answer", d -> browser.all("article", "Agent").size() == 1
                && "completed".equals(browser.all("article", "Agent").get(0).getDomAttribute("data-status")));
        browser.await("both threads, newest first", d -> threadTitles().equals(List.of("what is 1+1?", "what is 12*(3+4)?")));
        browser.byRole("button", "what is 12*(3+4)?").click();
        browser.await("the first thread again", d -> browser.all("article", "You").stream().map(WebElement::getText).toList()
                .equals(List.of("what is 12*(3+4)?")));
        assertRunOfTheCalculator(browser.byRole("article", "Agent"), "12*(3+4)", "84", "The answer is 84.");
    }

    @Test
    void cancelStopsARunningRun() throws Exception {
        browser = Chromium.start(1280, 800);
        signInWithADevelopmentToken("bea");
        WebElement message = browser.byRole("textbox", "Message");
        message.sendKeys("tell me a story", Keys.ENTER); // the keyboard alone sends
        WebElement run = browser.byRole("article", "Agent");
        browser.await("a few words", d -> deltas(run).size() >= 3);
        browser.byRole("button", "Cancel run").click();
        browser.await("the cancelled run", d -> "cancelled".equals(run.getDomAttribute("data-status")));
        assertTrue(steps(run).contains("Cancelled The run was stopped before it answered."), steps(run).toString());
        assertTrue(deltas(run).size() < STORY_WORDS, "cancelled before the end: " + deltas(run).size());
        browser.await("no cancel button", d -> browser.all("button", "Cancel run").isEmpty());
        browser.screenshot("cancelled");
    }

    @Test
    void aConnectionDroppedByTheServerMidRunResumesWithEveryEventOnce() throws Exception {
        browser = Chromium.start(1280, 800);
        signInWithADevelopmentToken("cyd");
        send("tell me a story");
        WebElement run = browser.byRole("article", "Agent");
        browser.await("a few words", d -> deltas(run).size() >= 5);
        assertEquals("1", post("api/test/connections/cyd/drop"));
        browser.await("the run's end", d -> "completed".equals(run.getDomAttribute("data-status")));
        assertEquals("Live (reconnected)", connection().getText());
        List<String> words = deltas(run);
        assertEquals(STORY_WORDS, words.size(), "each delta once: " + words);
        assertEquals(STORY.strip(), answerOf(run).getText().strip());
        assertEquals(1, steps(run).stream().filter(s -> s.startsWith("Started")).count(), steps(run).toString());
        assertEquals(1, steps(run).stream().filter(s -> s.startsWith("Thinking")).count(), steps(run).toString());
        browser.screenshot("resumed-after-drop");
    }

    @Test
    void theTokenIsRefreshedBeforeItExpires() throws Exception {
        browser = Chromium.start(1280, 800);
        signInWithADevelopmentToken("dan");
        WebElement expiry = browser.driver().findElement(By.id("account-expiry")); // "session until …", beside the user name
        Instant firstExpiry = Instant.parse(expiry.getDomAttribute("data-expires-at"));
        browser.await("a refreshed session", Duration.ofSeconds(30),
                d -> Instant.parse(expiry.getDomAttribute("data-expires-at")).isAfter(firstExpiry));
        while (Instant.now().isBefore(firstExpiry.plusSeconds(1))) {
            Thread.sleep(200);
        }
        assertEquals("Live", connection().getText(), "the same connection, never dropped");
        send("what is 2+3?");
        WebElement run = browser.byRole("article", "Agent");
        browser.await("the answer", d -> "completed".equals(run.getDomAttribute("data-status")));
        assertRunOfTheCalculator(run, "2+3", "5", "The answer is 5.");
        assertEquals("Live", connection().getText());
    }

    @Test
    void aPastedTokenOnAPhoneSizedWindow() throws Exception {
        browser = Chromium.start(390, 844);
        String token = Json.createReader(new StringReader(post("api/dev/tokens", "user=eve"))).readObject().getString("token");
        browser.open(page.toString());
        WebElement pasted = browser.byRole("textbox", "Access token");
        pasted.sendKeys("not-a-token");
        browser.byRole("button", "Sign in with this token").click();
        WebElement refusal = browser.byRole("alert", "");
        browser.await("the refusal", d -> refusal.getText().contains("(AUTH_MALFORMED_TOKEN)"));
        assertFalse(refusal.getText().contains("{"), refusal.getText());
        browser.screenshot("sign-in-refused-phone");
        pasted.clear();
        pasted.sendKeys(token);
        browser.byRole("button", "Sign in with this token").click();
        browser.await("live", d -> connection().getText().equals("Live"));
        send("what is 6*7?");
        WebElement run = browser.byRole("article", "Agent");
        browser.await("the answer", d -> "completed".equals(run.getDomAttribute("data-status")));
        assertRunOfTheCalculator(run, "6*7", "42", "The answer is 42.");
        browser.screenshot("chat-phone");
        WebElement toggle = browser.byRole("button", "Threads");
        toggle.click();
        assertEquals("true", toggle.getDomAttribute("aria-expanded"));
        browser.await("the thread list", d -> threadTitles().equals(List.of("what is 6*7?")));
        browser.screenshot("threads-phone");
    }

    @Test
    void aFailedRunIsAReadableNoticeWithItsCode() throws Exception {
        browser = Chromium.start(1280, 800);
        signInWithADevelopmentToken("fay");
        send("please fail");
        WebElement run = browser.byRole("article", "Agent");
        browser.await("the failed run", d -> "failed".equals(run.getDomAttribute("data-status")));
        WebElement notice = run.findElement(By.cssSelector("[role=alert]"));
        assertTrue(notice.getText().contains("AGENT_UNAVAILABLE"), notice.getText());
        assertFalse(run.getText().contains("{"), "no JSON on the page: " + run.getText());
        browser.screenshot("failed-run");
    }

    /**
     * A run that failed with a retryable error (the model server answered 500 the first time)
     * offers Retry, which sends the same text as a new message: a second run, which answers. A
     * reload shows the failed run with Retry again, from the history.
     */
    @Test
    void aRetryableFailureOffersRetryWhichAsksAgain() throws Exception {
        browser = Chromium.start(1280, 800);
        signInWithADevelopmentToken("hal");
        send("fail once, then answer");
        WebElement failed = browser.byRole("article", "Agent");
        browser.await("the failed run", d -> "failed".equals(failed.getDomAttribute("data-status")));
        assertTrue(failed.findElement(By.cssSelector("[role=alert]")).getText().contains("AGENT_UNAVAILABLE"));
        browser.screenshot("retry-offered");
        browser.byRole("button", "Retry").click();
        browser.await("a second run that answers", d -> browser.all("article", "Agent").size() == 2
                && "completed".equals(browser.all("article", "Agent").get(1).getDomAttribute("data-status")));
        assertEquals("Hello", answerOf(browser.all("article", "Agent").get(1)).getText());
        assertEquals(List.of("fail once, then answer", "fail once, then answer"),
                browser.all("article", "You").stream().map(WebElement::getText).toList());
        assertTrue(browser.all("button", "Retry").isEmpty(), "asked again: no second Retry");

        browser.driver().navigate().refresh();
        browser.await("the history", d -> browser.all("article", "Agent").size() == 2
                && "failed".equals(browser.all("article", "Agent").get(0).getDomAttribute("data-status")));
        assertEquals(1, browser.all("button", "Retry").size(), "the failed run offers Retry after a reload");
        browser.screenshot("retry-after-reload");
    }

    /**
     * A model's answer in Markdown shows formatted as it streams in: a list, a code block, a
     * table, a link. What the model may not do is run anything on the page: raw HTML (a script, an
     * image whose onerror runs code, an element with an event handler) shows as the text it is, a
     * javascript: link is no link, and no global the payloads set exists afterwards.
     */
    @Test
    void aMarkdownAnswerShowsFormattedAndRunsNothing() throws Exception {
        browser = Chromium.start(1280, 800);
        signInWithADevelopmentToken("gus");
        send("show me markdown");
        WebElement run = browser.byRole("article", "Agent");
        WebElement answer = answerOf(run);
        browser.await("the list, while the answer streams", d -> answer.findElements(By.cssSelector("ul > li")).size() == 2
                && "running".equals(run.getDomAttribute("data-status")));
        browser.await("the whole answer", d -> "completed".equals(run.getDomAttribute("data-status")));

        assertEquals("bold", answer.findElement(By.cssSelector("p strong")).getText());
        assertEquals(List.of("first item", "second item"), answer.findElements(By.cssSelector("ul > li")).stream().map(WebElement::getText).toList());
        assertEquals("const x = 1 * 2;", answer.findElement(By.cssSelector("pre > code")).getText());
        assertEquals(List.of("name", "value"), answer.findElements(By.cssSelector("table th")).stream().map(WebElement::getText).toList());
        assertEquals(List.of("pi", "3.14"), answer.findElements(By.cssSelector("table td")).stream().map(WebElement::getText).toList());
        WebElement docs = answer.findElement(By.linkText("the docs"));
        assertEquals("https://example.com/docs", docs.getDomAttribute("href"));
        assertEquals("_blank", docs.getDomAttribute("target"));
        assertTrue(docs.getDomAttribute("rel").contains("noopener"), docs.getDomAttribute("rel"));

        assertTrue(answer.getText().contains("<script>window.pwnedByScript = true</script>"), "raw HTML shows as text: " + answer.getText());
        assertTrue(answer.getText().contains("<img src=x onerror=\"window.pwnedByImage = true\">"), answer.getText());
        WebElement click = answer.findElement(By.xpath(".//a[normalize-space()='click me']"));
        assertEquals(null, click.getDomAttribute("href"), "a javascript: link is no link");
        click.click();
        answer.findElement(By.xpath(".//*[contains(text(), 'hover me')]")).click();
        Object found = ((JavascriptExecutor) browser.driver()).executeScript("""
                const answer = arguments[0];
                const handlers = [...answer.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name))
                        .filter((name) => name.startsWith('on'));
                return JSON.stringify({
                    globals: ['pwnedByScript', 'pwnedByImage', 'pwnedByHandler', 'pwnedByLink', 'pwnedByPicture'].filter((g) => g in window),
                    elements: answer.querySelectorAll('script, img, iframe, style, [style], [class]').length,
                    handlers,
                    hrefs: [...answer.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')),
                });""", answer);
        JsonObject page = Json.createReader(new StringReader(String.valueOf(found))).readObject();
        assertEquals("[]", page.get("globals").toString(), "nothing the model wrote ran: " + page);
        assertEquals(0, page.getInt("elements"), page.toString());
        assertEquals("[]", page.get("handlers").toString());
        assertEquals("[\"https://example.com/docs\",\"https://example.com/cat.png\"]", page.get("hrefs").toString(),
                "the image is a link, not loaded");
        assertEquals(0, ((Number) ((JavascriptExecutor) browser.driver())
                .executeScript("return performance.getEntriesByType('resource').filter((r) => r.name.includes('example.com') || r.name.endsWith('/x')).length")).intValue(),
                "nothing fetched for the model's images");
        browser.screenshot("markdown-answer");
    }

    // --- what a person does ---

    private void signInWithADevelopmentToken(String user) {
        browser.open(page.toString());
        WebElement name = browser.byRole("textbox", "User name");
        browser.screenshot("sign-in");
        name.clear();
        name.sendKeys(user);
        browser.byRole("button", "Sign in with a development token").click();
        browser.await("live", d -> connection().getText().equals("Live"));
    }

    private void send(String text) {
        browser.byRole("textbox", "Message").sendKeys(text);
        browser.byRole("button", "Send").click();
    }

    private WebElement connection() {
        return browser.byRole("status", "Connection");
    }

    private List<String> threadTitles() {
        return browser.byRole("list", "Threads").findElements(By.cssSelector("li")).stream().map(WebElement::getText).toList();
    }

    private static WebElement answerOf(WebElement run) {
        return run.findElement(By.cssSelector(".answer"));
    }

    /** The words of the answer shown so far: a story's deltas are one word each. */
    private static List<String> deltas(WebElement run) {
        String shown = String.valueOf(answerOf(run).getDomProperty("textContent")).strip();
        return shown.isEmpty() ? List.of() : List.of(shown.split("\\s+"));
    }

    private static List<String> steps(WebElement run) {
        return run.findElement(By.cssSelector("ol")).findElements(By.cssSelector("li")).stream()
                .map(e -> e.getText().replaceAll("\\s+", " ").strip()).toList();
    }

    /** The five events as steps: started, thinking, the tool call with input and result, and the answer. */
    private static void assertRunOfTheCalculator(WebElement run, String expression, String result, String answer) {
        List<String> steps = steps(run);
        assertEquals(3, steps.size(), steps.toString());
        assertTrue(steps.get(0).startsWith("Started"), steps.toString());
        assertTrue(steps.get(1).startsWith("Thinking"), steps.toString());
        assertEquals("Tool calculator Input " + expression + " Result " + result, steps.get(2));
        assertEquals(answer, answerOf(run).getText());
    }

    private static String post(String path) throws IOException, InterruptedException {
        return post(path, "");
    }

    private static String post(String path, String form) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(payara.server().http().resolve(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    // --- the model ---

    /**
     * "what is X?": a calculator call, then the answer in pieces; "story": 40 words; "markdown":
     * {@link #MARKDOWN}; "please fail": 500; "fail once": 500 the first time.
     */
    private static void answer(HttpExchange exchange, JsonObject request, int call) throws IOException {
        List<JsonObject> messages = request.getJsonArray("messages").getValuesAs(JsonObject.class);
        JsonObject lastMessage = messages.get(messages.size() - 1);
        String last = ModelServer.lastUserText(request);
        if (last.contains("please fail") || (last.contains("fail once") && !FAILED_ONCE.getAndSet(true))) {
            ModelServer.fail(exchange, 500, null);
            return;
        }
        try (OutputStream out = ModelServer.stream(exchange)) {
            if (lastMessage.getString("role").equals("tool")) {
                for (String piece : List.of("The answer", " is ", lastMessage.getString("content"), ".")) {
                    text(out, piece);
                    ModelServer.sleep(400);
                }
                finish(out, "stop");
            } else if (last.startsWith("what is ")) {
                String expression = last.substring("what is ".length()).replace("?", "").strip();
                ModelServer.toolCall(out, "call_1", "calculator", Json.createObjectBuilder().add("expression", expression).build().toString());
                finish(out, "tool_calls");
            } else if (last.contains("markdown")) {
            for (String piece : MARKDOWN) {
                text(out, piece);
                ModelServer.sleep(700);
            }
            finish(out, "stop");
        } else if (last.contains("story")) {
                for (int i = 1; i <= STORY_WORDS; i++) {
                    text(out, "word" + i + " ");
                    ModelServer.sleep(100);
                }
                finish(out, "stop");
            } else {
                text(out, "Hello");
                finish(out, "stop");
            }
        }
    }
}
