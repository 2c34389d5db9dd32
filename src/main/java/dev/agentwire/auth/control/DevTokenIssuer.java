package dev.agentwire.auth.control;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A token issuer for development, so a newcomer can chat a minute after starting. Its signing
 * key is generated on first start under the data directory and never leaves it.
 *
 * <p>Whether it runs is decided once, at start-up, so that it cannot run by accident next to a
 * real identity provider: {@code agentwire.dev-issuer.enabled} decides when it is set in any
 * configuration source; unset, the issuer runs only when no verification key is configured
 * (no {@code mp.jwt.verify.publickey*} key) and the profile is not {@code prod}. The embedded
 * {@code microprofile-config.properties} deliberately has no value for the key: one there would
 * count as set. It refuses to start in the {@code prod} profile, whatever the configuration says.
 */
@ApplicationScoped
public class DevTokenIssuer {

    private static final Logger LOG = Logger.getLogger(DevTokenIssuer.class.getName());
    static final String ISSUER = "agentwire-dev-issuer";
    static final String PRODUCTION_PROFILE = "prod";

    static final String VERIFICATION_KEY_PREFIX = "mp.jwt.verify.publickey";

    /** Set by an operator or a developer; unset means "decide from the rest of the configuration". */
    @Inject
    @ConfigProperty(name = "agentwire.dev-issuer.enabled")
    Optional<Boolean> enabledSetting;

    @Inject
    @ConfigProperty(name = "agentwire.dev-issuer.allow-remote", defaultValue = "false")
    boolean allowRemote;

    @Inject
    Config config;

    @Inject
    @ConfigProperty(name = "mp.config.profile")
    Optional<String> profile;

    @Inject
    @ConfigProperty(name = "agentwire.data-dir", defaultValue = "data")
    String dataDir;

    @Inject
    @ConfigProperty(name = "agentwire.dev-issuer.token-lifetime-seconds", defaultValue = "3600")
    long lifetimeSeconds;

    @Inject
    @ConfigProperty(name = "agentwire.auth.required-role")
    Optional<String> requiredRole;

    private boolean enabled;
    private RSAKey signingKey;

    @PostConstruct
    void start() {
        enabled = decide(enabledSetting, verificationKeyConfigured(config), profile.filter(PRODUCTION_PROFILE::equals).isPresent());
        if (!enabled) {
            return;
        }
        if (profile.filter(PRODUCTION_PROFILE::equals).isPresent()) {
            throw new IllegalStateException("The development token issuer cannot run in the prod profile:"
                    + " remove agentwire.dev-issuer.enabled (AGENTWIRE_DEV_ISSUER_ENABLED) and configure"
                    + " mp.jwt.verify.publickey.location and mp.jwt.verify.issuer for your identity provider");
        }
        if (lifetimeSeconds < 1) {
            throw new IllegalStateException("agentwire.dev-issuer.token-lifetime-seconds must be at least 1");
        }
        signingKey = loadOrCreateKey(Path.of(dataDir, "dev-issuer", "signing-key.jwk"));
    }

    /**
     * The switch: an explicit setting wins; without one the issuer runs only where nothing says
     * a real identity provider is meant (no verification key) and never in production.
     */
    static boolean decide(Optional<Boolean> setting, boolean verificationKeyConfigured, boolean production) {
        return setting.orElse(!verificationKeyConfigured && !production);
    }

    /**
     * Whether any {@code mp.jwt.verify.publickey*} key has a value, from any source. The three
     * keys of the specification are asked for by name, which also finds their environment
     * variables; every other property name is compared in its environment-variable spelling
     * too ({@code MP_JWT_VERIFY_PUBLICKEY_LOCATION}), so no spelling slips through.
     */
    static boolean verificationKeyConfigured(Config config) {
        for (String key : List.of(VERIFICATION_KEY_PREFIX, VERIFICATION_KEY_PREFIX + ".location", VERIFICATION_KEY_PREFIX + ".algorithm")) {
            if (config.getOptionalValue(key, String.class).filter(value -> !value.isBlank()).isPresent()) {
                return true;
            }
        }
        for (String name : config.getPropertyNames()) {
            if (namesAVerificationKey(name) && config.getOptionalValue(name, String.class).filter(value -> !value.isBlank()).isPresent()) {
                return true;
            }
        }
        return false;
    }

