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
import com.typesafe.config.ConfigFactory;
import io.salvo.cluster.group.GroupOffsets;
import io.salvo.cluster.query.MessageQueries;
import io.salvo.cluster.query.MessageView;
import io.salvo.cluster.queue.QueueEntity;
import io.salvo.cluster.queue.Queues;
import io.salvo.core.model.QueueId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Supplier;

/**
 * Salvo's admin API, served beside Akka Management's routes on the management port. JSON in and out; an error
 * is {@code {"code": <number>, "error": "<ErrorCode>", "message": "..."}} with a matching HTTP status.
 * <ul>
 *   <li>{@code POST /topics} {@code {"name": "T", "queues": 8}}: create a topic (201; 409 if it exists)</li>
 *   <li>{@code GET /topics}: topic names; {@code GET /topics/T}: its queue count, retention and each queue's first and
 *       next offsets (404 if missing)</li>
 *   <li>{@code PUT /topics/T/retention} {@code {"retention": "72h"}}: how long the topic keeps messages ("0": the
 *       broker's default)</li>
 *   <li>{@code GET /topics/T/messages/ID}: the message with that id, with its queue and offset (404 if none)</li>
 *   <li>{@code GET /topics/T/messages?key=K&begin=ms&end=ms&max=32}: the newest messages with key K stored in the
 *       range; without key: the first messages stored in the range, across the topic's queues</li>
 *   <li>{@code GET /groups/G}: members, generation and committed offsets</li>
 *   <li>{@code GET /groups/G/lag}: per queue of each topic it has offsets for: committed, first and next offsets, lag,
 *       and how many messages retention deleted before the group consumed them</li>
 *   <li>{@code POST /groups/G/reset-offset} {@code {"topic": "T", "timestamp": ms}}: the group consumes the topic again
 *       from the first message stored at or after the time</li>
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

  /** Body of {@code PUT /topics/T/retention}: a duration such as "72h", "30m", "7d"; "0" for the default. */
  public record SetRetention(String retention) {}

  /** Body of {@code POST /groups/G/reset-offset}. */
  public record ResetOffset(String topic, Long timestamp) {}

  /** One queue's offsets of a group in the lag report. */
  public record QueueLag(String topic, int queueId, long committedOffset, long minOffset, long nextOffset, long lag,
      long expiredUnconsumed, String note) {}

  /** Body of {@code POST /groups/G/dlq/resend}: one message id, or none (null) for every dead letter. */
  public record Resend(String messageId) {}

  private final ActorSystem<?> system;
  private final BrokerSettings settings;
  private final Topics topics;
  private final WriteStats writeStats;
  private final DeadLetters deadLetters;
  private final Queues queues;
  private final MessageQueries messageQueries;
  private final GroupOffsets groupOffsets;

  public AdminRoutes(ActorSystem<?> system, BrokerSettings settings, Topics topics, WriteStats writeStats,
      QueueSource queueSource, Queues queues, MessageQueries messageQueries, GroupOffsets groupOffsets) {
    this.system = system;
    this.settings = settings;
    this.topics = topics;
    this.writeStats = writeStats;
    this.deadLetters = new DeadLetters(system, settings, topics, queueSource);
    this.queues = queues;
    this.messageQueries = messageQueries;
    this.groupOffsets = groupOffsets;
  }

  public Route routes() {
    return concat(
        pathPrefix("topics", this::topicRoutes),
        pathPrefix("groups", () -> pathPrefix(group -> concat(
            pathEndOrSingleSlash(() -> get(() -> reply(StatusCodes.OK, () -> describeGroup(group)))),
            path("lag", () -> get(() -> reply(StatusCodes.OK, () -> lag(group)))),
            path("reset-offset", () -> post(() -> entity(Jackson.unmarshaller(ResetOffset.class),
                body -> reply(StatusCodes.OK, () -> resetOffset(group, body))))),
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

  private Route topicRoutes() {
    return concat(
        pathEndOrSingleSlash(() -> concat(
            post(() -> entity(Jackson.unmarshaller(CreateTopic.class), this::createTopic)),
            get(() -> reply(StatusCodes.OK, () -> topics.list().thenApply(names -> Map.of("topics", names)))))),
        path(name -> get(() -> reply(StatusCodes.OK, () -> describeTopic(name)))),
        path(PathMatchers.segment().slash("retention"), name -> put(() -> entity(Jackson.unmarshaller(SetRetention.class),
            body -> reply(StatusCodes.OK, () -> setRetention(name, body))))),
        path(PathMatchers.segment().slash("messages").slash(PathMatchers.segment()), (name, id) ->
            get(() -> reply(StatusCodes.OK, () -> messageQueries.byId(name, id).thenApply(this::views)))),
        path(PathMatchers.segment().slash("messages"), name -> get(() -> parameterMap(params ->
            reply(StatusCodes.OK, () -> queryMessages(name, params))))));
  }

  private CompletionStage<List<MessageView>> queryMessages(String topic, Map<String, String> params) {
    long begin = number("begin", params.getOrDefault("begin", "0"));
    long end = number("end", params.getOrDefault("end", "0"));
    int max = (int) number("max", params.getOrDefault("max", String.valueOf(MessageQueries.DEFAULT_MESSAGES)));
    String key = params.get("key");
    return (key != null ? messageQueries.byKey(topic, key, begin, end, max) : messageQueries.byTime(topic, begin, end, max))
        .thenApply(this::views);
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

  private CompletionStage<Map<String, Object>> describeTopic(String name) {
    return topics.describe(name).thenCompose(route -> {
      List<CompletableFuture<QueueEntity.Offsets>> offsets = new ArrayList<>();
      for (int q = 0; q < route.queueCount(); q++) {
        offsets.add(queues.offsets(QueueId.of(name, q)).toCompletableFuture());
      }
      return CompletableFuture.allOf(offsets.toArray(CompletableFuture[]::new)).thenApply(v -> {
        List<Map<String, Object>> perQueue = new ArrayList<>();
        for (int q = 0; q < offsets.size(); q++) {
          QueueEntity.Offsets o = offsets.get(q).join();
          perQueue.add(Map.of("queueId", q, "minOffset", o.minOffset(), "nextOffset", o.nextOffset()));
        }
        Duration retention = route.retentionMs() > 0 ? Duration.ofMillis(route.retentionMs())
            : settings.retention().defaultRetention();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("queues", route.queueCount());
        out.put("retention", retention.toString());
        out.put("retentionMs", retention.toMillis());
        out.put("retentionIsDefault", route.retentionMs() == 0);
        out.put("offsets", perQueue);
        return out;
      });
    });
  }

  private CompletionStage<Map<String, Object>> setRetention(String name, SetRetention body) {
    if (body.retention() == null) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "body needs \"retention\", a duration such as \"72h\" (\"0\": the default)");
    }
    Duration retention;
    try {
      retention = ConfigFactory.parseString("r = \"" + body.retention().replace("\"", "") + "\"").getDuration("r");
    } catch (RuntimeException e) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "retention '" + body.retention() + "' is not a duration such as"
          + " \"72h\", \"30m\" or \"7d\"");
    }
    return topics.setRetention(name, retention).thenCompose(route -> describeTopic(name));
  }

  private List<MessageView> views(List<MessageQueries.Found> found) {
    List<MessageView> out = new ArrayList<>(found.size());
    for (MessageQueries.Found f : found) {
      out.add(MessageView.of(f.queue().topic(), f.queue().index(), f.entry()));
    }
    return out;
  }

  private CompletionStage<Map<String, Object>> resetOffset(String group, ResetOffset body) {
    if (body.topic() == null || body.timestamp() == null) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "body needs \"topic\" and \"timestamp\" (ms since the epoch)");
    }
    return groupOffsets.resetToTime(group, body.topic(), body.timestamp()).thenApply(offsets -> {
      List<Map<String, Object>> out = new ArrayList<>();
      offsets.forEach((queue, offset) -> out.add(Map.of("topic", queue.topic(), "queueId", queue.index(),
          "offset", offset)));
      return Map.of("group", group, "topic", body.topic(), "timestamp", body.timestamp(), "offsets", out);
    });
  }

  /**
   * The group's lag per queue it has an offset for. A committed offset below the queue's first retained one means
   * retention deleted messages the group never consumed: the group resumes at the first retained one, and the report
   * says how many it missed.
   */
  private CompletionStage<Map<String, Object>> lag(String group) {
    return describeGroup(group).thenCompose(d -> {
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
        return Map.of("group", group, "totalLag", total, "queues", lags);
      });
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
