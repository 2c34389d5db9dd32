package dev.agentwire.auth.control;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DevTokenIssuerTest {

    @Test
    void unsetItRunsOnlyWithoutAVerificationKeyAndOutsideProduction() {
        assertTrue(DevTokenIssuer.decide(Optional.empty(), false, false), "a fresh machine gets development tokens");
        assertFalse(DevTokenIssuer.decide(Optional.empty(), true, false), "a configured key turns it off");
        assertFalse(DevTokenIssuer.decide(Optional.empty(), false, true), "never by default in prod");
    }

    @Test
    void anExplicitSettingDecides() {
        assertTrue(DevTokenIssuer.decide(Optional.of(true), true, false), "both issuers, on purpose");
        assertFalse(DevTokenIssuer.decide(Optional.of(false), false, false));
        assertTrue(DevTokenIssuer.decide(Optional.of(true), false, true), "on in prod, which start() then refuses");
    }

    @Test
    void everyVerificationKeyNameCountsInEverySpelling() {
        for (String name : List.of("mp.jwt.verify.publickey", "mp.jwt.verify.publickey.location", "mp.jwt.verify.publickey.algorithm",
                "mp.jwt.verify.publickey.cache.ttl", "MP_JWT_VERIFY_PUBLICKEY", "MP_JWT_VERIFY_PUBLICKEY_LOCATION")) {
            assertTrue(DevTokenIssuer.namesAVerificationKey(name), name);
        }
        for (String name : List.of("mp.jwt.verify.issuer", "mp.jwt.verify.audiences", "agentwire.dev-issuer.enabled", "MP_JWT_VERIFY_ISSUER")) {
            assertFalse(DevTokenIssuer.namesAVerificationKey(name), name);
        }
    }

    @Test
    void onlyLiteralLoopbackAddressesAreLoopback() {
        for (String address : List.of("127.0.0.1", "127.0.0.2", "127.255.255.254", "::1", "0:0:0:0:0:0:0:1", "[::1]", "::ffff:127.0.0.1")) {
            assertTrue(DevTokenIssuer.isLoopbackLiteral(address), address);
        }
        for (String address : List.of("10.0.0.1", "192.168.1.20", "0.0.0.0", "203.0.113.9", "fe80::1", "2001:db8::1", "::",
                "localhost", "example.org", "127.0.0.1.example.org", "", " ")) {
            assertFalse(DevTokenIssuer.isLoopbackLiteral(address), address);
        }
        assertFalse(DevTokenIssuer.isLoopbackLiteral(null));
    }

    @Test
    void withoutAllowRemoteOnlyDirectLoopbackRequestsAreServed() {
        var issuer = new DevTokenIssuer();
        issuer.allowRemote = false;
        assertTrue(issuer.mayServe("127.0.0.1", false, "localhost:8080"));
        assertTrue(issuer.mayServe("::1", false, "[::1]:8080"));
        assertTrue(issuer.mayServe("127.0.0.1", false, "127.0.0.1"));
        assertFalse(issuer.mayServe("192.168.1.20", false, "localhost:8080"), "another machine");
        assertFalse(issuer.mayServe("127.0.0.1", true, "localhost:8080"), "through a reverse proxy on this machine");
        assertFalse(issuer.mayServe("127.0.0.1", false, "attacker.example:8080"), "a rebound host name: another site's page");
        assertFalse(issuer.mayServe("127.0.0.1", false, null), "no Host at all");
    }

    @Test
    void allowRemoteServesEveryAddress() {
        var issuer = new DevTokenIssuer();
        issuer.allowRemote = true;
        assertTrue(issuer.mayServe("192.168.1.20", false, "gateway.example"));
        assertTrue(issuer.mayServe("127.0.0.1", true, "gateway.example"));
    }
}
