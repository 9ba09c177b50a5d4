package io.salvo.persistence.cassandra;

/** The embedded Cassandra could not be started or stopped; the message carries the tail of its log. */
public final class EmbeddedCassandraException extends RuntimeException {

  public EmbeddedCassandraException(String message) {
    super(message);
  }

  public EmbeddedCassandraException(String message, Throwable cause) {
    super(message, cause);
  }
}
