package io.salvo.persistence.events;

/** Marker of every event Salvo journals; {@link SalvoEventSerializer} is bound to it. */
public interface SalvoEvent {}
