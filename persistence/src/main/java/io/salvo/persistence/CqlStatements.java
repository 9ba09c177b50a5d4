package io.salvo.persistence;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Salvo's own statements beside the journal plugin's (the message index, retention): prepared once on a shared
 * session, run with the configured write or read consistency. Thread safe.
 */
public final class CqlStatements {
  private final CompletionStage<CqlSession> session;
  private final ConsistencyLevel writeConsistency;
  private final ConsistencyLevel readConsistency;

  /** {@code writeConsistency} and {@code readConsistency}: consistency level names, as in PersistenceSettings. */
  public CqlStatements(CompletionStage<CqlSession> session, String writeConsistency, String readConsistency) {
    this.session = session;
    this.writeConsistency = DefaultConsistencyLevel.valueOf(writeConsistency);
    this.readConsistency = DefaultConsistencyLevel.valueOf(readConsistency);
  }

  /** Prepares {@code cql} once the session is ready; a failure shows at first use, not as an unobserved future. */
  public CompletionStage<PreparedStatement> prepare(String cql) {
    CompletableFuture<PreparedStatement> prepared = session.thenCompose(s -> s.prepareAsync(cql)).toCompletableFuture();
    prepared.exceptionally(e -> null);
    return prepared;
  }

  /** Runs a read with the read consistency. */
  public CompletionStage<AsyncResultSet> read(Statement<?> statement) {
    return session.thenCompose(s -> s.executeAsync(statement.setConsistencyLevel(readConsistency)));
  }

  /** Runs a write with the write consistency. */
  public CompletionStage<AsyncResultSet> write(Statement<?> statement) {
    return session.thenCompose(s -> s.executeAsync(statement.setConsistencyLevel(writeConsistency)));
  }

  /** Runs writes concurrently; completes when all are done. */
  public CompletionStage<Void> writeAll(List<? extends Statement<?>> statements) {
    CompletableFuture<?>[] writes = new CompletableFuture<?>[statements.size()];
    for (int i = 0; i < writes.length; i++) {
      writes[i] = write(statements.get(i)).toCompletableFuture();
    }
    return CompletableFuture.allOf(writes);
  }
}
