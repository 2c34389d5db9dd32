package dev.agentwire.it;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/** Signs tokens as the test identity provider whose public keys the test server trusts. */
public final class TestTokens {

    public static final String ISSUER = "https://issuer.test.agentwire.dev";
    public static final String ROLE = "chat";

    private static final JWKSet KEYS = load();
    private static final RSAKey RSA = (RSAKey) KEYS.getKeyByKeyId("test-rsa");
    private static final ECKey EC = (ECKey) KEYS.getKeyByKeyId("test-ec");

    private TestTokens() {
    }

    /** Claims of a valid token for the user, ready to be changed by a test. */
    public static JWTClaimsSet.Builder claims(String userId) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(userId)
                .claim("upn", userId)
                .claim("groups", List.of(ROLE))
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(10))))
                .jwtID(UUID.randomUUID().toString());
    }

    public static String valid(String userId) {
        return rs256(claims(userId).build());
    }

    public static String rs256(JWTClaimsSet claims) {
        try {
            return sign(new RSASSASigner(RSA), JWSAlgorithm.RS256, RSA.getKeyID(), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String es256(JWTClaimsSet claims) {
        try {
            return sign(new ECDSASigner(EC), JWSAlgorithm.ES256, EC.getKeyID(), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signed with a key the server has never seen, under the trusted key's id. */
    public static String signedByStranger(JWTClaimsSet claims) {
        try {
            RSAKey stranger = new RSAKeyGenerator(2048).keyID(RSA.getKeyID()).generate();
            return sign(new RSASSASigner(stranger), JWSAlgorithm.RS256, RSA.getKeyID(), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code alg: none}. */
    public static String unsigned(JWTClaimsSet claims) {
        return new PlainJWT(new PlainHeader(), claims).serialize();
    }

    /** HS256 keyed with the server's public RSA key: the classic algorithm-confusion attack. */
    public static String hmacWithPublicKey(JWTClaimsSet claims) {
        try {
            byte[] secret = RSA.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
            return sign(new MACSigner(secret), JWSAlgorithm.HS256, RSA.getKeyID(), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(JWSSigner signer, JWSAlgorithm algorithm, String keyId, JWTClaimsSet claims) {
        try {
            var jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(keyId).build(), claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JWKSet load() {
        try (InputStream in = TestTokens.class.getResourceAsStream("/keys/test-signing-keys.jwks.json")) {
            return JWKSet.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException | ParseException e) {
            throw new IllegalStateException("test signing keys missing", e);
        }
    }
}
