package dev.agentwire.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.agentwire.it.ChatClient;
import dev.agentwire.it.SuiteServerTest;
import dev.agentwire.it.TestTokens;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each way a token can be wrong — including every bug class of the seeds — ends with an AUTH_*
 * error frame and close code 4401, never an internal error; odd but valid user ids work.
 */
class HandshakeIT extends SuiteServerTest {

    @Test
    void tokenWithoutUserIdIsRefused() {
        var claims = TestTokens.claims("ignored").subject(null).claim("upn", null).build();
        refused(TestTokens.rs256(claims), "AUTH_NO_USER_ID");
    }

    @Test
    void emptyUserIdIsRefused() {
        var claims = TestTokens.claims("").claim("upn", "").claim("preferred_username", " ").build();
        refused(TestTokens.rs256(claims), "AUTH_NO_USER_ID");
    }

    @Test
    void oneCharacterUserIdChats() {
        try (var client = ChatClient.withHeader(server.chat(), TestTokens.valid("a"))) {
            JsonObject ready = client.expect("ready");
            assertEquals("a", ready.getString("user_id"));
            client.chat("what is 2+3?");
            List<JsonObject> run = client.run();
            assertEquals("agent_completed", run.get(run.size() - 1).getString("type"));
            assertTrue(run.get(run.size() - 1).getString("text").contains("5"));
        }
    }

    @Test
    void userIdFallsBackFromUpnToPreferredUsernameToSub() {
        var preferred = TestTokens.claims("sub-1").claim("upn", null).claim("preferred_username", "pref-1").build();
        try (var client = ChatClient.withHeader(server.chat(), TestTokens.rs256(preferred))) {
            assertEquals("pref-1", client.expect("ready").getString("user_id"));
        }
        var subOnly = TestTokens.claims("sub-2").claim("upn", null).build();
        try (var client = ChatClient.withHeader(server.chat(), TestTokens.rs256(subOnly))) {
            assertEquals("sub-2", client.expect("ready").getString("user_id"));
        }
    }

    @Test
    void expiredTokenIsRefused() {
        Instant longAgo = Instant.now().minus(Duration.ofHours(2));
        var claims = TestTokens.claims("expired-user").issueTime(Date.from(longAgo))
                .expirationTime(Date.from(longAgo.plus(Duration.ofMinutes(5)))).build();
        refused(TestTokens.rs256(claims), "AUTH_EXPIRED");
    }

    @Test
    void tokenSignedByAnotherKeyIsRefused() {
        refused(TestTokens.signedByStranger(TestTokens.claims("mallory").build()), "AUTH_INVALID_SIGNATURE");
    }

    @Test
    void tokenFromAnotherIssuerIsRefused() {
        refused(TestTokens.rs256(TestTokens.claims("mallory").issuer("https://elsewhere.example").build()), "AUTH_WRONG_ISSUER");
    }

    @Test
    void developmentIssuerKeyCannotVouchForTheConfiguredIssuer() throws Exception {
        server.postForm("api/dev/tokens", "user=someone"); // the dev key exists once the issuer started
        var devKey = com.nimbusds.jose.jwk.RSAKey.parse(java.nio.file.Files.readString(java.nio.file.Path.of(
                System.getProperty("agentwire.basedir"), "target/it-data/dev-issuer/signing-key.jwk")));
        var forged = new com.nimbusds.jwt.SignedJWT(
                new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.RS256).keyID(devKey.getKeyID()).build(),
                TestTokens.claims("mallory").build());
        forged.sign(new com.nimbusds.jose.crypto.RSASSASigner(devKey));
        refused(forged.serialize(), "AUTH_INVALID_SIGNATURE");
    }

    @Test
    void unsignedTokenIsRefused() {
        refused(TestTokens.unsigned(TestTokens.claims("mallory").build()), "AUTH_ALGORITHM_REJECTED");
    }

    @Test
    void hmacSignedWithThePublicKeyIsRefused() {
        refused(TestTokens.hmacWithPublicKey(TestTokens.claims("mallory").build()), "AUTH_ALGORITHM_REJECTED");
    }

    @Test
    void garbageTokenIsRefused() {
        refused("not-a-jwt", "AUTH_MALFORMED_TOKEN");
    }

    @Test
    void missingTokenIsRefused() {
        refused(null, "AUTH_MISSING_TOKEN");
    }

    @Test
    void tokenWithoutTheRequiredRoleIsForbidden() {
        var claims = TestTokens.claims("no-role").claim("groups", List.of("other")).build();
        try (var client = ChatClient.withHeader(server.chat(), TestTokens.rs256(claims))) {
            JsonObject error = client.expectError("FORBIDDEN");
            assertEquals(4403, error.getInt("close_code"));
            assertEquals(new ChatClient.Close(4403, "FORBIDDEN"), client.awaitClose());
        }
    }

    @Test
    void es256TokensAreAccepted() {
        try (var client = ChatClient.withHeader(server.chat(), TestTokens.es256(TestTokens.claims("ec-user").build()))) {
            assertEquals("ec-user", client.expect("ready").getString("user_id"));
        }
    }

    @Test
    void browsersSendTheTokenAsSubprotocolAndGetBearerBack() {
        try (var client = ChatClient.withSubprotocol(server.chat(), TestTokens.valid("browser-user"))) {
            assertEquals("bearer", client.subprotocol());
            assertEquals("browser-user", client.expect("ready").getString("user_id"));
        }
    }

    @Test
    void invalidSubprotocolTokenIsRefusedWithAFrame() {
        try (var client = ChatClient.withSubprotocol(server.chat(), "junk")) {
            client.expectError("AUTH_MALFORMED_TOKEN");
            assertEquals(4401, client.awaitClose().code());
        }
    }

    private void refused(String token, String code) {
        double internalErrors = server.metric("agentwire_internal_errors_total", null);
        try (var client = ChatClient.withHeader(server.chat(), token)) {
            JsonObject error = client.expectError(code);
            assertEquals(4401, error.getInt("close_code"));
            assertEquals(false, error.getBoolean("retryable"));
            assertEquals(new ChatClient.Close(4401, code), client.awaitClose());
        }
        assertEquals(internalErrors, server.metric("agentwire_internal_errors_total", null), "no internal error");
    }
}
