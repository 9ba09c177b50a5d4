package io.salvo.cluster.admin;

import akka.http.javadsl.marshallers.jackson.Jackson;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import com.typesafe.config.ConfigFactory;
import io.salvo.cluster.BrokerSettings;
import io.salvo.cluster.query.MessageQueries;
import io.salvo.cluster.query.MessageView;
import io.salvo.cluster.queue.QueueEntity;
import io.salvo.cluster.queue.Queues;
import io.salvo.cluster.topic.TopicEntity;
import io.salvo.cluster.topic.Topics;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.model.QueueId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code /topics}: create, list, describe, grow, delete, retention, message lookup, placement (see
 * {@link AdminRoutes} and docs/admin-api.md).
 */
final class TopicRoutes extends JsonRoutes {
  /** Body of {@code POST /topics}. */
  record CreateTopic(String name, Integer queues) {}

  /** Body of {@code PUT /topics/T/retention}: a duration such as "72h", "30m", "7d"; "0" for the default. */
  record SetRetention(String retention) {}

  /** Body of {@code PUT /topics/T/queues}. */
  record SetQueues(Integer queues) {}

  /** How long a {@code DELETE} waits for one queue's messages to be deleted. */
  private static final Duration DELETE_QUEUE_TIMEOUT = Duration.ofSeconds(30);

  private final BrokerSettings settings;
  private final Topics topics;
  private final Queues queues;
  private final MessageQueries messageQueries;
  private final Placement placement;

  TopicRoutes(BrokerSettings settings, Topics topics, Queues queues, MessageQueries messageQueries, Placement placement) {
    this.settings = settings;
    this.topics = topics;
    this.queues = queues;
    this.messageQueries = messageQueries;
    this.placement = placement;
  }

  Route routes() {
    return pathPrefix("topics", () -> concat(
        pathEndOrSingleSlash(() -> concat(
            post(() -> entity(Jackson.unmarshaller(CreateTopic.class), this::createTopic)),
            get(() -> reply(StatusCodes.OK, () -> topics.list().thenApply(names -> Map.of("topics", names)))))),
        path(name -> concat(
            get(() -> reply(StatusCodes.OK, () -> describeTopic(name))),
            delete(() -> reply(StatusCodes.OK, () -> deleteTopic(name))))),
        path(PathMatchers.segment().slash("queues"), name -> put(() -> entity(Jackson.unmarshaller(SetQueues.class),
            body -> reply(StatusCodes.OK, () -> setQueues(name, body))))),
        path(PathMatchers.segment().slash("retention"), name -> put(() -> entity(Jackson.unmarshaller(SetRetention.class),
            body -> reply(StatusCodes.OK, () -> setRetention(name, body))))),
        path(PathMatchers.segment().slash("placement"), name -> get(() ->
            reply(StatusCodes.OK, () -> placement.of(List.of(name))))),
        path(PathMatchers.segment().slash("messages").slash(PathMatchers.segment()), (name, id) ->
            get(() -> reply(StatusCodes.OK, () -> messageQueries.byId(name, id).thenApply(TopicRoutes::views)))),
        path(PathMatchers.segment().slash("messages"), name -> get(() -> parameterMap(params ->
            reply(StatusCodes.OK, () -> queryMessages(name, params)))))));
  }

  private Route createTopic(CreateTopic body) {
    return reply(StatusCodes.CREATED, () -> {
      if (body.name() == null) {
        throw SalvoException.of(ErrorCode.BAD_REQUEST, "body needs \"name\" (and optionally \"queues\")");
      }
      int count = body.queues() == null ? settings.defaultQueueCount() : body.queues();
      return topics.create(body.name(), count).thenApply(created -> Map.of("name", body.name(), "queues", created));
    });
  }

