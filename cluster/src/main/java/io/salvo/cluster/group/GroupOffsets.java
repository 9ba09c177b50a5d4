package io.salvo.cluster.group;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.salvo.cluster.Asks;
import io.salvo.cluster.delivery.QueueSource;
import io.salvo.cluster.queue.Queues;
import io.salvo.cluster.topic.Topics;
import io.salvo.core.model.QueueId;
import io.salvo.core.validation.Validation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Resetting a consumer group's offsets to a time (RocketMQ's resetOffsetByTimestamp): for each queue of the topic, the
 * first offset stored at or after the time (its next offset when none), found by a binary search of the queue's journal,
 * then set in the {@link ConsumerGroupEntity} in one persist. Serves the gRPC ResetOffsets call and the admin route.
 * Thread safe.
 */
public final class GroupOffsets {
  private final ClusterSharding sharding;
  private final Topics topics;
  private final Queues queues;
  private final QueueSource queueSource;
  private final Duration timeout;

  public GroupOffsets(ActorSystem<?> system, Topics topics, Queues queues, QueueSource queueSource, Duration timeout) {
    this.sharding = ClusterSharding.get(system);
    this.topics = topics;
    this.queues = queues;
    this.queueSource = queueSource;
    this.timeout = timeout;
  }

  /** Resets {@code group}'s offsets of every queue of {@code topic} to {@code timestampMs}; answers the new offsets. */
  public CompletionStage<Map<QueueId, Long>> resetToTime(String group, String topic, long timestampMs) {
    Validation.checkGroup(group);
    return topics.queueCount(topic, false).thenCompose(count -> {
      List<CompletableFuture<Long>> found = new ArrayList<>();
      for (int q = 0; q < count; q++) {
        QueueId queue = QueueId.of(topic, q);
        found.add(queues.offsets(queue).thenCompose(o ->
            queueSource.offsetAtTimestamp(queue, o.minOffset(), o.nextOffset(), timestampMs)).toCompletableFuture());
      }
      return CompletableFuture.allOf(found.toArray(CompletableFuture[]::new)).thenCompose(v -> {
        Map<QueueId, Long> offsets = new TreeMap<>((a, b) -> Integer.compare(a.index(), b.index()));
        Map<String, Long> byEntity = new TreeMap<>();
        for (int q = 0; q < count; q++) {
          offsets.put(QueueId.of(topic, q), found.get(q).join());
          byEntity.put(QueueId.of(topic, q).entityId(), found.get(q).join());
        }
        return Asks.ask(sharding.entityRefFor(ConsumerGroupEntity.ENTITY_TYPE_KEY, group),
                (ActorRef<Done> replyTo) -> new ConsumerGroupEntity.ResetOffsets(byEntity, replyTo),
                timeout, "offset reset of group '" + group + "'")
            .thenApply(done -> offsets);
      });
    });
  }
}
