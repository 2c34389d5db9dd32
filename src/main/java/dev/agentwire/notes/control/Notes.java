package dev.agentwire.notes.control;

import dev.agentwire.kernel.Owner;
import dev.agentwire.notes.entity.Note;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.List;

/** Each user's notes. A note is saved once per tool call: the database's unique key says so too. */
@ApplicationScoped
public class Notes {

    public static final int MAX_TEXT = 2000;
    static final int MAX_LISTED = 200;

    @PersistenceContext(unitName = "agentwire")
    EntityManager em;

    private final Clock clock = Clock.systemUTC();

    /** Saves the note of call {@code toolCallId}; a call that saved one before gets that one. */
    @Transactional
    public Note save(Owner owner, String text, String toolCallId) {
        List<Note> earlier = em.createNamedQuery(Note.OF_CALL, Note.class).setParameter("issuer", owner.issuer())
                .setParameter("owner", owner.userId()).setParameter("call", toolCallId).getResultList();
        if (!earlier.isEmpty()) {
            return earlier.get(0);
        }
        Note note = new Note(owner, text, toolCallId, clock.instant());
        em.persist(note);
        return note;
    }

    /** The owner's notes, oldest first. */
    @Transactional
    public List<Note> of(Owner owner) {
        return em.createNamedQuery(Note.OF_OWNER, Note.class).setParameter("issuer", owner.issuer())
                .setParameter("owner", owner.userId()).setMaxResults(MAX_LISTED).getResultList();
    }
}