  private CompletionStage<Map<String, Object>> describeTopic(String name) {
    return topics.describe(name).thenCompose(route -> offsets(name, route.queueCount()).thenApply(offsets -> {
      List<Map<String, Object>> perQueue = new ArrayList<>();
      for (int q = 0; q < offsets.size(); q++) {
        QueueEntity.Offsets o = offsets.get(q);
        perQueue.add(Map.of("queueId", q, "minOffset", o.minOffset(), "nextOffset", o.nextOffset()));
      }
      Duration retention = retention(route);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("name", name);
      out.put("queues", route.queueCount());
      out.put("retention", retention.toString());
      out.put("retentionMs", retention.toMillis());
      out.put("retentionIsDefault", route.retentionMs() == 0);
      out.put("offsets", perQueue);
      return out;
    }));
  }

  private Duration retention(TopicEntity.Route route) {
    return settings.retention().retentionOf(route.retentionMs());
  }

  /** Each queue's first and next offsets, asked in parallel. */
  private CompletionStage<List<QueueEntity.Offsets>> offsets(String topic, int queueCount) {
    List<CompletableFuture<QueueEntity.Offsets>> offsets = new ArrayList<>();
    for (int q = 0; q < queueCount; q++) {
      offsets.add(queues.offsets(QueueId.of(topic, q)).toCompletableFuture());
    }
    return CompletableFuture.allOf(offsets.toArray(CompletableFuture[]::new))
        .thenApply(v -> offsets.stream().map(CompletableFuture::join).toList());
  }

  private CompletionStage<Map<String, Object>> setQueues(String name, SetQueues body) {
    if (body.queues() == null) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "body needs \"queues\", the new (larger) queue count");
    }
    return topics.setQueueCount(name, body.queues()).thenCompose(route -> describeTopic(name));
  }

  /**
   * Deletes the topic's definition (new sends and routes get TOPIC_NOT_FOUND, or re-create it when auto-create is on),
   * then each queue's messages ({@link QueueEntity.Purge}: a snapshot at the queue's end, then retention's range
   * deletes). A queue that could not be purged is reported in {@code remainingMessages}. A re-created topic's queues
   * go on from the offsets the old ones reached. The broker's own retry and dead-letter topics are refused.
   */
  private CompletionStage<Map<String, Object>> deleteTopic(String name) {
    if (name.startsWith("%RETRY%") || name.startsWith("%DLQ%")) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "topic '" + name + "' is a consumer group's retry or dead-letter"
          + " topic, kept by the broker; it cannot be deleted");
    }
    return topics.delete(name).thenCompose(route -> {
      int ttl = settings.retention().indexTtlSeconds(retention(route));
      List<CompletableFuture<QueueEntity.Truncated>> truncated = new ArrayList<>();
      for (int q = 0; q < route.queueCount(); q++) {
        truncated.add(queues.purge(QueueId.of(name, q), ttl, DELETE_QUEUE_TIMEOUT).toCompletableFuture());
      }
      return CompletableFuture.allOf(truncated.toArray(CompletableFuture[]::new)).thenApply(v -> {
        long deleted = 0;
        long remaining = 0;
        for (CompletableFuture<QueueEntity.Truncated> t : truncated) {
          deleted += t.join().deleted();
          remaining += t.join().nextOffset() - t.join().minOffset();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("deleted", true);
        out.put("queues", route.queueCount());
        out.put("deletedMessages", deleted);
        out.put("remainingMessages", remaining);
        out.put("note", remaining == 0 ? "" : remaining + " messages could not be deleted now (see the broker's log);"
            + " DELETE again, or retention deletes them if the topic is created again");
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

  private CompletionStage<List<MessageView>> queryMessages(String topic, Map<String, String> params) {
    long begin = number("begin", params.getOrDefault("begin", "0"));
    long end = number("end", params.getOrDefault("end", "0"));
    int max = (int) number("max", params.getOrDefault("max", String.valueOf(MessageQueries.DEFAULT_MESSAGES)));
    String key = params.get("key");
    return (key != null ? messageQueries.byKey(topic, key, begin, end, max) : messageQueries.byTime(topic, begin, end, max))
        .thenApply(TopicRoutes::views);
  }

  private static List<MessageView> views(List<MessageQueries.Found> found) {
    List<MessageView> out = new ArrayList<>(found.size());
    for (MessageQueries.Found f : found) {
      out.add(MessageView.of(f.queue().topic(), f.queue().index(), f.entry()));
    }
    return out;
  }
}
