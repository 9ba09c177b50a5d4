package io.salvo.cluster.grpc;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.stream.javadsl.Source;
import io.salvo.cluster.BrokerSettings;
import io.salvo.cluster.delay.DelayedMessages;
import io.salvo.cluster.queue.QueueEntity;
import io.salvo.cluster.queue.Queues;
import io.salvo.cluster.topic.Topics;
import io.salvo.core.model.QueueId;
import io.salvo.core.protocol.v1.PublishRequest;
import io.salvo.core.protocol.v1.PublishRequests;
import io.salvo.core.protocol.v1.PublishResponse;
import io.salvo.core.protocol.v1.PublishResponses;
import io.salvo.core.protocol.v1.SendMessageRequest;
import io.salvo.core.protocol.v1.SendMessageResponse;
import io.salvo.core.protocol.v1.Status;
import io.salvo.persistence.events.QueueEvent.MessageAppended;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Sends: one request ({@code SendMessage}) or a stream of them ({@code Publish}). On a Publish stream, requests
 * that queue up while the broker is busy are combined: the sends of one backlog to the same queue become one
 * {@link QueueEntity.Append}, and their offsets are handed back request by request. A lone request passes
 * straight through, so this adds no latency; under load it saves one ask, and its actor hops, per request.
 * Responses that are ready while the stream's outgoing side is busy leave together in one frame.
 */
final class SendMessageActivity {
  /** Requests combined at most, and sends' messages per combined append at most. */
  private static final int MAX_BACKLOG = 256;
  /** Responses per outgoing Publish frame at most. */
  private static final int MAX_RESPONSES_PER_FRAME = 1024;

  private final Queues queues;
  private final BrokerSettings settings;
  private final Topics topics;
  private final RequestValidator validator;
  private final DelayedMessages delayed;

  SendMessageActivity(ActorSystem<?> system, BrokerSettings settings, Topics topics) {
    this.queues = new Queues(system, settings.storeTimeout());
    this.settings = settings;
    this.topics = topics;
    this.validator = new RequestValidator(settings.maxMessageBytes(), settings.maxBatchMessages());
    this.delayed = new DelayedMessages(system, settings.timer(), settings.storeTimeout());
  }

  /** One send. Statuses: see SendMessage in the .proto. */
  CompletionStage<SendMessageResponse> send(SendMessageRequest in) {
    long now = System.currentTimeMillis();
    long deliverAt;
    try {
      validator.checkSend(in);
      deliverAt = DelayedMessages.isDelayed(in) ? delayed.deliverAt(in, now) : 0;
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(failed(in, StatusMapper.toStatus(e)));
    }
    return topics.queueCount(in.getTopic(), true)
        .thenCompose(queueCount -> {
          RequestValidator.checkQueueExists(in.getTopic(), in.getQueueId(), queueCount);
          QueueId queue = QueueId.of(in.getTopic(), in.getQueueId());
          if (deliverAt > now) {
            return schedule(queue, deliverAt, in);
          }
          // Not delayed, or its delivery time has passed: stored at once (a delayed one still shows its time).
          SendMessageRequest send = deliverAt == 0 ? in : DelayedMessages.stampedAsDue(in, deliverAt);
          return append(queue, List.of(send), true).thenApply(responses -> responses.get(0));
        })
        .exceptionally(e -> failed(in, StatusMapper.toStatus(e)));
  }

  /** A delayed send: journaled in the timer, appended to {@code queue} when due. */
  private CompletionStage<SendMessageResponse> schedule(QueueId queue, long deliverAt, SendMessageRequest in) {
    io.salvo.core.protocol.v1.Message message = in.getMessages(0);
    return delayed.schedule(queue, deliverAt, message.getDelayLevel(), ProtoConverter.toUnstored(message))
        .thenApply(accepted -> SendMessageResponse.newBuilder()
            .setStatus(StatusMapper.OK)
            .setTopic(in.getTopic())
            .setQueueId(in.getQueueId())
            .setFirstOffset(-1)
            .addMessageIds(message.getMessageId())
            .setStoreTimestamp(accepted)
            .setStoreHost(settings.advertisedAddress())
            .build());
  }

  /** A Publish stream: responses in completion order, each with its request's id. */
  Source<PublishResponses, NotUsed> publish(Source<PublishRequests, NotUsed> in) {
    return in
        .mapConcat(PublishRequests::getRequestsList)
        .batch(MAX_BACKLOG, first -> backlogOf(first), (backlog, next) -> {
          backlog.add(next);
          return backlog;
        })
        .mapConcat(this::plan)
        .mapAsyncUnordered(settings.publishParallelism(), Work::run)
        .batchWeighted(MAX_RESPONSES_PER_FRAME, responses -> (long) responses.size(),
            first -> PublishResponses.newBuilder().addAllResponses(first), PublishResponses.Builder::addAllResponses)
        .map(PublishResponses.Builder::build);
  }

  private static List<PublishRequest> backlogOf(PublishRequest first) {
    List<PublishRequest> backlog = new ArrayList<>();
    backlog.add(first);
    return backlog;
  }

