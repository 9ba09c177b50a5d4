package io.salvo.cluster.retry;

import akka.actor.typed.ActorSystem;
import io.salvo.cluster.BrokerSettings;
import io.salvo.cluster.delivery.QueueSource;
import io.salvo.cluster.query.MessageView;
import io.salvo.cluster.queue.Queues;
import io.salvo.cluster.queue.StoredEntry;
import io.salvo.cluster.topic.Topics;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.model.QueueId;
import io.salvo.core.validation.Validation;
import io.salvo.persistence.events.QueueEvent.MessageAppended;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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

  private final Topics topics;
  private final Queues queues;
  private final QueueSource journal;

  public DeadLetters(ActorSystem<?> system, BrokerSettings settings, Topics topics, QueueSource journal) {
    this.topics = topics;
    this.queues = new Queues(system, settings.storeTimeout());
    this.journal = journal;
  }

  /** Up to {@code limit} dead letters of {@code group} from {@code fromOffset}. */
  public CompletionStage<Listing> list(String group, long fromOffset, int limit) {
    Validation.checkGroup(group);
    if (fromOffset < 0 || limit < 1 || limit > MAX_LIST) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST,
          "offset must be >= 0 and limit 1.." + MAX_LIST + "; were " + fromOffset + " and " + limit);
    }
    QueueId dlq = QueueId.of(RetryMessages.dlqTopic(group), 0);
    return queues.offsets(dlq).thenCompose(offsets -> journal.read(dlq, fromOffset,
            Math.min(offsets.nextOffset(), fromOffset + limit))
        .thenApply(entries -> {
          List<Letter> letters = new ArrayList<>(entries.size());
          for (StoredEntry e : entries) {
            letters.add(letter(e.offset(), e.message()));
          }
          return new Listing(group, dlq.topic(), offsets.nextOffset(), letters);
        }));
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
        .thenCompose(count -> queues.offsets(dlq))
        .thenCompose(offsets -> resendFrom(dlq, QueueId.of(retryTopic, 0), 0, offsets.nextOffset(), messageId,
            new ArrayList<>()))
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
      return CompletableFuture.completedFuture(ids);
    }
    return journal.read(dlq, from, Math.min(until, from + PAGE)).thenCompose(page -> {
      long next = page.get(page.size() - 1).offset() + 1;
      List<MessageAppended> again = new ArrayList<>();
      for (StoredEntry e : page) {
        MessageAppended m = e.message();
        if (messageId == null || m.messageId().equals(messageId)) {
          String topic = m.properties().get(RetryMessages.REAL_TOPIC);
          again.add(RetryMessages.with(m, topic == null ? Map.of() : Map.of(RetryMessages.RETRY_TOPIC, topic), 0));
        }
      }
      if (again.isEmpty()) {
        return resendFrom(dlq, retry, next, until, messageId, ids);
      }
      return queues.append(retry, again, "resend of " + again.size() + " dead letter(s) to " + retry)
          .thenCompose(appended -> {
            for (MessageAppended m : again) {
              ids.add(m.messageId());
            }
            return resendFrom(dlq, retry, next, until, messageId, ids);
          });
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
    MessageView.Body body = MessageView.Body.of(m.body());
    return new Letter(offset, m.messageId(), topic, queueId, m.tags(), m.keys(), properties, body.text(),
        body.encoding(), m.bornTimestamp(), m.storeTimestamp(), m.reconsumeTimes());
  }
}
