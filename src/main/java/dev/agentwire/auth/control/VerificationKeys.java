package dev.agentwire.auth.control;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.Base64;

/**
 * Reads verification keys the way MicroProfile JWT configures them: a PEM public key or
 * certificate, a JWK or a JWKS, given inline or by location (a file path or {@code file:}
 * URL, a class path resource, or an http(s) JWKS URL, which is fetched and refreshed as keys rotate).
 */
final class VerificationKeys {

    private VerificationKeys() {
    }

    static JWKSource<SecurityContext> fromLocation(String location) {
        String trimmed = location.trim();
        if (trimmed.startsWith("http://") || trimmed.startsWith("https://")) {
            try {
                return JWKSourceBuilder.create(URI.create(trimmed).toURL()).build();
            } catch (MalformedURLException | IllegalArgumentException e) {
                throw new IllegalStateException("mp.jwt.verify.publickey.location is not a valid URL: " + trimmed);
            }
        }
        return fromText(read(trimmed), "mp.jwt.verify.publickey.location " + trimmed);
    }

    static JWKSource<SecurityContext> fromText(String text, String origin) {
        try {
            return new ImmutableJWKSet<>(parse(text.trim()));
        } catch (ParseException | GeneralSecurityException | JOSEException | IllegalArgumentException e) {
            throw new IllegalStateException(origin + " holds no usable public key"
                    + " (expected a PEM public key or certificate, a JWK or a JWKS)", e);
        }
    }

    private static JWKSet parse(String text) throws ParseException, GeneralSecurityException, JOSEException {
        if (text.startsWith("{")) {
            return text.contains("\"keys\"") ? JWKSet.parse(text) : new JWKSet(JWK.parse(text));
        }
        if (text.contains("BEGIN CERTIFICATE")) {
            var certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
            return new JWKSet(JWK.parse(certificate));
        }
        String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return new JWKSet(toJwk(publicKey(Base64.getDecoder().decode(base64))));
    }

    private static PublicKey publicKey(byte[] der) throws GeneralSecurityException {
        var spec = new X509EncodedKeySpec(der);
        try {
            return KeyFactory.getInstance("RSA").generatePublic(spec);
        } catch (GeneralSecurityException notRsa) {
            return KeyFactory.getInstance("EC").generatePublic(spec);
        }
    }

    private static JWK toJwk(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa).build();
        }
        var ec = (ECPublicKey) key;
        return new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec).build();
    }

    private static String read(String location) {
        if (location.startsWith("file:")) {
            return readFile(fileOf(location), location);
        }
        String name = location.startsWith("classpath:") ? location.substring("classpath:".length()) : location;
        Path file = Path.of(name);
        try {
            if (!location.startsWith("classpath:") && Files.isRegularFile(file)) {
                return Files.readString(file);
            }
            String resource = name.startsWith("/") ? name.substring(1) : name;
            try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
                if (in != null) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("mp.jwt.verify.publickey.location " + location + " cannot be read", e);
        }
        throw new IllegalStateException("mp.jwt.verify.publickey.location " + location
                + " is neither a readable file, a class path resource nor an http(s) URL");
    }

    /**
     * The file a {@code file:} URL names, as the MicroProfile JWT specification allows:
     * {@code file:/keys/idp.pem} and {@code file:///keys/idp.pem}; also the relative
     * {@code file:keys/idp.pem}, which is not a hierarchical URI, against the working directory.
     */
    static Path fileOf(String location) {
        try {
            URI uri = new URI(location);
            if (!uri.isOpaque()) {
                return Path.of(uri);
            }
        } catch (URISyntaxException | IllegalArgumentException notAFileUri) {
            // not a well-formed absolute file URI: read what follows "file:" as a path
        }
        return Path.of(location.substring("file:".length()));
    }

    private static String readFile(Path file, String location) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("mp.jwt.verify.publickey.location " + location + " names no readable file");
        }
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException("mp.jwt.verify.publickey.location " + location + " cannot be read", e);
        }
    }
}
