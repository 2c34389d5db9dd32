package dev.agentwire.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * A WebSocket client on a plain socket with a tiny receive buffer, that reads nothing after the
 * handshake unless told to: the peer that does not read, which the JDK client cannot imitate.
 */
public final class RawSocketClient implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Socket socket;
    private final OutputStream out;

    public RawSocketClient(URI chat, String token) throws IOException {
        socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress(chat.getHost(), chat.getPort()));
        out = socket.getOutputStream();
        byte[] key = new byte[16];
        RANDOM.nextBytes(key);
        String request = "GET " + chat.getPath() + " HTTP/1.1\r\n"
                + "Host: " + chat.getHost() + ":" + chat.getPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "Authorization: Bearer " + token + "\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String response = readHeaders(socket.getInputStream());
        if (!response.startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + response);
        }
    }

    /** A frame the server sent: its opcode and its (unmasked) payload. */
    public record Frame(int opcode, byte[] payload) {
        public static final int TEXT = 0x1;
        public static final int CLOSE = 0x8;

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame, or -1 when it carries none. */
        public int closeCode() {
            return payload.length < 2 ? -1 : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }
    }

    /** Sends a masked text frame, as clients must. */
    public void send(String text) throws IOException {
        sendFrame(0x80 | Frame.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends one fragment of a text message: the first is a text frame, the others continuation
     * frames; the last has the FIN bit.
     */
    public void sendFragment(boolean first, boolean last, byte[] payload) throws IOException {
        sendFrame((last ? 0x80 : 0) | (first ? Frame.TEXT : 0), payload);
    }

    private void sendFrame(int finAndOpcode, byte[] payload) throws IOException {
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(finAndOpcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length <= 0xffff) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** The next frame from the server, waiting at most the given time; fails at the end of the stream. */
    public Frame readFrame(Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        return new Frame(first & 0x0f, payload);
    }

    /** True once the server has closed the connection (reads and discards what is pending). */
    public boolean isClosedByServer() {
        try {
            socket.setSoTimeout(50);
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[65536];
            while (true) {
                if (in.read(buffer) < 0) {
                    return true;
                }
            }
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static String readHeaders(InputStream in) throws IOException {
        StringBuilder headers = new StringBuilder();
        while (!headers.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            headers.append((char) b);
        }
        return headers.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
