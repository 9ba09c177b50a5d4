package io.salvo.cluster.retry;

import akka.actor.typed.ActorSystem;
import io.salvo.cluster.BrokerSettings;
import io.salvo.cluster.delay.DelayedMessages;
import io.salvo.cluster.grpc.ProtoConverter;
import io.salvo.cluster.queue.Queues;
import io.salvo.cluster.topic.Topics;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.model.DelayLevels;
import io.salvo.core.model.MessageId;
import io.salvo.core.model.QueueId;
import io.salvo.core.protocol.v1.RetryMessageRequest;
import io.salvo.core.protocol.v1.StoredMessage;
import io.salvo.core.validation.Validation;
import io.salvo.persistence.events.QueueEvent.MessageAppended;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries and dead letters of a consumer group, as in RocketMQ: a message a consumer failed goes to the group's retry
 * topic {@code %RETRY%<group>} through the durable timer, with growing delays (delay level 3 + reconsume times: 10 s,
 * 30 s, 1 m, ... 2 h), and after the group's maximum to its dead-letter topic {@code %DLQ%<group>}. Both topics have
 * one queue and are created when first needed. A retried message keeps its id and carries {@value #RETRY_TOPIC}
 * (its topic) and its reconsume count; a dead letter carries {@value #REAL_TOPIC} and {@value #REAL_QUEUE} (where it
 * came from), so that it can be sent there again.
 */
public final class RetryMessages {
  private static final Logger log = LoggerFactory.getLogger(RetryMessages.class);

  public static final String RETRY_PREFIX = "%RETRY%";
  public static final String DLQ_PREFIX = "%DLQ%";
  public static final String RETRY_TOPIC = "RETRY_TOPIC";
  public static final String REAL_TOPIC = "REAL_TOPIC";
  public static final String REAL_QUEUE = "REAL_QID";
  /** The delay level of a message's first retry; each later one is one level higher, up to the last. */
  public static final int FIRST_RETRY_LEVEL = 3;
  private static final java.util.Set<String> BROKER_PROPERTIES = java.util.Set.of(DelayedMessages.DELIVER_TIME_PROPERTY,
      DelayedMessages.DELAY_LEVEL_PROPERTY, RETRY_TOPIC, REAL_TOPIC, REAL_QUEUE);

  private final Queues queues;
  private final Topics topics;
  private final DelayedMessages delayed;

  public RetryMessages(ActorSystem<?> system, BrokerSettings settings, Topics topics) {
    this.queues = new Queues(system, settings.storeTimeout());
    this.topics = topics;
    this.delayed = new DelayedMessages(system, settings.timer(), settings.storeTimeout());
  }

  public static String retryTopic(String group) {
    return RETRY_PREFIX + group;
  }

  public static String dlqTopic(String group) {
    return DLQ_PREFIX + group;
  }

  /** The delay level of the attempt after {@code reconsumeTimes} failed ones. */
  public static int retryLevel(int reconsumeTimes) {
    return Math.min(DelayLevels.MAX_LEVEL, FIRST_RETRY_LEVEL + Math.max(0, reconsumeTimes));
  }

  /** What became of a message handed back: dead-lettered, or due in the retry topic at {@code deliverAt} (ms). */
  public record Outcome(boolean deadLettered, long deliverAt) {}

  /** Handles a RetryMessage request. Statuses: see RetryMessage in the .proto. */
  public CompletionStage<Outcome> retry(RetryMessageRequest in) {
    Validation.checkGroup(in.getGroup());
    if (!in.hasMessage() || !MessageId.isWellFormed(in.getMessage().getMessage().getMessageId())) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "RetryMessage of group '" + in.getGroup()
          + "' has no message, or one without a well-formed message_id");
    }
    StoredMessage stored = in.getMessage();
    String topic = stored.getMessage().getTopic();
    Validation.checkTopic(topic);
    if (in.getMaxReconsumeTimes() < 0) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "max_reconsume_times " + in.getMaxReconsumeTimes() + " is negative");
    }
    MessageAppended original = ProtoConverter.toUnstored(stored.getMessage());
    int reconsumeTimes = stored.getMessage().getReconsumeTimes();
    if (in.getDeadLetter() || in.getDelayLevel() < 0 || reconsumeTimes >= in.getMaxReconsumeTimes()) {
      return deadLetter(in.getGroup(), topic, stored.getQueueId(), original, reconsumeTimes);
    }
    int level = in.getDelayLevel() > 0 ? Math.min(DelayLevels.MAX_LEVEL, in.getDelayLevel()) : retryLevel(reconsumeTimes);
    long deliverAt = System.currentTimeMillis() + DelayLevels.millis(level);
    MessageAppended retried = with(original, Map.of(RETRY_TOPIC, topic), reconsumeTimes + 1);
    String retryTopic = retryTopic(in.getGroup());
    return topics.ensure(retryTopic, 1)
        .thenCompose(count -> delayed.schedule(QueueId.of(retryTopic, 0), deliverAt, level, retried))
        .thenApply(accepted -> new Outcome(false, deliverAt));
  }

  private CompletionStage<Outcome> deadLetter(String group, String topic, int queueId, MessageAppended original,
      int reconsumeTimes) {
    String dlq = dlqTopic(group);
    MessageAppended letter = with(original,
        Map.of(REAL_TOPIC, topic, REAL_QUEUE, Integer.toString(queueId)), reconsumeTimes);
    return topics.ensure(dlq, 1)
        .thenCompose(count -> queues.append(QueueId.of(dlq, 0), List.of(letter),
            "journal write of a dead letter to " + dlq))
        .thenApply(appended -> {
          log.info("group {}: message {} of {}#{} moved to {} at offset {} after {} reconsume(s)", group,
              original.messageId(), topic, queueId, dlq, appended.firstOffset(), reconsumeTimes);
          return new Outcome(true, 0);
        });
  }

  /**
   * {@code m} with {@code extra} properties and a reconsume count; the properties the broker set on an earlier pass
   * (delivery time, delay level, retry topic, where a dead letter came from) are dropped first.
   */
  static MessageAppended with(MessageAppended m, Map<String, String> extra, int reconsumeTimes) {
    Map<String, String> properties = new HashMap<>(m.properties());
    properties.keySet().removeAll(BROKER_PROPERTIES);
    properties.putAll(extra);
    return new MessageAppended(m.messageId(), m.tags(), m.keys(), properties, m.body(), m.bornTimestamp(),
        m.bornHost(), 0, reconsumeTimes);
  }
}
