package io.salvo.cluster.admin;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.marshallers.jackson.Jackson;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.stream.javadsl.Sink;
import io.salvo.cluster.group.ConsumerGroupEntity;
import io.salvo.cluster.group.GroupLag;
import io.salvo.cluster.group.GroupOffsets;
import io.salvo.cluster.retry.DeadLetters;
import io.salvo.cluster.topic.Topics;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** {@code /groups}: list, describe, lag, offset reset, dead letters (see {@link AdminRoutes} and docs/admin-api.md). */
final class GroupRoutes extends JsonRoutes {
  /** Body of {@code POST /groups/G/reset-offset}. */
  record ResetOffset(String topic, Long timestamp) {}

  /** Body of {@code POST /groups/G/dlq/resend}: one message id, or none (null) for every dead letter. */
  record Resend(String messageId) {}

  private final ActorSystem<?> system;
  private final GroupLag groupLag;
  private final GroupOffsets groupOffsets;
  private final DeadLetters deadLetters;

  GroupRoutes(ActorSystem<?> system, GroupLag groupLag, GroupOffsets groupOffsets, DeadLetters deadLetters) {
    this.system = system;
    this.groupLag = groupLag;
    this.groupOffsets = groupOffsets;
    this.deadLetters = deadLetters;
  }

  Route routes() {
    return pathPrefix("groups", () -> concat(
        pathEndOrSingleSlash(() -> get(() -> reply(StatusCodes.OK, () -> list().thenApply(g -> Map.of("groups", g))))),
        pathPrefix(group -> concat(
            pathEndOrSingleSlash(() -> get(() -> reply(StatusCodes.OK, () -> groupLag.describe(group)))),
            path("lag", () -> get(() -> reply(StatusCodes.OK, () -> groupLag.lag(group)))),
            path("reset-offset", () -> post(() -> entity(Jackson.unmarshaller(ResetOffset.class),
                body -> reply(StatusCodes.OK, () -> resetOffset(group, body))))),
            path("dlq", () -> get(() -> parameterOptional("offset", offset -> parameterOptional("limit", limit ->
                reply(StatusCodes.OK, () -> deadLetters.list(group, number("offset", offset.orElse("0")),
                    (int) number("limit", limit.orElse("100")))))))),
            path(PathMatchers.segment("dlq").slash("resend"), () -> post(() -> entity(Jackson.unmarshaller(Resend.class),
                body -> reply(StatusCodes.OK, () -> deadLetters.resend(group, body.messageId())))))))));
  }

  /** Every group the journal has (members joined or offsets committed once), sorted. */
  private CompletionStage<List<String>> list() {
    return Topics.entityNames(system, ConsumerGroupEntity.ENTITY_TYPE_KEY.name())
        .runWith(Sink.seq(), system)
        .thenApply(names -> names.stream().sorted().toList());
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
}
