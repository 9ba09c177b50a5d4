package io.salvo.cluster.delivery;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.persistence.cassandra.query.javadsl.CassandraReadJournal;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import io.salvo.cluster.queue.QueueEntity;
import io.salvo.cluster.queue.StoredEntry;
import io.salvo.core.concurrent.CompletionStages;
import io.salvo.core.filter.MessageFilter;
import io.salvo.core.model.QueueId;
import io.salvo.persistence.events.QueueEvent.MessageAppended;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer's feed from one queue: an Akka Streams {@link Source} of {@link Chunk}s from an offset, forever.
 * Each pull asks the {@link QueueEntity} for the next messages: recent ones come from its in-memory tail, older
 * ones by a range read of the journal (catch-up), and when the reader is caught up the entity answers as soon
 * as the next message is stored (the live tail is pushed by the entity; the query plugin's polling is never
 * used), or with an empty chunk when the long-poll expires first (a keep-alive for the consumer). Nothing is read ahead of demand, so a slow consumer slows only its own stream, and gRPC flow control
 * carries that backpressure to the client. The subscription's filter (tags or SQL92) runs here, on the broker:
 * filtered-out messages never cross the wire, and each chunk's next offset still moves past them.
 */
public final class QueueSource {
  private static final Logger log = LoggerFactory.getLogger(QueueSource.class);

  /**
   * Messages from {@code fromOffset} that passed the filter, and the offset after the last message this chunk
   * covers (filtered-out messages included).
   */
  public record Chunk(long fromOffset, List<StoredEntry> entries, long nextOffset) {}

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final CassandraReadJournal journal;
  private final int catchUpChunk;
  private final long catchUpMaxBytes;
  private final long maxBatchBytes;
  private final Duration askTimeout;

