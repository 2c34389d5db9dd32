package dev.agentwire.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentwire.it.Chromium;
import dev.agentwire.it.ConnectionDrops;
import dev.agentwire.it.PayaraProcess;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
 * Approving tool calls on the chat page, in two real Chromium windows of one user (two tabs of a
 * person), against agentwire with its offline agent: "remember that ..." asks to save a note, a
 * call that waits for approval. Both windows show the card, one answers, both show the answer and
 * what it did; a reload shows it answered. Screenshots go to target/screenshots/.
 */
class ApprovalPageIT {

    static final String COUNT_RECONNECTS = """
            const pill = document.getElementById('connection');
            window.reconnects = 0;
            new MutationObserver(() => { if (pill.textContent === 'Live (reconnected)') window.reconnects++; })
                .observe(pill, { childList: true, characterData: true, subtree: true });
            """;

    @TempDir
    static Path workDir;

    static PayaraProcess payara;
    static URI page;

    Chromium first;
    Chromium second;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Chromium.installed(), "Chromium is not installed: apt-get install chromium chromium-driver");
        // the WAR plus the test-only resource that lets the test drop a user's connections
        Path war = workDir.resolve("agentwire-with-drops.war");
        ShrinkWrap.create(ZipImporter.class, "agentwire.war").importFrom(Path.of(System.getProperty("agentwire.war")).toFile())
                .as(WebArchive.class).addClass(ConnectionDrops.class).as(ZipExporter.class).exportTo(war.toFile(), true);
        payara = PayaraProcess.start(workDir, war, Map.of(), List.of(), "-Dagentwire.dev-issuer.tokens-per-minute=600").awaitReady();
        page = payara.server().http();
    }

    @AfterAll
    static void stop() throws Exception {
        if (payara != null) {
            payara.close();
        }
    }

    @AfterEach
    void closeBrowsers() {
        for (Chromium browser : new Chromium[] {first, second}) {
            if (browser != null) {
                browser.close();
            }
        }
    }

    @Test
    void bothTabsShowTheCardOneApprovesWithEditedArgumentsBothShowTheSavedNoteAndAReloadShowsItAnswered() throws Exception {
        first = Chromium.start(1280, 900);
        signIn(first, "gus", page.toString());
        send(first, "remember that the meeting is at 10");
        WebElement asked = card(first);
        first.await("the card waiting", d -> "pending".equals(asked.getDomAttribute("data-state")));
        assertTrue(asked.getAccessibleName().contains("save_note"), asked.getAccessibleName());
        assertEquals("Save a note: the meeting is at 10", asked.findElement(By.cssSelector(".approval-message")).getText());
        assertEquals("{\n  \"text\": \"the meeting is at 10\"\n}", arguments(asked), "indented JSON");
        assertEquals("awaiting_approval", runs(first).get(0).getDomAttribute("data-status"));
        assertFalse(first.byRole("button", "Send").isEnabled(), "a thread waiting for an approval takes no message");
        String thread = first.await("the thread in the address", d -> d.getCurrentUrl().contains("#thread=") ? d.getCurrentUrl() : null);

        // the other tab opens the thread: the card is there, waiting, from the history
        second = Chromium.start(1280, 900);
        signIn(second, "gus", thread);
        WebElement waiting = card(second);
        assertEquals("pending", waiting.getDomAttribute("data-state"));
        assertEquals(arguments(asked), arguments(waiting));
        second.await("the thread marked as waiting", d -> second.driver().findElements(By.cssSelector(".threads .waiting")).size() == 1);
        second.screenshot("approval-pending");

        // edited arguments the tool does not take are refused in the card, which keeps waiting
        second.byRole("button", "Edit arguments").click();
        WebElement editor = second.byRole("textbox", "Edited arguments (JSON)");
        editor.clear();
        editor.sendKeys("{\"text\": 5}");
        second.byRole("button", "Approve").click();
        WebElement problem = second.await("the refusal", d -> {
            List<WebElement> alerts = waiting.findElements(By.cssSelector("[role=alert]"));
            return alerts.size() == 1 && alerts.get(0).isDisplayed() ? alerts.get(0) : null;
        });
        assertTrue(problem.getText().contains("VALIDATION_FAILED") && problem.getText().contains("arguments.text"), problem.getText());
        assertEquals("pending", waiting.getDomAttribute("data-state"));
        assertTrue(second.all("alert", "").stream().allMatch(alert -> alert.equals(problem)), "told in the card only");
        second.screenshot("approval-edit-refused");

        editor.clear();
        editor.sendKeys("{\"text\": \"the meeting is at 11\"}");
        second.byRole("button", "Approve").click();

        for (Chromium tab : List.of(first, second)) {
            WebElement card = card(tab);
            tab.await("the approval in every tab", d -> "approved".equals(card.getDomAttribute("data-state")));
            assertEquals("Approved with edited arguments.", status(card));
            assertEquals("{\n  \"text\": \"the meeting is at 11\"\n}", arguments(card), "the arguments that ran");
            assertTrue(tab.all("button", "Approve").isEmpty() && tab.all("button", "Deny").isEmpty(), "answered: no buttons");
            tab.await("the continuing run", d -> runs(tab).size() == 2 && "completed".equals(runs(tab).get(1).getDomAttribute("data-status")));
            List<String> steps = steps(runs(tab).get(1));
            assertEquals("Approved with edited arguments", steps.get(1), steps.toString());
            assertTrue(steps.get(2).matches("Tool save_note Input the meeting is at 11 Result Saved note \\d+: the meeting is at 11"), steps.toString());
            assertTrue(answer(runs(tab).get(1)).endsWith(": the meeting is at 11"), answer(runs(tab).get(1)));
        }
        first.await("no waiting mark", d -> first.driver().findElements(By.cssSelector(".threads .waiting")).isEmpty());
        assertTrue(first.byRole("button", "Send").isEnabled(), "answered: the thread takes messages again");
        JsonArray notes = notes("gus");
        assertEquals(1, notes.size(), notes::toString);
        assertEquals("the meeting is at 11", notes.getJsonObject(0).getString("text"), "the edited note, saved once");
        first.screenshot("approval-approved");
        second.screenshot("approval-approved-other-tab");

        // a reload reads it all back: answered, never waiting again
        first.driver().navigate().refresh();
        first.await("the history after the reload", d -> runs(first).size() == 2
                && "completed".equals(runs(first).get(1).getDomAttribute("data-status")));
        WebElement reloaded = card(first);
        assertEquals("approved", reloaded.getDomAttribute("data-state"));
        assertEquals("Approved with edited arguments.", status(reloaded));
        assertTrue(first.all("button", "Approve").isEmpty(), "no buttons after the reload");
        first.await("live again", d -> first.byRole("status", "Connection").getText().equals("Live"));
        first.screenshot("approval-after-reload");
        assertEquals(1, notes("gus").size(), "nothing ran again");
    }

    @Test
    void aDenialShowsAsDeniedInEveryTabWithItsReasonAndTheToolDoesNotRun() throws Exception {
        first = Chromium.start(1280, 900);
        signIn(first, "ida", page.toString());
        send(first, "what is 2+2?");
        first.await("the first run", d -> runs(first).size() == 1 && "completed".equals(runs(first).get(0).getDomAttribute("data-status")));
        String thread = first.await("the thread in the address", d -> d.getCurrentUrl().contains("#thread=") ? d.getCurrentUrl() : null);
        second = Chromium.start(1280, 900);
        signIn(second, "ida", thread);
        second.await("the thread's history", d -> runs(second).size() == 1);

        // asked in one tab, the card appears live in the other
        send(first, "remember that I should buy a boat");
        WebElement live = card(second);
        second.await("the card waiting", d -> "pending".equals(live.getDomAttribute("data-state")));
        assertEquals("{\n  \"text\": \"I should buy a boat\"\n}", arguments(live));
        second.resize(390, 844); // the other window is a phone from now on
        ((JavascriptExecutor) second.driver()).executeScript("arguments[0].scrollIntoView({block: 'end'})", live);
        second.screenshot("approval-pending-phone");

        // both connections drop while it waits: after the reconnect, one card, still waiting
        dropConnectionsOf("ida");
        WebElement resumed = card(first);
        assertEquals("pending", resumed.getDomAttribute("data-state"));
        assertEquals(2, runs(first).size());

        WebElement reason = first.byRole("textbox", "Reason, if you deny (optional)");
        reason.sendKeys("not now", Keys.ENTER); // Enter in the reason denies, never approves
        for (Chromium tab : List.of(first, second)) {
            WebElement card = card(tab);
            tab.await("the denial in every tab", d -> "denied".equals(card.getDomAttribute("data-state")));
            assertEquals("Denied: not now", status(card));
            tab.await("the continuing run", d -> runs(tab).size() == 3 && "completed".equals(runs(tab).get(2).getDomAttribute("data-status")));
            List<String> steps = steps(runs(tab).get(2));
            assertEquals("Denied Reason: not now", steps.get(1), steps.toString());
            assertEquals("Not run The person declined this call: not now", steps.get(2), steps.toString());
            assertTrue(steps.stream().noneMatch(s -> s.startsWith("Tool")), "no tool step: " + steps);
            assertEquals("The person declined this call: not now", answer(runs(tab).get(2)));
        }
        assertEquals(0, notes("ida").size(), "the denied call did not run");
        first.screenshot("approval-denied");

        // and again once it is answered: the replay after the reconnect opens nothing again
        dropConnectionsOf("ida");
        for (Chromium tab : List.of(first, second)) {
            assertEquals("denied", card(tab).getDomAttribute("data-state"));
            assertEquals(3, runs(tab).size());
            assertTrue(tab.all("button", "Deny").isEmpty());
        }

        second.driver().navigate().refresh();
        second.await("the history after the reload", d -> runs(second).size() == 3);
        WebElement reloaded = card(second);
        assertEquals("denied", reloaded.getDomAttribute("data-state"));
        assertEquals("Denied: not now", status(reloaded));
        assertTrue(second.all("button", "Deny").isEmpty(), "no buttons after the reload");
    }

    /**
     * What a newcomer sees with `mvn -Prun`'s defaults (this server's offline agent): signed in
     * with the name the page suggests, a calculator run, then a note that waits for approval.
     * Its screenshot, target/screenshots/chat-page.png, is the README's docs/images/chat-page.png.
     */
    @Test
    void whatANewcomerSeesWithTheOfflineAgent() throws Exception {
        first = Chromium.start(1280, 1100); // tall enough for both runs
        first.open(page.toString());
        first.byRole("button", "Sign in with a development token").click(); // the suggested name
        first.await("live", d -> first.byRole("status", "Connection").getText().equals("Live"));
        assertEquals("newcomer", first.driver().findElement(By.id("account-name")).getText());
        send(first, "what is 12*(3+4)?");
        first.await("the calculator's answer", d -> runs(first).size() == 1 && "completed".equals(runs(first).get(0).getDomAttribute("data-status")));
        List<String> steps = steps(runs(first).get(0));
        assertTrue(steps.stream().anyMatch(s -> s.equals("Tool calculator Input 12*(3+4) Result 84")), steps.toString());
        assertEquals("12*(3+4) = 84", answer(runs(first).get(0)));
        send(first, "remember that the meeting is at 10");
        WebElement asked = card(first);
        first.await("the card waiting", d -> "pending".equals(asked.getDomAttribute("data-state")));
        first.await("the thread listed", d -> !d.findElements(By.cssSelector(".threads .waiting")).isEmpty());
        first.screenshot("chat-page");
    }

    // --- what a person does and sees ---

    private static void signIn(Chromium browser, String user, String url) {
        browser.open(url);
        WebElement name = browser.byRole("textbox", "User name");
        name.clear();
        name.sendKeys(user);
        browser.byRole("button", "Sign in with a development token").click();
        browser.await("live", d -> browser.byRole("status", "Connection").getText().equals("Live"));
    }

    private static void send(Chromium browser, String text) {
        browser.byRole("textbox", "Message").sendKeys(text);
        browser.byRole("button", "Send").click();
    }

    /** Drops every connection of the user on the server's side; both windows reconnect and resume. */
    private void dropConnectionsOf(String user) {
        for (Chromium tab : List.of(first, second)) { // counts the reconnects the connection pill shows from now on
            ((JavascriptExecutor) tab.driver()).executeScript(COUNT_RECONNECTS);
        }
        HttpResponse<String> dropped = payara.server().postForm("api/test/connections/" + user + "/drop", "");
        assertEquals("2", dropped.body(), "both windows were connected");
        for (Chromium tab : List.of(first, second)) {
            tab.await("live again", d -> ((Number) ((JavascriptExecutor) d).executeScript("return window.reconnects;")).intValue() > 0);
        }
    }

    /** The one approval card on the page, waiting for it. */
    private static WebElement card(Chromium browser) {
        return browser.await("an approval card", d -> {
            List<WebElement> cards = d.findElements(By.cssSelector("section.approval"));
            return cards.size() == 1 && "region".equals(cards.get(0).getAriaRole()) ? cards.get(0) : null;
        });
    }

    private static List<WebElement> runs(Chromium browser) {
        return browser.all("article", "Agent");
    }

    /** The arguments the card shows (visible, as indented JSON). */
    private static String arguments(WebElement card) {
        WebElement shown = card.findElement(By.cssSelector("pre"));
        assertTrue(shown.isDisplayed(), "the arguments are shown");
        return shown.getDomProperty("textContent");
    }

    private static String status(WebElement card) {
        return card.findElement(By.cssSelector("[role=status]")).getText();
    }

    private static String answer(WebElement run) {
        return run.findElement(By.cssSelector(".answer")).getText();
    }

    private static List<String> steps(WebElement run) {
        return run.findElement(By.cssSelector("ol")).findElements(By.cssSelector("li")).stream()
                .map(e -> e.getText().replaceAll("\\s+", " ").strip()).toList();
    }

    /** The user's notes over REST, with a token of the development issuer. */
    private static JsonArray notes(String user) {
        String body = payara.server().postForm("api/dev/tokens", "user=" + user).body();
        String token = Json.createReader(new StringReader(body)).readObject().getString("token");
        JsonObject notes = payara.server().getJson("api/notes", token);
        return notes.getJsonArray("items");
    }
}
