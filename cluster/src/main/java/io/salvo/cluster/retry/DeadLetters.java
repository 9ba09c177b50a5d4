package io.salvo.cluster.retry;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.persistence.cassandra.query.javadsl.CassandraReadJournal;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import io.salvo.cluster.Asks;
import io.salvo.cluster.BrokerSettings;
import io.salvo.cluster.queue.QueueEntity;
import io.salvo.cluster.topic.Topics;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.model.QueueId;
import io.salvo.core.validation.Validation;
import io.salvo.persistence.events.QueueEvent.MessageAppended;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A group's dead letters for the admin API: list the messages of {@code %DLQ%<group>} and send one or all of them to
 * the group again, through its retry topic (so that no other group of their topic sees them twice), reconsume count
 * reset. Resending does not remove a message from the dead-letter topic (as in RocketMQ); the listing's offsets say
 * which ones were looked at.
 */
public final class DeadLetters {
  private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
  /** Most messages one listing returns, and the page size of a resend. */
  public static final int MAX_LIST = 1_000;
  private static final int PAGE = MAX_LIST;

  /** One dead letter as the admin API shows it. */
  public record Letter(long offset, String messageId, String topic, int queueId, String tags, List<String> keys,
      Map<String, String> properties, String body, String bodyEncoding, long bornTimestamp, long storeTimestamp,
      int reconsumeTimes) {}

  public record Listing(String group, String dlqTopic, long nextOffset, List<Letter> messages) {}

  public record Resent(String group, int resent, List<String> messageIds) {}

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final BrokerSettings settings;
  private final Topics topics;
  private final CassandraReadJournal journal;

