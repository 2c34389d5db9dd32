package dev.agentwire.agents.control;

import java.io.IOException;

/** The model backend answered, but not with a usable stream (an HTTP error status). */
public class ModelException extends IOException {

    public ModelException(String message) {
        super(message);
    }
}
