package io.salvo.persistence.retention;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.salvo.persistence.CqlStatements;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Deletes the oldest events of a journal (a queue's oldest messages) in whole ranges, the way
 * akka-persistence-cassandra 1.1.1's own delete does on Cassandra 3 and later, so the plugin keeps working on it:
 * the new lowest sequence number is recorded first ({@code metadata.deleted_to}, which the plugin's recovery reads),
 * then every journal partition that lies wholly below it is dropped with one partition delete and the partition
 * holding the boundary gets one range delete ({@code sequence_nr <= n}). No per-event tombstones: a run costs one
 * tombstone per partition it touches. Thread safe.
 *
 * <p>The caller must never delete past what a recovery replays from: akka-persistence-cassandra reads events with
 * gap-free sequence numbers, so an entity whose recovery starts below {@code deleted_to} (no snapshot above it)
 * would wait for the missing events and fail. Queue entities delete only up to their newest snapshot.
 */
public final class JournalRetention {
  private final CqlStatements cql;
  private final long partitionSize;
  private final CompletionStage<PreparedStatement> selectDeletedTo;
  private final CompletionStage<PreparedStatement> insertDeletedTo;
  private final CompletionStage<PreparedStatement> deletePartition;
  private final CompletionStage<PreparedStatement> deleteRange;

  /**
   * @param partitionSize the journal's {@code target-partition-size} (events per Cassandra partition)
   */
  public JournalRetention(CompletionStage<CqlSession> session, String keyspace, long partitionSize,
      String writeConsistency, String readConsistency) {
    this.cql = new CqlStatements(session, writeConsistency, readConsistency);
    this.partitionSize = partitionSize;
    this.selectDeletedTo = cql.prepare("SELECT deleted_to FROM " + keyspace + ".metadata WHERE persistence_id = ?");
    this.insertDeletedTo = cql.prepare("INSERT INTO " + keyspace + ".metadata (persistence_id, deleted_to) VALUES (?, ?)");
    this.deletePartition = cql.prepare("DELETE FROM " + keyspace + ".messages WHERE persistence_id = ? AND partition_nr = ?");
    this.deleteRange = cql.prepare("DELETE FROM " + keyspace + ".messages WHERE persistence_id = ? AND partition_nr = ?"
        + " AND sequence_nr >= 0 AND sequence_nr <= ?");
  }

  /** The highest deleted sequence number of {@code persistenceId} (0 when nothing was deleted). */
  public CompletionStage<Long> deletedTo(String persistenceId) {
    return selectDeletedTo.thenCompose(ps -> cql.read(ps.bind(persistenceId)))
        .thenApply(rs -> {
          Row row = rs.one();
          return row == null || row.isNull("deleted_to") ? 0L : row.getLong("deleted_to");
        });
  }

  /** What one {@link #deleteTo} did. */
  public record Deleted(long fromSequenceNr, long toSequenceNr, int partitionsDropped, int rangesDeleted) {
    public long events() {
      return Math.max(0, toSequenceNr - fromSequenceNr + 1);
    }
  }

  /**
   * Deletes the events of {@code persistenceId} with sequence numbers up to {@code toSequenceNr}. Idempotent; a
   * {@code toSequenceNr} at or below what is already deleted does nothing.
   */
  public CompletionStage<Deleted> deleteTo(String persistenceId, long toSequenceNr) {
    return deletedTo(persistenceId).thenCompose(deleted -> {
      if (toSequenceNr <= deleted) {
        return CompletableFuture.completedFuture(new Deleted(deleted + 1, deleted, 0, 0));
      }
      return insertDeletedTo
          .thenCompose(ps -> cql.write(ps.bind(persistenceId, toSequenceNr)))
          .thenCompose(done -> deleteRows(persistenceId, deleted, toSequenceNr));
    });
  }

  private CompletionStage<Deleted> deleteRows(String persistenceId, long deletedBefore, long toSequenceNr) {
    long first = partitionNr(deletedBefore + 1);
    long boundary = partitionNr(toSequenceNr);
    // An atomic write that did not fit its partition starts the next one: range-delete that one too, as the plugin does.
    long last = boundary + 1;
    return deletePartition.thenCombine(deleteRange, (whole, range) -> {
      List<BoundStatement> deletes = new ArrayList<>();
      int dropped = 0;
      for (long p = first; p <= last; p++) {
        boolean wholly = (p + 1) * partitionSize <= toSequenceNr;
        deletes.add(wholly ? whole.bind(persistenceId, p) : range.bind(persistenceId, p, toSequenceNr));
        dropped += wholly ? 1 : 0;
      }
      Deleted done = new Deleted(deletedBefore + 1, toSequenceNr, dropped, deletes.size() - dropped);
      return cql.writeAll(deletes).thenApply(v -> done);
    }).thenCompose(stage -> stage);
  }

  private long partitionNr(long sequenceNr) {
    return (sequenceNr - 1) / partitionSize;
  }
}