  /**
   * @param catchUpChunk most messages of one journal range read
   * @param catchUpMaxBytes most bytes one journal range read keeps (at least one message)
   * @param maxBatchBytes most bytes of messages in one chunk the source emits (at least one message)
   */
  public QueueSource(ActorSystem<?> system, int catchUpChunk, long catchUpMaxBytes, long maxBatchBytes,
      Duration longPollTimeout) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.journal = PersistenceQuery.get(system)
        .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    this.catchUpChunk = catchUpChunk;
    this.catchUpMaxBytes = catchUpMaxBytes;
    this.maxBatchBytes = maxBatchBytes;
    this.askTimeout = longPollTimeout.plusSeconds(10);
  }

  /**
   * The feed of {@code queue} from {@code fromOffset}, at most {@code maxBatch} messages (and the max batch bytes) per
   * chunk: a catch-up read larger than that is emitted in pieces, each pulled on demand.
   */
  public Source<Chunk, NotUsed> from(QueueId queue, long fromOffset, int maxBatch, MessageFilter filter) {
    EntityRef<QueueEntity.Command> entity = sharding.entityRefFor(QueueEntity.ENTITY_TYPE_KEY, queue.entityId());
    String persistenceId = QueueEntity.persistenceId(queue).id();
    return Source.unfoldAsync(fromOffset, offset -> next(entity, persistenceId, queue, offset, maxBatch)
            .thenApply(chunk -> Optional.of(akka.japi.Pair.create(chunk.nextOffset(), chunk))))
        .map(chunk -> filter.matchesAll() ? chunk : applyFilter(chunk, filter))
        // An empty chunk that moves nothing is a long-poll that expired on an idle queue: passed on, it tells the
        // consumer every long-poll-timeout that this broker is alive (its client drops a silent stream).
        .mapConcat(chunk -> split(chunk, maxBatch, maxBatchBytes));
  }

  private CompletionStage<Chunk> next(EntityRef<QueueEntity.Command> entity, String persistenceId,
      QueueId queue, long offset, int maxBatch) {
    CompletionStage<QueueEntity.ReadReply> reply =
        CompletionStages.direct(entity.ask(replyTo -> new QueueEntity.Read(offset, maxBatch, replyTo), askTimeout));
    return reply.thenCompose(r -> {
      if (r instanceof QueueEntity.Messages m) {
        if (m.entries().isEmpty()) {
          if (m.nextOffset() < offset) {
            log.warn("{}: consumer position {} is beyond the queue's next offset {}; continuing from {}",
                queue, offset, m.nextOffset(), m.nextOffset());
            return CompletableFuture.completedFuture(new Chunk(offset, List.of(), m.nextOffset()));
          }
          return CompletableFuture.completedFuture(new Chunk(offset, List.of(), offset));
        }
        return CompletableFuture.completedFuture(
            new Chunk(offset, m.entries(), m.entries().get(m.entries().size() - 1).offset() + 1));
      }
      QueueEntity.NotInMemory n = (QueueEntity.NotInMemory) r;
      // n.fromOffset() is past `offset` when retention deleted the messages in between.
      long from = Math.max(offset, n.fromOffset());
      long until = Math.min(n.firstCachedOffset(), from + catchUpChunk);
      return readJournal(persistenceId, from, until);
    });
  }

  /**
   * The first offset in [{@code from}, {@code until}) of {@code queue} whose store timestamp is at or after
   * {@code timestampMs}, or {@code until} when there is none: a binary search reading one journal event per step
   * (store timestamps grow with offsets: a queue's entity stamps its writes in order).
   */
  public CompletionStage<Long> offsetAtTimestamp(QueueId queue, long from, long until, long timestampMs) {
    if (from >= until) {
      return CompletableFuture.completedFuture(until);
    }
    long mid = from + (until - from) / 2;
    String persistenceId = QueueEntity.persistenceId(queue).id();
    return readJournal(persistenceId, mid, mid + 1).thenCompose(chunk ->
        chunk.entries().get(0).message().storeTimestamp() >= timestampMs
            ? offsetAtTimestamp(queue, from, mid, timestampMs)
            : offsetAtTimestamp(queue, mid + 1, until, timestampMs));
  }

  /**
   * The stored messages of {@code queue} at offsets [{@code from}, {@code until}) by one range read of the journal,
   * stopping early (after at least one message) at the catch-up byte limit: read on from the last one's offset + 1.
   */
  public CompletionStage<List<StoredEntry>> read(QueueId queue, long from, long until) {
    if (from >= until) {
      return CompletableFuture.completedFuture(List.of());
    }
    return readJournal(QueueEntity.persistenceId(queue).id(), from, until).thenApply(Chunk::entries);
  }

  /**
   * Catch-up: one bounded range read of the journal, offsets [from, until), stopping early once the messages read
   * reach the catch-up byte limit.
   */
  private CompletionStage<Chunk> readJournal(String persistenceId, long from, long until) {
    long[] bytes = {0};
    return CompletionStages.direct(journal.currentEventsByPersistenceId(persistenceId, from + 1, until)
            .takeWhile(envelope -> {
              if (envelope.event() instanceof MessageAppended m) {
                bytes[0] += m.approximateSize();
              }
              return bytes[0] < catchUpMaxBytes;
            }, true)
            .runWith(Sink.seq(), system))
        .thenApply(envelopes -> {
          List<StoredEntry> entries = new ArrayList<>(envelopes.size());
          for (EventEnvelope envelope : envelopes) {
            if (envelope.event() instanceof MessageAppended m) {
              entries.add(new StoredEntry(envelope.sequenceNr() - 1, m));
            }
          }
          if (entries.isEmpty() || entries.get(0).offset() != from) {
            throw new IllegalStateException("journal of " + persistenceId + " has no event at sequence number "
                + (from + 1) + " although the queue's next offset is beyond it (read " + entries.size() + " events)");
          }
          return new Chunk(from, entries, entries.get(entries.size() - 1).offset() + 1);
        });
  }

  /**
   * {@code chunk} cut into pieces of at most {@code maxMessages} messages and {@code maxBytes} bytes (at least one
   * message each), covering the same offsets: each piece's next offset is the next piece's first, the last piece's is
   * the chunk's.
   */
  static List<Chunk> split(Chunk chunk, int maxMessages, long maxBytes) {
    List<StoredEntry> entries = chunk.entries();
    List<Chunk> pieces = new ArrayList<>();
    long from = chunk.fromOffset();
    int start = 0;
    while (start < entries.size()) {
      int end = start;
      long bytes = 0;
      while (end < entries.size() && end - start < maxMessages) {
        long size = entries.get(end).message().approximateSize();
        if (end > start && bytes + size > maxBytes) {
          break;
        }
        bytes += size;
        end++;
      }
      long next = end == entries.size() ? chunk.nextOffset() : entries.get(end - 1).offset() + 1;
      pieces.add(new Chunk(from, List.copyOf(entries.subList(start, end)), next));
      from = next;
      start = end;
    }
    return pieces.isEmpty() ? List.of(chunk) : pieces;
  }

  /** The entries of {@code chunk} that pass {@code filter}, over the same offsets. */
  static Chunk applyFilter(Chunk chunk, MessageFilter filter) {
    List<StoredEntry> kept = new ArrayList<>(chunk.entries().size());
    for (StoredEntry e : chunk.entries()) {
      if (filter.matches(e.message().tags(), e.message().properties())) {
        kept.add(e);
      }
    }
    return new Chunk(chunk.fromOffset(), kept, chunk.nextOffset());
  }
}
