package io.salvo.persistence.index;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import io.salvo.core.model.MessageId;
import io.salvo.persistence.CqlStatements;
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

  private final CqlStatements cql;
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
    this.cql = new CqlStatements(session, writeConsistency, readConsistency);
    this.insertId = cql.prepare("INSERT INTO " + keyspace + ".message_ids (topic, born_second, message_id, queue_id,"
        + " queue_offset, store_timestamp) VALUES (?, ?, ?, ?, ?, ?) USING TTL ?");
    this.insertKey = cql.prepare("INSERT INTO " + keyspace + ".message_keys (topic, message_key, store_timestamp,"
        + " queue_id, queue_offset, message_id) VALUES (?, ?, ?, ?, ?, ?) USING TTL ?");
    this.selectId = cql.prepare("SELECT queue_id, queue_offset, store_timestamp FROM " + keyspace + ".message_ids"
        + " WHERE topic = ? AND born_second = ? AND message_id = ?");
    this.selectKey = cql.prepare("SELECT store_timestamp, queue_id, queue_offset, message_id FROM " + keyspace
        + ".message_keys WHERE topic = ? AND message_key = ? AND store_timestamp >= ? AND store_timestamp <= ?"
        + " LIMIT ?");
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
          statements.add(batch.build());
          idBatches.remove(second);
        }
        for (String key : m.keys()) {
          statements.add(byKey.bind(topic, key, m.storeTimestamp(), queueId, offset, m.messageId(), ttlSeconds));
        }
        offset++;
      }
      for (BatchStatementBuilder batch : idBatches.values()) {
        statements.add(batch.build());
      }
      return statements;
    }).thenCompose(cql::writeAll);
  }

  /** Where the message {@code messageId} of {@code topic} was stored: none, one, or several if it was sent twice. */
  public CompletionStage<List<Location>> byId(String topic, String messageId) {
    if (!MessageId.isWellFormed(messageId)) {
      return CompletableFuture.completedFuture(List.of());
    }
    return selectId.thenCompose(ps -> cql.read(ps.bind(topic, MessageId.bornSecond(messageId), messageId)))
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
    return selectKey.thenCompose(ps -> cql.read(ps.bind(topic, key, beginMs, endMs, max).setPageSize(Math.max(max, 1))))
        .thenApply(rs -> {
          List<Location> out = new ArrayList<>();
          for (Row row : rs.currentPage()) {
            out.add(new Location(topic, row.getInt("queue_id"), row.getLong("queue_offset"),
                row.getLong("store_timestamp"), row.getString("message_id")));
          }
          return out;
        });
  }

  private static long bornSecond(MessageAppended m) {
    return MessageId.isWellFormed(m.messageId()) ? MessageId.bornSecond(m.messageId()) : m.bornTimestamp() / 1000;
  }
}
