package dev.agentwire.auth.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerificationKeysTest {

    @TempDir
    Path directory;

    private Path keys() throws Exception {
        Path file = directory.resolve("idp keys.jwks.json");
        try (var in = getClass().getResourceAsStream("/keys/test-verification-keys.jwks.json")) {
            Files.write(file, in.readAllBytes());
        }
        return file;
    }

    @Test
    void fileUrlsAreLocations() throws Exception {
        Path file = keys();
        assertNotNull(VerificationKeys.fromLocation(file.toUri().toString()), "file:///…, with the space escaped");
        assertNotNull(VerificationKeys.fromLocation("file:" + file.toAbsolutePath()), "file:/…");
        assertNotNull(VerificationKeys.fromLocation(file.toString()), "a plain path, as before");
    }

    @Test
    void fileUrlsNameTheFile() {
        assertEquals(Path.of("/keys/idp.pem"), VerificationKeys.fileOf("file:/keys/idp.pem"));
        assertEquals(Path.of("/keys/idp.pem"), VerificationKeys.fileOf("file:///keys/idp.pem"));
        assertEquals(Path.of("keys/idp.pem"), VerificationKeys.fileOf("file:keys/idp.pem"));
    }

    @Test
    void aMissingFileSaysWhichLocation() {
        var failure = assertThrows(IllegalStateException.class, () -> VerificationKeys.fromLocation("file:/no/such/keys.json"));
        assertTrue(failure.getMessage().contains("file:/no/such/keys.json"), failure.getMessage());
    }
}
