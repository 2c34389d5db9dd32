package dev.agentwire.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Addresses of the server under test, and plain HTTP to it. */
public record Server(URI http) {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Arquillian may report a documentation address as the host; the server listens on loopback. */
    public static Server of(URL deployment) {
        return new Server(URI.create("http://127.0.0.1:" + deployment.getPort() + "/"));
    }

    public URI chat() {
        return URI.create("ws://127.0.0.1:" + http.getPort() + "/ws/chat");
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(http.resolve(path)).GET().build());
    }

    /** A GET with a bearer token; none when the token is null. */
    public HttpResponse<String> get(String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(http.resolve(path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build());
    }

    /** The JSON object a successful authorized GET answers. */
    public JsonObject getJson(String path, String token) {
        HttpResponse<String> response = get(path, token);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return Json.createReader(new StringReader(response.body())).readObject();
    }

    /**
     * The value of a base metric (the JVM's, e.g. {@code memory_usedHeap_bytes}) in the Prometheus
     * output; MicroProfile Metrics 5 names it without the scope prefix of earlier versions.
     */
    public double baseMetric(String name) {
        String text = get("metrics?scope=base").body();
        Matcher line = Pattern.compile("(?m)^(?:base_)?" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$").matcher(text);
        if (!line.find()) {
            throw new AssertionError("no metric " + name + " in /metrics?scope=base:\n" + text);
        }
        return Double.parseDouble(line.group(2));
    }

    public HttpResponse<String> postForm(String path, String form) {
        return send(HttpRequest.newBuilder(http.resolve(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
    }

    /** The value of an application metric in the Prometheus output, 0 when it was never recorded. */
    public double metric(String name, String tagFragment) {
        String text = get("metrics?scope=application").body();
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$").matcher(text);
        double sum = 0;
        while (line.find()) {
            if (tagFragment == null || line.group(1).contains(tagFragment)) {
                sum += Double.parseDouble(line.group(2));
            }
        }
        return sum;
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