  /** A unit of work of a Publish stream; it completes with the responses of its requests. */
  private interface Work {
    CompletionStage<List<PublishResponse>> run();
  }

  /** Splits a backlog into answered-at-once rejections, lone sends, and combined appends per queue. */
  private List<Work> plan(List<PublishRequest> backlog) {
    List<Work> work = new ArrayList<>();
    Map<QueueId, List<PublishRequest>> byQueue = new LinkedHashMap<>();
    for (PublishRequest request : backlog) {
      SendMessageRequest send = request.getSend();
      try {
        validator.checkSend(send);
      } catch (RuntimeException e) {
        PublishResponse rejected = respond(request, failed(send, StatusMapper.toStatus(e)));
        work.add(() -> CompletableFuture.completedFuture(List.of(rejected)));
        continue;
      }
      OptionalInt queueCount = topics.cachedQueueCount(send.getTopic());
      if (queueCount.isEmpty() || send.getQueueId() >= queueCount.getAsInt() || DelayedMessages.isDelayed(send)) {
        // Unknown route, a bad queue or a delayed message: the one-request path gives the specific answer.
        work.add(() -> send(send).thenApply(response -> List.of(respond(request, response))));
        continue;
      }
      byQueue.computeIfAbsent(QueueId.of(send.getTopic(), send.getQueueId()), q -> new ArrayList<>()).add(request);
    }
    for (Map.Entry<QueueId, List<PublishRequest>> queue : byQueue.entrySet()) {
      for (List<PublishRequest> part : capped(queue.getValue())) {
        work.add(() -> combined(queue.getKey(), part));
      }
    }
    return work;
  }

  /** Splits requests so that no combined append exceeds the batch message limit. */
  private List<List<PublishRequest>> capped(List<PublishRequest> requests) {
    List<List<PublishRequest>> parts = new ArrayList<>();
    List<PublishRequest> current = new ArrayList<>();
    int messages = 0;
    for (PublishRequest r : requests) {
      int n = r.getSend().getMessagesCount();
      if (!current.isEmpty() && messages + n > settings.maxBatchMessages()) {
        parts.add(current);
        current = new ArrayList<>();
        messages = 0;
      }
      current.add(r);
      messages += n;
    }
    parts.add(current);
    return parts;
  }

  private CompletionStage<List<PublishResponse>> combined(QueueId queue, List<PublishRequest> requests) {
    List<SendMessageRequest> sends = new ArrayList<>(requests.size());
    for (PublishRequest r : requests) {
      sends.add(r.getSend());
    }
    return append(queue, sends, false)
        .thenApply(responses -> {
          List<PublishResponse> out = new ArrayList<>(requests.size());
          for (int i = 0; i < requests.size(); i++) {
            out.add(respond(requests.get(i), responses.get(i)));
          }
          return out;
        })
        .exceptionally(e -> {
          Status status = StatusMapper.toStatus(e);
          List<PublishResponse> out = new ArrayList<>(requests.size());
          for (PublishRequest r : requests) {
            out.add(respond(r, failed(r.getSend(), status)));
          }
          return out;
        });
  }

  /**
   * One journal append of all messages of {@code sends} (validated, all to {@code queue}), in order. The responses
   * repeat the message ids only {@code withIds} (Publish responses leave them out: the client has them).
   */
  private CompletionStage<List<SendMessageResponse>> append(QueueId queue, List<SendMessageRequest> sends,
      boolean withIds) {
    List<MessageAppended> messages = new ArrayList<>();
    for (SendMessageRequest send : sends) {
      for (int i = 0; i < send.getMessagesCount(); i++) {
        messages.add(ProtoConverter.toUnstored(send.getMessages(i)));
      }
    }
    return queues.append(queue, messages, "journal write of " + messages.size() + " message(s) to queue " + queue)
        .thenApply(appended -> {
          List<SendMessageResponse> out = new ArrayList<>(sends.size());
          long offset = appended.firstOffset();
          for (SendMessageRequest send : sends) {
            SendMessageResponse.Builder response = SendMessageResponse.newBuilder()
                .setStatus(StatusMapper.OK)
                .setTopic(send.getTopic())
                .setQueueId(send.getQueueId())
                .setFirstOffset(offset)
                .setStoreTimestamp(appended.storeTimestamp())
                .setStoreHost(appended.storeHost());
            if (withIds) {
              for (int i = 0; i < send.getMessagesCount(); i++) {
                response.addMessageIds(send.getMessages(i).getMessageId());
              }
            }
            offset += send.getMessagesCount();
            out.add(response.build());
          }
          return out;
        });
  }

  private static PublishResponse respond(PublishRequest request, SendMessageResponse result) {
    return PublishResponse.newBuilder().setRequestId(request.getRequestId()).setResult(result).build();
  }

  private static SendMessageResponse failed(SendMessageRequest in, Status status) {
    return SendMessageResponse.newBuilder().setStatus(status).setTopic(in.getTopic()).setQueueId(in.getQueueId()).build();
  }
}
