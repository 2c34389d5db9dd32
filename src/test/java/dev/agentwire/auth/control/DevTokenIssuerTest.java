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
}
