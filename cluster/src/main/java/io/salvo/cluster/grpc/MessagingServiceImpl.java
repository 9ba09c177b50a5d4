package io.salvo.cluster.grpc;

import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.japi.pf.PFBuilder;
import akka.stream.javadsl.Source;
import io.salvo.cluster.Asks;
import io.salvo.cluster.BrokerSettings;
import io.salvo.cluster.delivery.QueueSource;
import io.salvo.cluster.metrics.BrokerMetrics;
import io.salvo.cluster.metrics.DemandWait;
import io.salvo.cluster.group.ConsumerGroupEntity;
import io.salvo.cluster.queue.Queues;
import io.salvo.cluster.retry.RetryMessages;
import io.salvo.cluster.queue.StoredEntry;
import io.salvo.cluster.topic.Topics;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.filter.MessageFilter;
import io.salvo.core.model.QueueId;
import io.salvo.core.protocol.v1.CommitOffsetRequest;
import io.salvo.core.protocol.v1.CommitOffsetResponse;
import io.salvo.core.protocol.v1.FilterExpression;
import io.salvo.core.protocol.v1.GetQueueOffsetsRequest;
import io.salvo.core.protocol.v1.GetQueueOffsetsResponse;
import io.salvo.core.protocol.v1.HeartbeatRequest;
import io.salvo.core.protocol.v1.HeartbeatResponse;
import io.salvo.core.protocol.v1.LeaveGroupRequest;
import io.salvo.core.protocol.v1.LeaveGroupResponse;
import io.salvo.core.protocol.v1.QueueRef;
import io.salvo.core.protocol.v1.MessagingService;
import io.salvo.cluster.group.GroupOffsets;
import io.salvo.cluster.query.MessageQueries;
import io.salvo.core.protocol.v1.QueryMessagesRequest;
import io.salvo.core.protocol.v1.QueryMessagesResponse;
import io.salvo.core.protocol.v1.QueueOffset;
import io.salvo.core.protocol.v1.ResetOffsetsRequest;
import io.salvo.core.protocol.v1.ResetOffsetsResponse;
import io.salvo.core.protocol.v1.PublishRequests;
import io.salvo.core.protocol.v1.PublishResponses;
import io.salvo.core.protocol.v1.QueryRouteRequest;
import io.salvo.core.protocol.v1.QueryRouteResponse;
import io.salvo.core.protocol.v1.QueueAssignment;
import io.salvo.core.protocol.v1.ReceiveMessagesRequest;
import io.salvo.core.protocol.v1.ReceiveMessagesResponse;
import io.salvo.core.protocol.v1.RetryMessageRequest;
import io.salvo.core.protocol.v1.RetryMessageResponse;
import io.salvo.core.protocol.v1.SendMessageRequest;
import io.salvo.core.protocol.v1.SendMessageResponse;
import io.salvo.core.protocol.v1.Subscription;
import io.salvo.core.protocol.v1.EndTransactionRequest;
import io.salvo.core.protocol.v1.EndTransactionResponse;
import io.salvo.core.protocol.v1.PrepareTransactionRequest;
import io.salvo.core.protocol.v1.PrepareTransactionResponse;
import io.salvo.core.protocol.v1.TransactionCheck;
import io.salvo.core.protocol.v1.TransactionChecksRequest;
import io.salvo.core.validation.Validation;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The client gRPC service ({@code salvo.v1.MessagingService}). It validates requests, resolves topics, and
 * asks the sharded entities; every failure becomes a specific Status (see the .proto for each RPC's list).
 */
public final class MessagingServiceImpl implements MessagingService {
  private final ClusterSharding sharding;
  private final BrokerSettings settings;
  private final Topics topics;
  private final QueueSource queueSource;
  private final SendMessageActivity sends;
  private final RetryMessages retries;
  private final Queues queues;
  private final TransactionActivity transactions;

  private final MessageQueries messageQueries;
  private final GroupOffsets groupOffsets;
  private final BrokerMetrics metrics;

  public MessagingServiceImpl(ActorSystem<?> system, BrokerSettings settings, Topics topics, QueueSource queueSource,
      MessageQueries messageQueries, GroupOffsets groupOffsets) {
    this.sharding = ClusterSharding.get(system);
    this.settings = settings;
    this.topics = topics;
    this.queueSource = queueSource;
    this.sends = new SendMessageActivity(system, settings, topics);
    this.retries = new RetryMessages(system, settings, topics);
    this.queues = new Queues(system, settings.storeTimeout());
    this.messageQueries = messageQueries;
    this.groupOffsets = groupOffsets;
    this.transactions = new TransactionActivity(system, settings, topics);
    this.metrics = BrokerMetrics.get(system);
  }

  @Override
  public CompletionStage<QueryMessagesResponse> queryMessages(QueryMessagesRequest in) {
    return guard(() -> {
          CompletionStage<List<MessageQueries.Found>> found;
          if (!in.getMessageId().isEmpty()) {
            found = messageQueries.byId(in.getTopic(), in.getMessageId());
          } else if (!in.getKey().isEmpty()) {
            found = messageQueries.byKey(in.getTopic(), in.getKey(), in.getBeginTimestampMs(), in.getEndTimestampMs(),
                in.getMaxMessages());
          } else {
            found = messageQueries.byTime(in.getTopic(), in.getBeginTimestampMs(), in.getEndTimestampMs(),
                in.getMaxMessages());
          }
          return found.thenApply(messages -> {
            QueryMessagesResponse.Builder out = QueryMessagesResponse.newBuilder().setStatus(StatusMapper.OK);
            for (MessageQueries.Found f : messages) {
              out.addMessages(ProtoConverter.toStoredMessage(f.queue().topic(), f.queue().index(), f.entry(),
                  settings.advertisedAddress()));
            }
            return out.build();
          });
        },
        status -> QueryMessagesResponse.newBuilder().setStatus(status).build());
  }

  @Override
  public CompletionStage<ResetOffsetsResponse> resetOffsets(ResetOffsetsRequest in) {
    return guard(() -> groupOffsets.resetToTime(in.getGroup(), in.getTopic(), in.getTimestampMs())
            .thenApply(offsets -> {
              ResetOffsetsResponse.Builder out = ResetOffsetsResponse.newBuilder().setStatus(StatusMapper.OK);
              offsets.forEach((queue, offset) -> out.addOffsets(QueueOffset.newBuilder()
                  .setTopic(queue.topic()).setQueueId(queue.index()).setOffset(offset)));
              return out.build();
            }),
        status -> ResetOffsetsResponse.newBuilder().setStatus(status).build());
  }

  @Override
  public CompletionStage<RetryMessageResponse> retryMessage(RetryMessageRequest in) {
    return guard(() -> retries.retry(in).thenApply(outcome -> RetryMessageResponse.newBuilder()
            .setStatus(StatusMapper.OK)
            .setDeadLettered(outcome.deadLettered())
            .setDeliverTimeMs(outcome.deliverAt())
            .build()),
        status -> RetryMessageResponse.newBuilder().setStatus(status).build());
  }

  @Override
  public CompletionStage<QueryRouteResponse> queryRoute(QueryRouteRequest in) {
    return guard(() -> topics.queueCount(in.getTopic(), true)
            .thenApply(count -> QueryRouteResponse.newBuilder()
                .setStatus(StatusMapper.OK)
                .setTopic(in.getTopic())
                .setQueueCount(count)
                .addBrokers(settings.advertisedAddress())
                .build()),
        status -> QueryRouteResponse.newBuilder().setStatus(status).setTopic(in.getTopic()).build());
  }

  @Override
  public CompletionStage<SendMessageResponse> sendMessage(SendMessageRequest in) {
    return sends.send(in);
  }

  @Override
  public Source<PublishResponses, NotUsed> publish(Source<PublishRequests, NotUsed> in) {
    return sends.publish(in);
  }

  @Override
  public CompletionStage<HeartbeatResponse> heartbeat(HeartbeatRequest in) {
    return guard(() -> {
          Validation.checkGroup(in.getGroup());
          RequestValidator.checkClientId(in.getClientId());
          for (Subscription s : in.getSubscriptionsList()) {
            Validation.checkTopic(s.getTopic());
            parseFilter(s.getFilter());
          }
          Set<String> held = new HashSet<>();
          for (QueueRef q : in.getHeldList()) {
            Validation.checkTopic(q.getTopic());
            held.add(QueueId.of(q.getTopic(), q.getQueueId()).entityId());
          }
          // Topics that do not exist yet are left out of the assignment; the member asks again next heartbeat.
          Map<String, Integer> queueCounts = new HashMap<>();
          CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
          for (Subscription s : in.getSubscriptionsList()) {
            // A clustering consumer subscribes to its group's retry topic: created here, as RocketMQ does.
            CompletionStage<Integer> route = s.getTopic().equals(RetryMessages.retryTopic(in.getGroup()))
                ? topics.ensure(s.getTopic(), 1) : topics.queueCount(s.getTopic(), false);
            CompletableFuture<Void> one = route
                .thenAccept(count -> {
                  synchronized (queueCounts) {
                    queueCounts.put(s.getTopic(), count);
                  }
                })
                .exceptionally(e -> {
                  Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
                  if (cause instanceof SalvoException se && se.code() == ErrorCode.TOPIC_NOT_FOUND) {
                    return null;
                  }
                  throw e instanceof RuntimeException re ? re : new RuntimeException(e);
                })
                .toCompletableFuture();
            all = all.thenCombine(one, (a, b) -> null);
          }
          return all.thenCompose(done -> Asks.ask(
                  sharding.entityRefFor(ConsumerGroupEntity.ENTITY_TYPE_KEY, in.getGroup()),
                  (ActorRef<ConsumerGroupEntity.Assignment> replyTo) ->
                      new ConsumerGroupEntity.Heartbeat(in.getClientId(), in.getSequence(), Map.copyOf(queueCounts),
                          Set.copyOf(held),
                          replyTo),
                  settings.storeTimeout(), "heartbeat of group '" + in.getGroup() + "'"))
              .thenApply(assignment -> {
                HeartbeatResponse.Builder out = HeartbeatResponse.newBuilder()
                    .setStatus(StatusMapper.OK)
                    .setGeneration(assignment.generation())
                    .setHeartbeatIntervalMs(settings.heartbeatInterval().toMillis())
                    .setSessionTimeoutMs(settings.sessionTimeout().toMillis());
                for (Subscription s : in.getSubscriptionsList()) {
                  if (!queueCounts.containsKey(s.getTopic())) {
                    out.addMissingTopics(s.getTopic());
                  }
                }
                for (ConsumerGroupEntity.QueueAssignment q : assignment.queues()) {
                  out.addAssignments(QueueAssignment.newBuilder()
                      .setTopic(q.topic()).setQueueId(q.queueId()).setCommittedOffset(q.committedOffset()));
                }
                return out.build();
              });
        },
        status -> HeartbeatResponse.newBuilder().setStatus(status).build());
  }

  @Override
  public Source<ReceiveMessagesResponse, NotUsed> receiveMessages(ReceiveMessagesRequest in) {
    MessageFilter filter;
    try {
      Validation.checkGroup(in.getGroup());
      Validation.checkTopic(in.getTopic());
      RequestValidator.checkQueueIndex(in.getQueueId());
      if (in.getOffset() < 0) {
        throw SalvoException.of(ErrorCode.INVALID_OFFSET, in.getOffset(), "offsets start at 0");
      }
      filter = parseFilter(in.getFilter());
    } catch (RuntimeException e) {
      return Source.single(ReceiveMessagesResponse.newBuilder().setStatus(StatusMapper.toStatus(e)).build());
    }
    int maxBatch = in.getMaxBatch() > 0 ? Math.min(in.getMaxBatch(), settings.deliveryMaxBatch()) : settings.deliveryMaxBatch();
    String topic = in.getTopic();
    int queueId = in.getQueueId();
    String storeHost = settings.advertisedAddress();
    return Source.completionStage(topics.queueCount(topic, false))
        .flatMapConcat(queueCount -> {
          RequestValidator.checkQueueExists(topic, queueId, queueCount);
          return queueSource.from(QueueId.of(topic, queueId), in.getOffset(), maxBatch, filter)
              .map(chunk -> {
                ReceiveMessagesResponse.Builder out = ReceiveMessagesResponse.newBuilder()
                    .setStatus(StatusMapper.OK)
                    .setNextOffset(chunk.nextOffset());
                long bytes = 0;
                for (StoredEntry e : chunk.entries()) {
                  out.addMessages(ProtoConverter.toStoredMessage(topic, queueId, e, storeHost));
                  bytes += e.message().body().length;
                }
                metrics.delivered(topic, chunk.entries().size(), bytes);
                return out.build();
              })
              .via(new DemandWait<>(metrics::waitedForDemand))
              .watchTermination((mat, done) -> {
                metrics.streamStarted(in.getGroup());
                done.whenComplete((ok, failure) -> metrics.streamStopped());
                return mat;
              });
        })
        .recover(new PFBuilder<Throwable, ReceiveMessagesResponse>()
            .matchAny(e -> ReceiveMessagesResponse.newBuilder().setStatus(StatusMapper.toStatus(e)).build())
            .build());
  }

  @Override
  public CompletionStage<CommitOffsetResponse> commitOffset(CommitOffsetRequest in) {
    return guard(() -> {
          Validation.checkGroup(in.getGroup());
          Validation.checkTopic(in.getTopic());
          RequestValidator.checkClientId(in.getClientId());
          RequestValidator.checkQueueIndex(in.getQueueId());
          if (in.getOffset() < 0) {
            throw SalvoException.of(ErrorCode.INVALID_OFFSET, in.getOffset(), "offsets start at 0");
          }
          return topics.queueCount(in.getTopic(), false).thenCompose(queueCount -> {
            RequestValidator.checkQueueExists(in.getTopic(), in.getQueueId(), queueCount);
            QueueId queue = QueueId.of(in.getTopic(), in.getQueueId());
            return queues.offsets(queue);
          }).thenCompose(queueOffsets -> {
            if (in.getOffset() > queueOffsets.nextOffset()) {
              throw SalvoException.of(ErrorCode.INVALID_OFFSET, in.getOffset(), "beyond the end of queue "
                  + QueueId.of(in.getTopic(), in.getQueueId()) + ", whose next offset is " + queueOffsets.nextOffset());
            }
            return Asks.ask(sharding.entityRefFor(ConsumerGroupEntity.ENTITY_TYPE_KEY, in.getGroup()),
                  (ActorRef<ConsumerGroupEntity.CommitReply> replyTo) -> in.getManualAssignment()
                      ? new ConsumerGroupEntity.CommitManualOffset(
                          in.getClientId(), in.getTopic(), in.getQueueId(), in.getOffset(), replyTo)
                      : new ConsumerGroupEntity.CommitOffset(
                          in.getClientId(), in.getGeneration(), in.getTopic(), in.getQueueId(), in.getOffset(), replyTo),
                  settings.storeTimeout(), "offset commit of group '" + in.getGroup() + "'");
          }).thenApply(reply -> {
            if (reply instanceof ConsumerGroupEntity.CommitRejected rejected) {
              return CommitOffsetResponse.newBuilder().setStatus(StatusMapper.of(rejected.code(), rejected.message())).build();
            }
            return CommitOffsetResponse.newBuilder().setStatus(StatusMapper.OK).build();
          });
        },
        status -> CommitOffsetResponse.newBuilder().setStatus(status).build());
  }

  @Override
  public CompletionStage<LeaveGroupResponse> leaveGroup(LeaveGroupRequest in) {
    return guard(() -> {
          Validation.checkGroup(in.getGroup());
          RequestValidator.checkClientId(in.getClientId());
          return Asks.ask(sharding.entityRefFor(ConsumerGroupEntity.ENTITY_TYPE_KEY, in.getGroup()),
                  (ActorRef<Done> replyTo) -> new ConsumerGroupEntity.Leave(in.getClientId(), replyTo),
                  settings.storeTimeout(), "leave of group '" + in.getGroup() + "'")
              .thenApply(done -> LeaveGroupResponse.newBuilder().setStatus(StatusMapper.OK).build());
        },
        status -> LeaveGroupResponse.newBuilder().setStatus(status).build());
  }

  @Override
  public CompletionStage<GetQueueOffsetsResponse> getQueueOffsets(GetQueueOffsetsRequest in) {
    return guard(() -> {
          RequestValidator.checkQueueIndex(in.getQueueId());
          if (!in.getGroup().isEmpty()) {
            Validation.checkGroup(in.getGroup());
          }
          return topics.queueCount(in.getTopic(), false).thenCompose(queueCount -> {
            RequestValidator.checkQueueExists(in.getTopic(), in.getQueueId(), queueCount);
            QueueId queue = QueueId.of(in.getTopic(), in.getQueueId());
            return queues.offsets(queue)
                .thenCompose(o -> {
                  GetQueueOffsetsResponse.Builder out = GetQueueOffsetsResponse.newBuilder()
                      .setStatus(StatusMapper.OK).setMinOffset(o.minOffset()).setNextOffset(o.nextOffset());
                  CompletionStage<GetQueueOffsetsResponse.Builder> atTime = in.getTimestampMs() <= 0
                      ? CompletableFuture.completedFuture(out)
                      : queueSource.offsetAtTimestamp(queue, o.minOffset(), o.nextOffset(), in.getTimestampMs())
                          .thenApply(out::setOffsetAtTimestamp);
                  return in.getGroup().isEmpty() ? atTime.thenApply(GetQueueOffsetsResponse.Builder::build)
                      : atTime.thenCompose(b -> committedOffset(in.getGroup(), queue)
                          .thenApply(committed -> b.setCommittedOffset(committed).build()));
                });
          });
        },
        status -> GetQueueOffsetsResponse.newBuilder().setStatus(status).build());
  }

  /** The group's committed offset of {@code queue}, -1 when it has none. */
  private CompletionStage<Long> committedOffset(String group, QueueId queue) {
    return Asks.ask(sharding.entityRefFor(ConsumerGroupEntity.ENTITY_TYPE_KEY, group),
            (ActorRef<ConsumerGroupEntity.Description> replyTo) -> new ConsumerGroupEntity.Describe(replyTo),
            settings.storeTimeout(), "offsets of group '" + group + "'")
        .thenApply(d -> d.offsets().getOrDefault(queue.entityId(), -1L));
  }

  // ---- transactions

  @Override
  public CompletionStage<PrepareTransactionResponse> prepareTransaction(PrepareTransactionRequest in) {
    return transactions.prepare(in);
  }

  @Override
  public CompletionStage<EndTransactionResponse> endTransaction(EndTransactionRequest in) {
    return transactions.end(in);
  }

  @Override
  public Source<TransactionCheck, NotUsed> transactionChecks(TransactionChecksRequest in) {
    return transactions.checks(in);
  }

  /** A subscription's filter, parsed once: a tag expression or a SQL92 condition; INVALID_FILTER when malformed. */
  private static MessageFilter parseFilter(FilterExpression filter) {
    return switch (filter.getType()) {
      case TAG -> MessageFilter.parse(MessageFilter.Type.TAG, filter.getExpression());
      case SQL92 -> MessageFilter.parse(MessageFilter.Type.SQL92, filter.getExpression());
      default -> throw SalvoException.of(ErrorCode.INVALID_FILTER, filter.getExpression(),
          "unknown expression type " + filter.getTypeValue() + "; this broker knows TAG (0) and SQL92 (1)");
    };
  }

  /** Runs {@code body}; a failure, thrown or in the stage, becomes a response with its Status. */
  private static <T> CompletionStage<T> guard(java.util.function.Supplier<CompletionStage<T>> body,
      Function<io.salvo.core.protocol.v1.Status, T> onError) {
    CompletionStage<T> stage;
    try {
      stage = body.get();
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(onError.apply(StatusMapper.toStatus(e)));
    }
    return stage.exceptionally(e -> onError.apply(StatusMapper.toStatus(e)));
  }
}
