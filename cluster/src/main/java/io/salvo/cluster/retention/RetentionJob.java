package io.salvo.cluster.retention;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.SingletonActor;
import io.salvo.cluster.BrokerSettings.RetentionSettings;
import io.salvo.cluster.delivery.QueueSource;
import io.salvo.cluster.queue.QueueEntity;
import io.salvo.cluster.queue.Queues;
import io.salvo.cluster.topic.Topics;
import io.salvo.core.model.QueueId;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Time-based retention, one per cluster (a cluster singleton): every {@code salvo.broker.retention.interval} it goes
 * through every topic, one queue at a time, finds the first message stored within the topic's retention (a binary
 * search of the queue's journal by store time) and has the {@link QueueEntity} delete everything before it in whole
 * journal ranges ({@code QueueEntity.Truncate}), when at least {@code min-step} messages expired or the whole queue did.
 * Each deletion is logged by its queue; each run that deleted something logs a summary. A run that fails is logged and
 * the next one starts over (deletes are idempotent).
 */
public final class RetentionJob {
  private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);

  /** How long one queue's truncation (a few CQL deletes) may take. */
  private static final Duration TRUNCATE_TIMEOUT = Duration.ofSeconds(30);

  public sealed interface Command {}

  private record Run() implements Command {}

  private record RunDone(Summary summary, Throwable failure) implements Command {}

  private static final Run RUN = new Run();

  /** What one run did. */
  record Summary(int topics, int queues, long deleted, long startedNanos) {
    Summary plus(Summary other) {
      return new Summary(topics + other.topics, queues + other.queues, deleted + other.deleted, startedNanos);
    }
  }

  public static ActorRef<Command> init(ActorSystem<?> system, Topics topics, Queues queues, QueueSource queueSource,
      RetentionSettings settings) {
    return ClusterSingleton.get(system).init(SingletonActor.of(
        Behaviors.supervise(create(new RetentionJob(topics, queues, queueSource, settings)))
            .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2)),
        "salvo-retention"));
  }

  private final Topics topics;
  private final Queues queues;
  private final QueueSource queueSource;
  private final RetentionSettings settings;
  /**
   * Per queue, a store time no retained message is older than, and the index TTL last given to it: while the first is
   * within the retention and the topic's TTL is unchanged, the queue is skipped, so idle queues' entities are not woken
   * (and recovered) by every run. Lost on restart or move: rebuilt as runs go.
   */
  private final Map<QueueId, Checked> checked = new ConcurrentHashMap<>();

  private record Checked(long oldestPossible, int indexTtlSeconds) {}

  private RetentionJob(Topics topics, Queues queues, QueueSource queueSource, RetentionSettings settings) {
    this.topics = topics;
    this.queues = queues;
    this.queueSource = queueSource;
    this.settings = settings;
  }

  private static Behavior<Command> create(RetentionJob job) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(RUN, job.settings.interval());
      boolean[] running = {false};
      return Behaviors.receive(Command.class)
          .onMessage(Run.class, run -> {
            if (!running[0]) {
              running[0] = true;
              ctx.pipeToSelf(job.runOnce(), (summary, failure) -> new RunDone(summary, failure));
            }
            return Behaviors.same();
          })
          .onMessage(RunDone.class, done -> {
            running[0] = false;
            if (done.failure() != null) {
              log.warn("retention run failed: {}; the next run in {} starts over", done.failure().toString(),
                  job.settings.interval());
            } else {
              Summary s = done.summary();
              long millis = Duration.ofNanos(System.nanoTime() - s.startedNanos()).toMillis();
              if (s.deleted() > 0) {
                log.info("retention run: deleted {} expired messages from {} queues of {} topics in {} ms", s.deleted(),
                    s.queues(), s.topics(), millis);
              } else {
                log.debug("retention run: nothing expired in {} queues of {} topics ({} ms)", s.queues(), s.topics(),
                    millis);
              }
            }
            return Behaviors.same();
          })
          .build();
    }));
  }

  /** One pass over every topic, one topic and one queue at a time (retention is background work). */
  CompletionStage<Summary> runOnce() {
    Summary none = new Summary(0, 0, 0, System.nanoTime());
    return topics.list().thenCompose(names -> {
      CompletionStage<Summary> chain = CompletableFuture.completedFuture(none);
      for (String topic : names) {
        chain = chain.thenCompose(sum -> topic(topic).thenApply(sum::plus));
      }
      return chain;
    });
  }

  private CompletionStage<Summary> topic(String topic) {
    return topics.describe(topic).thenCompose(route -> {
      Duration retention = settings.retentionOf(route.retentionMs());
      long cutoff = System.currentTimeMillis() - retention.toMillis();
      int ttl = settings.indexTtlSeconds(retention);
      CompletionStage<Summary> chain = CompletableFuture.completedFuture(new Summary(1, 0, 0, 0));
      for (int q = 0; q < route.queueCount(); q++) {
        QueueId queue = QueueId.of(topic, q);
        chain = chain.thenCompose(sum -> queue(queue, cutoff, ttl).thenApply(deleted ->
            new Summary(sum.topics(), sum.queues() + 1, sum.deleted() + deleted, 0)));
      }
      return chain;
    });
  }

  /**
   * Truncates one queue below the first message stored at or after {@code cutoff}; answers how many went. A queue
   * known to hold nothing stored before {@code cutoff} is skipped without waking its entity.
   */
  private CompletionStage<Long> queue(QueueId queue, long cutoff, int indexTtlSeconds) {
    Checked last = checked.get(queue);
    if (last != null && last.oldestPossible() >= cutoff && last.indexTtlSeconds() == indexTtlSeconds) {
      return CompletableFuture.completedFuture(0L);
    }
    long askedAt = System.currentTimeMillis();
    return queues.offsets(queue).thenCompose(o -> {
      CompletionStage<Long> expiredBefore = o.minOffset() >= o.nextOffset()
          ? CompletableFuture.completedFuture(o.minOffset())
          : queueSource.offsetAtTimestamp(queue, o.minOffset(), o.nextOffset(), cutoff);
      return expiredBefore.thenCompose(before -> {
        boolean worthIt = before - o.minOffset() >= settings.minStep() || (before == o.nextOffset() && before > o.minOffset());
        return queues.truncate(queue, worthIt ? before : o.minOffset(), indexTtlSeconds, TRUNCATE_TIMEOUT)
            .thenCompose(t -> remember(queue, t, askedAt, indexTtlSeconds).thenApply(v -> t.deleted()));
      });
    });
  }

  /**
   * Notes the oldest store time a message of {@code queue} can have after a truncation: the first retained message's,
   * or, for an empty queue, when it was seen empty (anything appended later is newer). Unknown (checked at every run)
   * when older messages are left because they were too few or above the newest snapshot.
   */
  private CompletionStage<Void> remember(QueueId queue, QueueEntity.Truncated t, long askedAt, int indexTtlSeconds) {
    if (t.minOffset() >= t.nextOffset()) {
      checked.put(queue, new Checked(askedAt, indexTtlSeconds));
      return CompletableFuture.completedFuture(null);
    }
    return queueSource.read(queue, t.minOffset(), t.minOffset() + 1).handle((entries, failure) -> {
      if (failure == null && !entries.isEmpty()) {
        checked.put(queue, new Checked(entries.get(0).message().storeTimestamp(), indexTtlSeconds));
      } else {
        checked.remove(queue);
      }
      return null;
    });
  }
}
