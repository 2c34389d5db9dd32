package dev.agentwire.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class UserContextTest {

    static final String ISSUER = "https://issuer.test";

    @Test
    void anyNonBlankUserIdWorksIncludingOneCharacter() {
        UserContext context = UserContext.forConnection(ISSUER, "a");
        assertEquals("a", context.userId());
        assertNull(context.runId());
        assertNotEquals(context.connectionId(), context.requestId());
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   ", "tab\tinside", "new\nline"})
    void invalidUserIdsCannotExist(String userId) {
        assertThrows(IllegalArgumentException.class, () -> UserContext.forConnection(ISSUER, userId));
    }

    @Test
    void aContextWithoutIssuerCannotExist() {
        assertThrows(IllegalArgumentException.class, () -> UserContext.forConnection(" ", "bob"));
    }

    @Test
    void userIdsAreBounded() {
        UserContext.forConnection(ISSUER, "u".repeat(UserContext.MAX_USER_ID_LENGTH));
        assertThrows(IllegalArgumentException.class, () -> UserContext.forConnection(ISSUER, "u".repeat(UserContext.MAX_USER_ID_LENGTH + 1)));
    }

    @Test
    void runContextsAreDerivedAndKeepTheConnection() {
        UserContext connection = UserContext.forConnection(ISSUER, "bob");
        UserContext run = connection.forRun("thread-1", "run-1");
        assertEquals("run-1", run.runId());
        assertEquals(connection.userId(), run.userId());
        assertEquals(connection.connectionId(), run.connectionId());
        assertEquals(connection.requestId(), run.requestId());
        assertEquals(new Owner(ISSUER, "bob"), run.owner());
        assertThrows(IllegalArgumentException.class, () -> connection.forRun("", "run-1"));
        assertThrows(NullPointerException.class, () -> connection.forRun(null, "run-1"));
    }

    @Test
    void threadAndRunComeTogether() {
        assertThrows(IllegalArgumentException.class, () -> new UserContext(ISSUER, "bob", "c", "r", "thread", null));
        assertThrows(IllegalArgumentException.class, () -> new UserContext(ISSUER, "bob", "c", "r", null, "run"));
    }

    @Test
    void newIdsAreVersion7UuidsThatSortByTime() throws InterruptedException {
        String earlier = Ids.newId();
        Thread.sleep(2);
        String later = Ids.newId();
        UUID id = UUID.fromString(later);
        assertEquals(7, id.version());
        assertEquals(2, id.variant());
        assertTrue(earlier.compareTo(later) < 0, earlier + " sorts before " + later);
        assertNotEquals(Ids.newId(), Ids.newId());
    }
}
