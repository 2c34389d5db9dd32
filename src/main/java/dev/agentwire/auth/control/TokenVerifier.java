package dev.agentwire.auth.control;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.agentwire.auth.entity.VerifiedToken;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.text.ParseException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.Config;

/**
 * Verifies bearer tokens against the standard MicroProfile JWT configuration
 * ({@code mp.jwt.verify.publickey}, {@code mp.jwt.verify.publickey.location},
 * {@code mp.jwt.verify.issuer}, {@code mp.jwt.verify.audiences},
 * {@code mp.jwt.verify.publickey.algorithm}, {@code mp.jwt.verify.clock.skew}), and against
 * the development issuer when that is enabled. Each trusted issuer has its own keys, so a key
 * of one issuer never vouches for a token claiming another.
 */
@ApplicationScoped
public class TokenVerifier {

    static final Set<JWSAlgorithm> ACCEPTED_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);

    @Inject
    Config config;

    @Inject
    DevTokenIssuer devIssuer;

    private final Map<String, DefaultJWTProcessor<SecurityContext>> processorsByIssuer = new LinkedHashMap<>();
    private Set<JWSAlgorithm> algorithms;
    private Set<String> audiences;
    private long clockSkewSeconds;
    private String configuredIssuer;

    @PostConstruct
    void configure() {
        algorithms = config.getOptionalValue("mp.jwt.verify.publickey.algorithm", String.class)
                .map(name -> Set.of(acceptedAlgorithm(name)))
                .orElse(ACCEPTED_ALGORITHMS);
        audiences = config.getOptionalValue("mp.jwt.verify.audiences", String[].class)
                .map(values -> Set.copyOf(Arrays.asList(values)))
                .orElse(Set.of());
        clockSkewSeconds = config.getOptionalValue("mp.jwt.verify.clock.skew", Long.class).orElse(60L);
        if (clockSkewSeconds < 0) {
            throw new IllegalStateException("mp.jwt.verify.clock.skew must be 0 or more seconds");
        }

        Optional<JWKSource<SecurityContext>> configuredKeys = config.getOptionalValue("mp.jwt.verify.publickey", String.class)
                .map(text -> VerificationKeys.fromText(text, "mp.jwt.verify.publickey"))
                .or(() -> config.getOptionalValue("mp.jwt.verify.publickey.location", String.class)
                        .map(VerificationKeys::fromLocation));
        configuredKeys.ifPresent(keys -> {
            String issuer = config.getOptionalValue("mp.jwt.verify.issuer", String.class).orElseThrow(
                    () -> new IllegalStateException("A verification key is configured but no issuer:"
                            + " set mp.jwt.verify.issuer (MP_JWT_VERIFY_ISSUER) to the iss of your identity provider's tokens"));
            processorsByIssuer.put(issuer, processor(keys));
            configuredIssuer = issuer;
        });
        if (devIssuer.isEnabled()) {
            processorsByIssuer.putIfAbsent(devIssuer.issuer(), processor(new ImmutableJWKSet<>(devIssuer.publicKeys())));
        }
        if (processorsByIssuer.isEmpty()) {
            throw new IllegalStateException("No token verification key is configured:"
                    + " set mp.jwt.verify.publickey.location (MP_JWT_VERIFY_PUBLICKEY_LOCATION) or mp.jwt.verify.publickey,"
                    + " and mp.jwt.verify.issuer; or, outside the prod profile, enable the development issuer"
                    + " with agentwire.dev-issuer.enabled=true");
        }
    }

    /** The issuers whose tokens are accepted. */
    public List<String> trustedIssuers() {
        return List.copyOf(processorsByIssuer.keySet());
    }

    /** The issuer of the configured verification key, if one is configured (not the development issuer). */
    public Optional<String> configuredIssuer() {
        return Optional.ofNullable(configuredIssuer);
    }

    /** Whether a token's {@code aud} is checked ({@code mp.jwt.verify.audiences} is set). */
    public boolean checksAudience() {
        return !audiences.isEmpty();
    }

    /** Verifies a compact JWT, or throws the AUTH_* refusal that says what is wrong with it. */
    public VerifiedToken verify(String token) {
        SignedJWT jwt = signed(token);
        String issuer = claims(jwt).getIssuer();
        var processor = issuer == null ? null : processorsByIssuer.get(issuer);
        if (processor == null) {
            throw new GatewayException(ErrorCode.AUTH_WRONG_ISSUER);
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(jwt, null);
        } catch (BadJOSEException e) {
            throw new GatewayException(ErrorCode.AUTH_INVALID_SIGNATURE);
        } catch (JOSEException e) {
            throw new GatewayException(ErrorCode.AUTH_KEYS_UNAVAILABLE);
        }
        Instant expiresAt = checkTimes(claims);
        checkAudience(claims);
        return new VerifiedToken(userId(claims), issuer, groups(claims), expiresAt);
    }

    private SignedJWT signed(String token) {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw new GatewayException(ErrorCode.AUTH_MALFORMED_TOKEN);
        }
        if (!(jwt instanceof SignedJWT signed) || !algorithms.contains(signed.getHeader().getAlgorithm())) {
            throw new GatewayException(ErrorCode.AUTH_ALGORITHM_REJECTED, "The token must be signed with "
                    + algorithms.stream().map(JWSAlgorithm::getName).sorted().collect(Collectors.joining(" or ")) + ".");
        }
        return signed;
    }

    private static JWTClaimsSet claims(SignedJWT jwt) {
        try {
            return jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new GatewayException(ErrorCode.AUTH_MALFORMED_TOKEN);
        }
    }

    /**
     * Checks exp and nbf and returns the instant the token stops being accepted: its exp plus
     * the clock skew. That one instant is the rule everywhere: REST refuses the token from then
     * on, and a WebSocket session opened or refreshed with it ends then; before, a token inside
     * the skew got {@code ready} and was cut off at its bare exp a moment later.
     */
    private Instant checkTimes(JWTClaimsSet claims) {
        Instant now = Instant.now();
        if (claims.getExpirationTime() == null) {
            throw new GatewayException(ErrorCode.AUTH_MALFORMED_TOKEN, "The token has no expiry (exp).");
        }
        Instant acceptedUntil = acceptedUntil(claims.getExpirationTime().toInstant(), clockSkewSeconds);
        if (!now.isBefore(acceptedUntil)) {
            throw new GatewayException(ErrorCode.AUTH_EXPIRED);
        }
        if (claims.getNotBeforeTime() != null && now.plusSeconds(clockSkewSeconds).isBefore(claims.getNotBeforeTime().toInstant())) {
            throw new GatewayException(ErrorCode.AUTH_NOT_YET_VALID);
        }
        return acceptedUntil;
    }

    static Instant acceptedUntil(Instant expiry, long clockSkewSeconds) {
        return expiry.plusSeconds(clockSkewSeconds);
    }

    private void checkAudience(JWTClaimsSet claims) {
        if (!audiences.isEmpty()) {
            List<String> tokenAudiences = claims.getAudience();
            if (tokenAudiences == null || tokenAudiences.stream().noneMatch(audiences::contains)) {
                throw new GatewayException(ErrorCode.AUTH_WRONG_AUDIENCE);
            }
        }
    }

    /** The MicroProfile JWT principal name: upn, then preferred_username, then sub. */
    static String userId(JWTClaimsSet claims) {
        for (String claim : List.of("upn", "preferred_username", "sub")) {
            Object value = claims.getClaim(claim);
            if (value != null && !(value instanceof String)) {
                throw new GatewayException(ErrorCode.AUTH_INVALID_USER_ID, "The token's " + claim + " claim must be a string.");
            }
            if (value != null && !((String) value).isBlank()) {
                return (String) value;
            }
        }
        throw new GatewayException(ErrorCode.AUTH_NO_USER_ID);
    }

    private static Set<String> groups(JWTClaimsSet claims) {
        Object groups = claims.getClaim("groups");
        if (groups instanceof Collection<?> values) {
            Set<String> names = new HashSet<>();
            values.forEach(value -> names.add(String.valueOf(value)));
            return names;
        }
        return Set.of();
    }

    private static JWSAlgorithm acceptedAlgorithm(String name) {
        JWSAlgorithm algorithm = JWSAlgorithm.parse(name.trim());
        if (!ACCEPTED_ALGORITHMS.contains(algorithm)) {
            throw new IllegalStateException("mp.jwt.verify.publickey.algorithm must be RS256 or ES256, not " + name);
        }
        return algorithm;
    }

    private DefaultJWTProcessor<SecurityContext> processor(JWKSource<SecurityContext> keys) {
        var processor = new DefaultJWTProcessor<SecurityContext>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
        processor.setJWTClaimsSetVerifier((claims, context) -> {
            // times, audience and user id are checked by this class, to name the failure precisely
        });
        return processor;
    }
}
