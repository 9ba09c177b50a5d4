package io.salvo.cluster.queue;

import io.salvo.persistence.events.QueueEvent.MessageAppended;

/** A stored message with its queue offset (its journal sequence number minus one). */
public record StoredEntry(long offset, MessageAppended message) {}