  public DeadLetters(ActorSystem<?> system, BrokerSettings settings, Topics topics) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.settings = settings;
    this.topics = topics;
    this.journal = PersistenceQuery.get(system)
        .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
  }

  /** Up to {@code limit} dead letters of {@code group} from {@code fromOffset}. */
  public CompletionStage<Listing> list(String group, long fromOffset, int limit) {
    Validation.checkGroup(group);
    if (fromOffset < 0 || limit < 1 || limit > MAX_LIST) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST,
          "offset must be >= 0 and limit 1.." + MAX_LIST + "; were " + fromOffset + " and " + limit);
    }
    QueueId dlq = QueueId.of(RetryMessages.dlqTopic(group), 0);
    return nextOffset(dlq).thenCompose(next -> read(dlq, fromOffset, Math.min(next, fromOffset + limit))
        .thenApply(letters -> new Listing(group, dlq.topic(), next, letters)));
  }

  /**
   * Sends the dead letter {@code messageId} of {@code group} (every one when null) to the group again, through its
   * retry topic at once, reconsume count reset: only this group gets it, with its original topic. Reads the dead-letter
   * topic page by page. A failure part way leaves the letters before it resent (asking again resends them again).
   */
  public CompletionStage<Resent> resend(String group, String messageId) {
    Validation.checkGroup(group);
    QueueId dlq = QueueId.of(RetryMessages.dlqTopic(group), 0);
    String retryTopic = RetryMessages.retryTopic(group);
    return topics.ensure(retryTopic, 1)
        .thenCompose(count -> nextOffset(dlq))
        .thenCompose(next -> resendFrom(dlq, QueueId.of(retryTopic, 0), 0, next, messageId, new ArrayList<>()))
        .thenApply(ids -> {
          if (messageId != null && ids.isEmpty()) {
            throw SalvoException.of(ErrorCode.BAD_REQUEST,
                "message " + messageId + " is not among the dead letters of group '" + group + "'");
          }
          log.info("group {}: {} dead letter(s) sent to the group again through {}", group, ids.size(), retryTopic);
          return new Resent(group, ids.size(), ids);
        });
  }

  private CompletionStage<List<String>> resendFrom(QueueId dlq, QueueId retry, long from, long until,
      String messageId, List<String> ids) {
    if (from >= until) {
      return java.util.concurrent.CompletableFuture.completedFuture(ids);
    }
    long to = Math.min(until, from + PAGE);
    return readPage(dlq, from, to).thenCompose(page -> {
      List<MessageAppended> again = new ArrayList<>();
      for (MessageAppended m : page.values()) {
        if (messageId == null || m.messageId().equals(messageId)) {
          again.add(asRetry(m));
        }
      }
      if (again.isEmpty()) {
        return resendFrom(dlq, retry, to, until, messageId, ids);
      }
      return Asks.ask(sharding.entityRefFor(QueueEntity.ENTITY_TYPE_KEY, retry.entityId()),
              (ActorRef<QueueEntity.Appended> replyTo) -> new QueueEntity.Append(again, replyTo),
              settings.storeTimeout(), "resend of " + again.size() + " dead letter(s) to " + retry)
          .thenCompose(appended -> {
            for (MessageAppended m : again) {
              ids.add(m.messageId());
            }
            return resendFrom(dlq, retry, to, until, messageId, ids);
          });
    });
  }

  /** A dead letter as its group's retry topic takes it: its original topic in RETRY_TOPIC, no reconsume yet. */
  private static MessageAppended asRetry(MessageAppended m) {
    Map<String, String> properties = new HashMap<>(m.properties());
    String topic = properties.remove(RetryMessages.REAL_TOPIC);
    properties.remove(RetryMessages.REAL_QUEUE);
    if (topic != null) {
      properties.put(RetryMessages.RETRY_TOPIC, topic);
    }
    return new MessageAppended(m.messageId(), m.tags(), m.keys(), properties, m.body(), m.bornTimestamp(),
        m.bornHost(), 0, 0);
  }

  /** Messages of {@code queue} at offsets [from, until), by offset. */
  private CompletionStage<java.util.SortedMap<Long, MessageAppended>> readPage(QueueId queue, long from, long until) {
    return journal.currentEventsByPersistenceId(QueueEntity.persistenceId(queue).id(), from + 1, until)
        .runWith(Sink.seq(), system)
        .thenApply(envelopes -> {
          java.util.SortedMap<Long, MessageAppended> page = new java.util.TreeMap<>();
          for (EventEnvelope e : envelopes) {
            if (e.event() instanceof MessageAppended m) {
              page.put(e.sequenceNr() - 1, m);
            }
          }
          return page;
        });
  }

  private CompletionStage<Long> nextOffset(QueueId queue) {
    return Asks.ask(sharding.entityRefFor(QueueEntity.ENTITY_TYPE_KEY, queue.entityId()),
            (ActorRef<QueueEntity.Offsets> replyTo) -> new QueueEntity.GetOffsets(replyTo),
            settings.storeTimeout(), "offsets of " + queue)
        .thenApply(QueueEntity.Offsets::nextOffset);
  }

  private CompletionStage<List<Letter>> read(QueueId queue, long from, long until) {
    if (from >= until) {
      return java.util.concurrent.CompletableFuture.completedFuture(List.of());
    }
    return readPage(queue, from, until).thenApply(page -> {
      List<Letter> letters = new ArrayList<>(page.size());
      page.forEach((offset, m) -> letters.add(letter(offset, m)));
      return letters;
    });
  }

  private static Letter letter(long offset, MessageAppended m) {
    Map<String, String> properties = new LinkedHashMap<>(m.properties());
    String topic = properties.getOrDefault(RetryMessages.REAL_TOPIC, "");
    int queueId;
    try {
      queueId = Integer.parseInt(properties.getOrDefault(RetryMessages.REAL_QUEUE, "-1"));
    } catch (NumberFormatException e) {
      queueId = -1;
    }
    byte[] body = m.body() == null ? new byte[0] : m.body();
    String text = new String(body, StandardCharsets.UTF_8);
    boolean utf8 = java.util.Arrays.equals(text.getBytes(StandardCharsets.UTF_8), body);
    return new Letter(offset, m.messageId(), topic, queueId, m.tags(), m.keys(), properties,
        utf8 ? text : Base64.getEncoder().encodeToString(body), utf8 ? "utf-8" : "base64", m.bornTimestamp(),
        m.storeTimestamp(), m.reconsumeTimes());
  }
}
