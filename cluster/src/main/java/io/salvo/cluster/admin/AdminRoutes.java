package io.salvo.cluster.admin;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.http.javadsl.marshallers.jackson.Jackson;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import io.salvo.cluster.Asks;
import io.salvo.cluster.BrokerSettings;
import io.salvo.cluster.delivery.QueueSource;
import io.salvo.cluster.group.ConsumerGroupEntity;
import io.salvo.cluster.queue.WriteStats;
import io.salvo.cluster.retry.DeadLetters;
import io.salvo.cluster.topic.Topics;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.validation.Validation;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Salvo's admin API, served beside Akka Management's routes on the management port. JSON in and out; an error
 * is {@code {"code": <number>, "error": "<ErrorCode>", "message": "..."}} with a matching HTTP status.
 * <ul>
 *   <li>{@code POST /topics} {@code {"name": "T", "queues": 8}}: create a topic (201; 409 if it exists)</li>
 *   <li>{@code GET /topics}: topic names; {@code GET /topics/T}: its queue count (404 if missing)</li>
 *   <li>{@code GET /groups/G}: members, generation and committed offsets</li>
 *   <li>{@code GET /groups/G/dlq?offset=0&limit=100}: the group's dead letters (topic {@code %DLQ%G}) from an offset,
 *       each with the topic and queue it came from, its reconsume count and its body (UTF-8 text, or base64)</li>
 *   <li>{@code POST /groups/G/dlq/resend} {@code {"messageId": "..."}} or {@code {}} for all: send dead letters to the
 *       group again through its retry topic, reconsume count reset (they stay in the dead-letter topic)</li>
 *   <li>{@code GET /stats}: journal writes, appends and messages of this node (group commit at work), and how long
 *       the writes took ({@code journalWriteMillis}: p50 and p99 as bucket bounds, max, the buckets), and the
 *       node's JVM heap ({@code heap}: used, committed and max bytes now, and used right after the last garbage
 *       collection, which is what the node really holds)</li>
 * </ul>
 */
public final class AdminRoutes extends AllDirectives {
  /** Body of {@code POST /topics}. */
  public record CreateTopic(String name, Integer queues) {}

  /** Body of {@code POST /groups/G/dlq/resend}: one message id, or none (null) for every dead letter. */
  public record Resend(String messageId) {}

  private final ActorSystem<?> system;
  private final BrokerSettings settings;
  private final Topics topics;
  private final WriteStats writeStats;
  private final DeadLetters deadLetters;

  public AdminRoutes(ActorSystem<?> system, BrokerSettings settings, Topics topics, WriteStats writeStats,
      QueueSource queueSource) {
    this.system = system;
    this.settings = settings;
    this.topics = topics;
    this.writeStats = writeStats;
    this.deadLetters = new DeadLetters(system, settings, topics, queueSource);
  }

  public Route routes() {
    return concat(
        pathPrefix("topics", () -> concat(
            pathEndOrSingleSlash(() -> concat(
                post(() -> entity(Jackson.unmarshaller(CreateTopic.class), this::createTopic)),
                get(() -> reply(StatusCodes.OK, () -> topics.list().thenApply(names -> Map.of("topics", names)))))),
            path(name -> get(() -> reply(StatusCodes.OK, () -> topics.queueCount(name, false)
                .thenApply(count -> Map.of("name", name, "queues", count)))))))
        ,
        pathPrefix("groups", () -> pathPrefix(group -> concat(
            pathEndOrSingleSlash(() -> get(() -> reply(StatusCodes.OK, () -> describeGroup(group)))),
            path("dlq", () -> get(() -> parameterOptional("offset", offset -> parameterOptional("limit", limit ->
                reply(StatusCodes.OK, () -> deadLetters.list(group, number("offset", offset.orElse("0")),
                    (int) number("limit", limit.orElse("100")))))))),
            path(PathMatchers.segment("dlq").slash("resend"), () -> post(() -> entity(Jackson.unmarshaller(Resend.class),
                body -> reply(StatusCodes.OK, () -> deadLetters.resend(group, body.messageId())))))))),
        path("stats", () -> get(() -> reply(StatusCodes.OK, () -> {
          WriteStats.Snapshot s = writeStats.snapshot();
          return CompletableFuture.completedFuture(Map.of("journalWrites", s.writes(), "appends", s.appends(),
              "messages", s.messages(), "messagesPerWrite", s.messagesPerWrite(),
              "journalWriteMillis", Map.of("p50", s.latencyPercentileMillis(50), "p99", s.latencyPercentileMillis(99),
                  "max", s.maxLatencyMicros() / 1000.0, "bucketBounds", WriteStats.bucketBoundsMillis(),
                  "buckets", s.latencyBuckets()),
              "heap", heap()));
        }))));
  }