    static boolean namesAVerificationKey(String propertyName) {
        return propertyName.replace('_', '.').toLowerCase(Locale.ROOT).startsWith(VERIFICATION_KEY_PREFIX);
    }

    public boolean isEnabled() {
        return enabled;
    }

    /** Whether it was switched on by {@code agentwire.dev-issuer.enabled}, rather than by the absence of a key. */
    public boolean isExplicitlyEnabled() {
        return enabled && enabledSetting.isPresent();
    }

    /** Whether requests from other machines may get tokens ({@code agentwire.dev-issuer.allow-remote}). */
    public boolean allowsRemote() {
        return allowRemote;
    }

    /**
     * Whether a request from this remote address, for this {@code Host}, may get a token. Without
     * {@code allow-remote} only loopback addresses may, asking for a loopback host: a request that
     * names a forwarded client (a reverse proxy on this machine) counts as remote whatever its
     * address, and one for another host name is a page of another site that had its name resolve
     * to this machine (DNS rebinding) and makes the browser ask on its behalf.
     */
    public boolean mayServe(String remoteAddress, boolean forwarded, String host) {
        return allowRemote || (!forwarded && isLoopbackLiteral(remoteAddress) && isLoopbackHost(host));
    }

    /** Whether a {@code Host} header ({@code name[:port]}) names this machine's loopback: localhost or a loopback literal. */
    static boolean isLoopbackHost(String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1)
                : host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
        return name.equalsIgnoreCase("localhost") || isLoopbackLiteral(name);
    }

    /**
     * Whether the text is a literal IPv4 or IPv6 loopback address. Only literals are parsed, so
     * this never asks DNS; a host name is not loopback.
     */
    static boolean isLoopbackLiteral(String address) {
        if (address == null || address.isBlank()) {
            return false;
        }
        String literal = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
        boolean ipv4 = literal.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = literal.contains(":"); // no host name has one; InetAddress parses it as a literal or fails
        if (!ipv4 && !ipv6) {
            return false;
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public String issuer() {
        return ISSUER;
    }

    public JWKSet publicKeys() {
        return new JWKSet(signingKey.toPublicJWK());
    }

    public Duration lifetime() {
        return Duration.ofSeconds(lifetimeSeconds);
    }

    /** A signed token naming the user, carrying the required role if one is configured. */
    public String issue(String userId) {
        if (!enabled) {
            throw new IllegalStateException("the development issuer is disabled");
        }
        Instant now = Instant.now();
        var claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(userId)
                .claim("upn", userId)
                .claim("groups", requiredRole.map(List::of).orElse(List.of()))
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(lifetimeSeconds)))
                .jwtID(UUID.randomUUID().toString())
                .build();
        var header = new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).keyID(signingKey.getKeyID()).build();
        var jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(new RSASSASigner(signingKey));
        } catch (JOSEException e) {
            throw new IllegalStateException("signing a development token failed", e);
        }
        return jwt.serialize();
    }

    private static RSAKey loadOrCreateKey(Path file) {
        try {
            if (Files.exists(file)) {
                return RSAKey.parse(Files.readString(file));
            }
            RSAKey key = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true).generate();
            Files.createDirectories(file.getParent());
            Path temporary = Files.createTempFile(file.getParent(), "signing-key", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, key.toJSONString());
            Files.move(temporary, file);
            LOG.info(() -> "Generated the development issuer's signing key in " + file.toAbsolutePath());
            return key;
        } catch (IOException | ParseException | JOSEException | UnsupportedOperationException e) {
            throw new IllegalStateException("The development issuer's key at " + file.toAbsolutePath()
                    + " cannot be read or created; fix the file or agentwire.data-dir", e);
        }
    }
}
