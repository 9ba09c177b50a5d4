package io.salvo.cluster.admin;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.GetClusterShardingStats;
import akka.cluster.sharding.typed.HashCodeMessageExtractor;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.salvo.cluster.queue.QueueEntity;
import io.salvo.cluster.topic.Topics;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.model.QueueId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Which node holds which queue entity. Asks the cluster's shard regions for their shards
 * ({@link GetClusterShardingStats} of {@code QueueEntity}: one answer per node, shard id → entities running) and maps
 * each queue's entity id to its shard the way sharding does (the default {@link HashCodeMessageExtractor} over
 * {@code akka.cluster.sharding.number-of-shards}). A queue whose shard no region holds yet has no node: it is started
 * where the coordinator allocates its shard on first use. Thread safe.
 */
final class Placement {
  /** One queue: its shard, the node holding that shard (null: not allocated), and whether the shard runs entities. */
  record QueuePlacement(String topic, int queueId, String entityId, String shard, String node) {}

  private final ActorSystem<?> system;
  private final Topics topics;
  private final Duration timeout;
  private final HashCodeMessageExtractor<Object> shards;

  Placement(ActorSystem<?> system, Topics topics, Duration timeout) {
    this.system = system;
    this.topics = topics;
    this.timeout = timeout;
    this.shards = new HashCodeMessageExtractor<>(
        system.settings().config().getInt("akka.cluster.sharding.number-of-shards"));
  }

  /** The placement of every queue of {@code topicNames}, and per node how many queue shards and entities it runs. */
  CompletionStage<Map<String, Object>> of(List<String> topicNames) {
    CompletionStage<ShardRegion.ClusterShardingStats> stats = AskPattern.ask(ClusterSharding.get(system).shardState(),
        (ActorRef<ShardRegion.ClusterShardingStats> replyTo) ->
            new GetClusterShardingStats(QueueEntity.ENTITY_TYPE_KEY, timeout, replyTo),
        timeout.plusSeconds(1), system.scheduler());
    List<CompletableFuture<Integer>> counts = new ArrayList<>();
    for (String topic : topicNames) {
      counts.add(topics.describe(topic).thenApply(r -> r.queueCount()).toCompletableFuture());
    }
    return stats.exceptionally(e -> {
      throw SalvoException.of(ErrorCode.TIMEOUT, timeout.toMillis() + " ms", "shard regions of queues: " + e);
    }).thenCombine(CompletableFuture.allOf(counts.toArray(CompletableFuture[]::new)), (s, v) -> {
      Map<String, String> nodeOfShard = new HashMap<>();
      Map<String, Map<String, Object>> nodes = new TreeMap<>();
      for (Map.Entry<Address, ShardRegion.ShardRegionStats> region : s.getRegions().entrySet()) {
        String node = region.getKey().toString();
        long entities = 0;
        for (Map.Entry<String, Object> shard : region.getValue().getStats().entrySet()) {
          nodeOfShard.put(shard.getKey(), node);
          entities += ((Number) shard.getValue()).longValue();
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("shards", region.getValue().getStats().size());
        summary.put("entities", entities);
        summary.put("failedShards", region.getValue().getFailed());
        nodes.put(node, summary);
      }
      List<QueuePlacement> queues = new ArrayList<>();
      for (int t = 0; t < topicNames.size(); t++) {
        for (int q = 0; q < counts.get(t).join(); q++) {
          String entityId = QueueId.of(topicNames.get(t), q).entityId();
          String shard = shards.shardId(entityId);
          queues.add(new QueuePlacement(topicNames.get(t), q, entityId, shard, nodeOfShard.get(shard)));
        }
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("nodes", nodes);
      out.put("queues", queues);
      return out;
    });
  }
}
