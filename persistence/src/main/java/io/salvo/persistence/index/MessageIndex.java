package io.salvo.persistence.index;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import io.salvo.core.model.MessageId;
import io.salvo.persistence.events.QueueEvent.MessageAppended;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where messages are, by message id and by key: the tables {@code message_ids} and {@code message_keys} of
 * {@code index.cql}. A queue entity writes the rows of a group commit while it writes the journal (so the index
 * costs a send no extra round trip), and a lookup answers locations that the caller checks against the journal.
 * Rows expire after the TTL each write gives (the topic's retention plus a margin). Thread safe.
 */
public final class MessageIndex {

  /** Where an indexed message is. */
  public record Location(String topic, int queueId, long offset, long storeTimestamp, String messageId) {}

  /** Most rows of one unlogged batch; a group commit of one born second larger than this is written in several. */
  private static final int BATCH_ROWS = 256;

  private final CompletionStage<CqlSession> session;
  private final ConsistencyLevel writeConsistency;
  private final ConsistencyLevel readConsistency;
  private final CompletionStage<PreparedStatement> insertId;
  private final CompletionStage<PreparedStatement> insertKey;
  private final CompletionStage<PreparedStatement> selectId;
  private final CompletionStage<PreparedStatement> selectKey;

  /**
   * @param session the session to use (the journal's own, shared); statements are prepared once it is ready
   * @param writeConsistency and readConsistency: consistency level names, as in PersistenceSettings
   */
  public MessageIndex(CompletionStage<CqlSession> session, String keyspace, String writeConsistency,
      String readConsistency) {
    this.session = session;
    this.writeConsistency = DefaultConsistencyLevel.valueOf(writeConsistency);
    this.readConsistency = DefaultConsistencyLevel.valueOf(readConsistency);
    this.insertId = prepare("INSERT INTO " + keyspace + ".message_ids (topic, born_second, message_id, queue_id,"
        + " queue_offset, store_timestamp) VALUES (?, ?, ?, ?, ?, ?) USING TTL ?");
    this.insertKey = prepare("INSERT INTO " + keyspace + ".message_keys (topic, message_key, store_timestamp,"
        + " queue_id, queue_offset, message_id) VALUES (?, ?, ?, ?, ?, ?) USING TTL ?");
    this.selectId = prepare("SELECT queue_id, queue_offset, store_timestamp FROM " + keyspace + ".message_ids"
        + " WHERE topic = ? AND born_second = ? AND message_id = ?");
    this.selectKey = prepare("SELECT store_timestamp, queue_id, queue_offset, message_id FROM " + keyspace
        + ".message_keys WHERE topic = ? AND message_key = ? AND store_timestamp >= ? AND store_timestamp <= ?"
        + " LIMIT ?");
  }

  private CompletionStage<PreparedStatement> prepare(String cql) {
    CompletableFuture<PreparedStatement> prepared = session.thenCompose(s -> s.prepareAsync(cql)).toCompletableFuture();
    prepared.exceptionally(e -> null); // a failure shows at first use, not as an unobserved future
    return prepared;
  }

  /**
   * Indexes {@code messages}, stored at consecutive offsets of {@code topic}'s queue {@code queueId} from
   * {@code firstOffset}: one row per message by id (batched by born second), one per key of the messages that have
   * keys. Completes when every row is written.
   */
  public CompletionStage<Void> write(String topic, int queueId, long firstOffset, List<MessageAppended> messages,
      int ttlSeconds) {
    return insertId.thenCombine(insertKey, (byId, byKey) -> {
      Map<Long, BatchStatementBuilder> idBatches = new LinkedHashMap<>();
      List<Statement<?>> statements = new ArrayList<>();
      long offset = firstOffset;
      for (MessageAppended m : messages) {
        long second = bornSecond(m);
        BatchStatementBuilder batch = idBatches.computeIfAbsent(second, s -> BatchStatement.builder(DefaultBatchType.UNLOGGED));
        batch.addStatement(byId.bind(topic, second, m.messageId(), queueId, offset, m.storeTimestamp(), ttlSeconds));
        if (batch.getStatementsCount() >= BATCH_ROWS) {
          statements.add(batch.setConsistencyLevel(writeConsistency).build());
          idBatches.remove(second);
        }
        for (String key : m.keys()) {
          statements.add(byKey.bind(topic, key, m.storeTimestamp(), queueId, offset, m.messageId(), ttlSeconds)
              .setConsistencyLevel(writeConsistency));
        }
        offset++;
      }
      for (BatchStatementBuilder batch : idBatches.values()) {
        statements.add(batch.setConsistencyLevel(writeConsistency).build());
      }
      return statements;
    }).thenCompose(statements -> session.thenCompose(s -> {
      CompletableFuture<?>[] writes = new CompletableFuture<?>[statements.size()];
      for (int i = 0; i < writes.length; i++) {
        writes[i] = s.executeAsync(statements.get(i)).toCompletableFuture();
      }
      return CompletableFuture.allOf(writes);
    }));
  }

  /** Where the message {@code messageId} of {@code topic} was stored: none, one, or several if it was sent twice. */
  public CompletionStage<List<Location>> byId(String topic, String messageId) {
    if (!MessageId.isWellFormed(messageId)) {
      return CompletableFuture.completedFuture(List.of());
    }
    return selectId.thenCompose(ps -> session.thenCompose(s -> s.executeAsync(
            ps.bind(topic, MessageId.bornSecond(messageId), messageId).setConsistencyLevel(readConsistency))))
        .thenApply(rs -> {
          List<Location> out = new ArrayList<>();
          for (Row row : rs.currentPage()) {
            out.add(new Location(topic, row.getInt("queue_id"), row.getLong("queue_offset"),
                row.getLong("store_timestamp"), messageId));
          }
          return out;
        });
  }

  /**
   * The newest {@code max} messages of {@code topic} with key {@code key} stored in [{@code beginMs}, {@code endMs}],
   * newest first.
   */
  public CompletionStage<List<Location>> byKey(String topic, String key, long beginMs, long endMs, int max) {
    return selectKey.thenCompose(ps -> session.thenCompose(s -> s.executeAsync(
            ps.bind(topic, key, beginMs, endMs, max).setPageSize(Math.max(max, 1))
                .setConsistencyLevel(readConsistency))))
        .thenApply(rs -> {
          List<Location> out = new ArrayList<>();
          collect(rs, topic, out);
          return out;
        });
  }

  private static void collect(AsyncResultSet rs, String topic, List<Location> out) {
    for (Row row : rs.currentPage()) {
      out.add(new Location(topic, row.getInt("queue_id"), row.getLong("queue_offset"), row.getLong("store_timestamp"),
          row.getString("message_id")));
    }
  }

  private static long bornSecond(MessageAppended m) {
    return MessageId.isWellFormed(m.messageId()) ? MessageId.bornSecond(m.messageId()) : m.bornTimestamp() / 1000;
  }
}
