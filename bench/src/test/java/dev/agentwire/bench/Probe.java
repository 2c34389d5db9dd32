package dev.agentwire.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the simulations need to know about the server under test, and how they measure it:
 * CPU time from /proc/PID/stat, resident memory from /proc/PID/status, heap after a full GC via
 * {@code jcmd} (JVM) or the Node reference's {@code /stats}. All settings are system properties
 * set by the orchestrator ({@link Bench}) or on the {@code mvn gatling:test} command line.
 */
final class Probe {

    /** WebSocket URL of the endpoint under test. */
    static final String URL = System.getProperty("bench.url", "ws://127.0.0.1:8080/ws/chat");
    /** agentwire (wait for {@code ready}) or echo (baseline and Node: the upgrade is the handshake). */
    static final boolean AGENTWIRE = "agentwire".equals(System.getProperty("bench.kind", "agentwire"));
    static final String TOKENS = System.getProperty("bench.tokens", "target/bench/tokens.csv");
    static final long PID = Long.getLong("bench.pid", -1);
    /** Node only: the URL of its /stats (full GC, then memory figures). */
    static final String NODE_STATS = System.getProperty("bench.nodeStats", "");
    static final Path OUT = Path.of(System.getProperty("bench.out", "target/bench/last-result.properties"));
    static final String JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();

    static final String CHAT = "{\"type\":\"chat\",\"text\":\"what is 12*(3+4)?\"}";

    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final Pattern NODE_FIELD = Pattern.compile("\"(\\w+)\":(\\d+)");

    private Probe() {
    }

    static int intProp(String name, int quick, int full) {
        return Integer.getInteger(name, Boolean.getBoolean("bench.quick") ? quick : full);
    }

    /** User plus system CPU time of the server process, in milliseconds. */
    static long cpuMillis() {
        return cpuMillis(PID);
    }

    /** User plus system CPU time of a process, in milliseconds; -1 when it cannot be read. */
    static long cpuMillis(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
            return ticks * 1000 / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Resident set size of the server process in KiB. */
    static long rssKib() {
        if (PID <= 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(PID), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    /** Heap in use after a full GC, in bytes: {@code jcmd GC.run} + {@code GC.heap_info}, or Node's /stats. */
    static long heapAfterFullGc() {
        return heapAfterFullGc(PID);
    }

    /** The same for the JVM of {@code pid}. */
    static long heapAfterFullGc(long pid) {
        try {
            if (!NODE_STATS.isEmpty()) {
                // HTTP/1.1: an h2c upgrade request would go to ws' upgrade handler
                var response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                        HttpRequest.newBuilder(URI.create(NODE_STATS)).timeout(Duration.ofSeconds(60)).build(),
                        HttpResponse.BodyHandlers.ofString());
                Matcher m = NODE_FIELD.matcher(response.body());
                while (m.find()) {
                    if (m.group(1).equals("heapUsed")) {
                        return Long.parseLong(m.group(2));
                    }
                }
                return -1;
            }
            jcmd(pid, "GC.run");
            String info = jcmd(pid, "GC.heap_info");
            Matcher m = HEAP_USED.matcher(info);
            return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    static String jcmd(String command) throws IOException, InterruptedException {
        return jcmd(PID, command);
    }

    static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(JCMD, Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(120, TimeUnit.SECONDS);
        return out;
    }

    /** Writes the simulation's own figures for the orchestrator (a properties file). */
    static synchronized void write(Map<String, ?> figures) {
        var lines = new StringBuilder();
        new LinkedHashMap<>(figures).forEach((k, v) -> lines.append(k).append('=').append(v).append('\n'));
        try {
            Files.createDirectories(OUT.toAbsolutePath().getParent());
            Files.writeString(OUT, lines.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        System.out.println("[bench] " + OUT + "\n" + lines);
    }
}
