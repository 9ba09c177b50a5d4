package io.salvo.cluster.group;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.salvo.cluster.Asks;
import io.salvo.cluster.queue.QueueEntity;
import io.salvo.cluster.queue.Queues;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.model.QueueId;
import io.salvo.core.validation.Validation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A consumer group's description and its lag per queue, asked of its entity and of the queues it has offsets for (the
 * admin API and {@code /metrics}). Thread safe.
 */
public final class GroupLag {
  /** One queue's offsets of a group. */
  public record QueueLag(String topic, int queueId, long committedOffset, long minOffset, long nextOffset, long lag,
      long expiredUnconsumed, String note) {}

  /** A group's lag: the sum and per queue. */
  public record Lag(String group, long totalLag, List<QueueLag> queues) {}

  private final ClusterSharding sharding;
  private final Queues queues;
  private final Duration timeout;

  public GroupLag(ActorSystem<?> system, Queues queues, Duration timeout) {
    this.sharding = ClusterSharding.get(system);
    this.queues = queues;
    this.timeout = timeout;
  }

  /** The group's members, generation, offsets and grants; GROUP_NOT_FOUND when it has neither members nor offsets. */
  public CompletionStage<ConsumerGroupEntity.Description> describe(String group) {
    Validation.checkGroup(group);
    return Asks.ask(sharding.entityRefFor(ConsumerGroupEntity.ENTITY_TYPE_KEY, group),
            (ActorRef<ConsumerGroupEntity.Description> replyTo) -> new ConsumerGroupEntity.Describe(replyTo),
            timeout, "description of group '" + group + "'")
        .thenApply(d -> {
          if (d.members().isEmpty() && d.offsets().isEmpty()) {
            throw SalvoException.of(ErrorCode.GROUP_NOT_FOUND, group);
          }
          return d;
        });
  }

  /**
   * The group's lag per queue it has an offset for. A committed offset below the queue's first retained one means
   * retention deleted messages the group never consumed: the group resumes at the first retained one, and the report
   * says how many it missed.
   */
  public CompletionStage<Lag> lag(String group) {
    return describe(group).thenCompose(d -> {
      List<String> queueIds = new ArrayList<>(d.offsets().keySet());
      List<CompletableFuture<QueueEntity.Offsets>> offsets = new ArrayList<>();
      for (String q : queueIds) {
        offsets.add(queues.offsets(QueueId.parse(q)).toCompletableFuture());
      }
      return CompletableFuture.allOf(offsets.toArray(CompletableFuture[]::new)).thenApply(v -> {
        List<QueueLag> lags = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < queueIds.size(); i++) {
          QueueId queue = QueueId.parse(queueIds.get(i));
          QueueEntity.Offsets o = offsets.get(i).join();
          long committed = d.offsets().get(queueIds.get(i));
          long expired = Math.max(0, o.minOffset() - committed);
          long lag = Math.max(0, o.nextOffset() - Math.max(committed, o.minOffset()));
          total += lag;
          lags.add(new QueueLag(queue.topic(), queue.index(), committed, o.minOffset(), o.nextOffset(), lag, expired,
              expired == 0 ? "" : expired + " messages expired by retention before the group consumed them; it resumes"
                  + " at offset " + o.minOffset()));
        }
        return new Lag(group, total, lags);
      });
    });
  }
}
