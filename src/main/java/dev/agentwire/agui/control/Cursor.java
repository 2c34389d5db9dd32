package dev.agentwire.agui.control;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A place in a run's AG-UI stream, as a client sends it back in {@code Last-Event-ID}: after the
 * stored event {@code seq} when {@code index} is 0, else after the first {@code index} AG-UI events
 * that stored event became.
 */
public record Cursor(long seq, int index) {

    private static final Pattern ID = Pattern.compile("([1-9][0-9]{0,17})(?:\\.([1-9][0-9]{0,3}))?");

    /**
     * The cursor an SSE id stands for, exactly as agentwire writes ids (no spaces, no leading
     * zeros, seq from 1); empty when it is not of that form. Whether agentwire sent that id in a
     * given run is for the run to say ({@link JoinedRun#sent}).
     */
    public static Optional<Cursor> parse(String id) {
        Matcher match = ID.matcher(id);
        if (!match.matches()) {
            return Optional.empty();
        }
        return Optional.of(new Cursor(Long.parseLong(match.group(1)), match.group(2) == null ? 0 : Integer.parseInt(match.group(2))));
    }

    /** The id of the {@code position}-th (from 1) of {@code count} AG-UI events made of stored event {@code seq}. */
    static String id(long seq, int position, int count) {
        return position == count ? Long.toString(seq) : seq + "." + position;
    }

    /** Whether the {@code position}-th (from 1) AG-UI event of stored event {@code seq} comes after this cursor. */
    public boolean isBefore(long seq, int position) {
        if (seq != this.seq) {
            return seq > this.seq;
        }
        return index != 0 && position > index;
    }
}