  /**
   * This JVM's heap: used, committed and max bytes now, and used bytes right after the most recent garbage collection
   * (-1 before the first).
   */
  private static Map<String, Long> heap() {
    MemoryUsage now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    long afterLastGc = -1;
    long lastEnd = -1;
    for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (bean instanceof com.sun.management.GarbageCollectorMXBean gc && gc.getLastGcInfo() != null
          && gc.getLastGcInfo().getEndTime() > lastEnd) {
        lastEnd = gc.getLastGcInfo().getEndTime();
        afterLastGc = gc.getLastGcInfo().getMemoryUsageAfterGc().entrySet().stream()
            .filter(pool -> isHeapPool(pool.getKey()))
            .mapToLong(pool -> pool.getValue().getUsed())
            .sum();
      }
    }
    return Map.of("usedBytes", now.getUsed(), "committedBytes", now.getCommitted(), "maxBytes", now.getMax(),
        "usedAfterLastGcBytes", afterLastGc);
  }

  private static boolean isHeapPool(String name) {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getName().equals(name)) {
        return pool.getType() == MemoryType.HEAP;
      }
    }
    return false;
  }

  private static long number(String parameter, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "parameter " + parameter + "='" + value + "' is not a number");
    }
  }

  private Route createTopic(CreateTopic body) {
    return reply(StatusCodes.CREATED, () -> {
      if (body.name() == null) {
        throw SalvoException.of(ErrorCode.BAD_REQUEST, "body needs \"name\" (and optionally \"queues\")");
      }
      int queues = body.queues() == null ? settings.defaultQueueCount() : body.queues();
      return topics.create(body.name(), queues).thenApply(count -> Map.of("name", body.name(), "queues", count));
    });
  }

  private CompletionStage<ConsumerGroupEntity.Description> describeGroup(String group) {
    Validation.checkGroup(group);
    return Asks.ask(ClusterSharding.get(system).entityRefFor(ConsumerGroupEntity.ENTITY_TYPE_KEY, group),
        (ActorRef<ConsumerGroupEntity.Description> replyTo) -> new ConsumerGroupEntity.Describe(replyTo),
        settings.storeTimeout(), "description of group '" + group + "'")
        .thenApply(d -> {
          if (d.members().isEmpty() && d.offsets().isEmpty()) {
            throw SalvoException.of(ErrorCode.GROUP_NOT_FOUND, group);
          }
          return d;
        });
  }

  private <T> Route reply(StatusCode success, Supplier<CompletionStage<T>> body) {
    CompletionStage<T> stage;
    try {
      stage = body.get();
    } catch (RuntimeException e) {
      return error(e);
    }
    return onComplete(stage, result -> result.isSuccess()
        ? complete(success, result.get(), Jackson.marshaller())
        : error(result.failed().get()));
  }

  private Route error(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    ErrorCode code = cause instanceof SalvoException se ? se.code() : ErrorCode.INTERNAL;
    String message = cause instanceof SalvoException ? cause.getMessage() : ErrorCode.INTERNAL.format(String.valueOf(cause));
    StatusCode status = switch (code.category()) {
      case INVALID -> StatusCodes.BAD_REQUEST;
      case NOT_FOUND -> StatusCodes.NOT_FOUND;
      case CONFLICT -> StatusCodes.CONFLICT;
      case UNAVAILABLE -> StatusCodes.SERVICE_UNAVAILABLE;
      default -> StatusCodes.INTERNAL_SERVER_ERROR;
    };
    return complete(status, Map.of("code", code.number(), "error", code.name(), "message", message), Jackson.marshaller());
  }
}
