package io.salvo.cluster.admin;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.server.Route;
import io.salvo.cluster.BrokerSettings;
import io.salvo.cluster.delivery.QueueSource;
import io.salvo.cluster.group.GroupLag;
import io.salvo.cluster.group.GroupOffsets;
import io.salvo.cluster.metrics.BrokerMetrics;
import io.salvo.cluster.query.MessageQueries;
import io.salvo.cluster.queue.Queues;
import io.salvo.cluster.queue.WriteStats;
import io.salvo.cluster.retry.DeadLetters;
import io.salvo.cluster.topic.Topics;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;

/**
 * Salvo's admin API, served beside Akka Management's routes on the management port; docs/admin-api.md has every route
 * with an example. JSON in and out; an error is {@code {"code": <number>, "error": "<ErrorCode>", "message": "..."}}
 * with a matching HTTP status.
 * <ul>
 *   <li>{@link TopicRoutes}: {@code /topics} (create, list, describe, grow {@code /queues}, delete, {@code /retention},
 *       {@code /messages} lookups, {@code /placement})</li>
 *   <li>{@link GroupRoutes}: {@code /groups} (list, describe, {@code /lag}, {@code /reset-offset}, {@code /dlq})</li>
 *   <li>{@link ClusterRoutes}: {@code /cluster/queues} (which node holds which queue), {@code /stats},
 *       {@code /metrics} (Prometheus text)</li>
 * </ul>
 * With {@code salvo.broker.admin.read-only = on} every request but GET, HEAD and OPTIONS on this port is refused with
 * 403 and READ_ONLY, Akka Management's own mutating routes included.
 */
public final class AdminRoutes extends JsonRoutes {
  private final boolean readOnly;
  private final TopicRoutes topicRoutes;
  private final GroupRoutes groupRoutes;
  private final ClusterRoutes clusterRoutes;

  public AdminRoutes(ActorSystem<?> system, BrokerSettings settings, Topics topics, WriteStats writeStats,
      QueueSource queueSource, Queues queues, MessageQueries messageQueries, GroupOffsets groupOffsets) {
    this.readOnly = system.settings().config().getBoolean("salvo.broker.admin.read-only");
    Placement placement = new Placement(system, topics, settings.storeTimeout());
    GroupLag groupLag = new GroupLag(system, queues, settings.storeTimeout());
    this.topicRoutes = new TopicRoutes(settings, topics, queues, messageQueries, placement);
    this.groupRoutes = new GroupRoutes(system, groupLag, groupOffsets,
        new DeadLetters(system, settings, topics, queueSource));
    this.clusterRoutes = new ClusterRoutes(topics, writeStats, BrokerMetrics.get(system), groupLag, placement);
  }

  /** Our routes; when read-only, every mutating request (to any path) is refused before they are tried. */
  public Route routes() {
    return guard(concat(topicRoutes.routes(), groupRoutes.routes(), clusterRoutes.routes()));
  }

  /** {@code inner}, or 403 READ_ONLY for a mutating request when this node's admin API is read-only. */
  public Route guard(Route inner) {
    if (!readOnly) {
      return inner;
    }
    return extractMethod(method -> mutating(method)
        ? error(SalvoException.of(ErrorCode.READ_ONLY, method.name()))
        : inner);
  }

  private static boolean mutating(HttpMethod method) {
    return !(method.equals(HttpMethods.GET) || method.equals(HttpMethods.HEAD) || method.equals(HttpMethods.OPTIONS));
  }
}
